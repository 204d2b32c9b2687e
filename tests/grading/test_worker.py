"""The maths workers: a runaway call is killed alone, errors keep positions, lanes are fair."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest

from app.grading.derivation import LineError
from app.grading.equivalence import grade_expression
from app.grading.worker import GradingPool, TooManyInFlight, WorkerCrashed, current_lane
from app.mathcore.errors import LimitError, MathError

T = TypeVar("T")
FOREVER = 3600.0
"""Longer than any test run: a call that sleeps this long returns only if it is killed."""


def run_in_fresh_loop(scenario: Callable[[], Awaitable[T]]) -> T:
    """asyncio.run in its own thread: Playwright's sync API keeps a loop in the main one."""

    async def main() -> T:
        return await scenario()

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, main()).result()


def pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def interval(seconds: float) -> tuple[float, float]:
    started = time.time()
    time.sleep(seconds)
    return started, time.time()


def die() -> None:
    os._exit(3)  # a crash the Python code inside the worker cannot catch


def hoard_memory() -> int:
    return len(bytearray(8 * 1024**3))  # far past the worker's memory cap


def raise_line_error() -> None:
    raise LineError("unbalanced '('", 4, 2)


def test_a_runaway_call_is_killed_alone_while_an_honest_call_finishes() -> None:
    pool = GradingPool(time_limit=2.0, workers=2)

    async def scenario() -> tuple[BaseException | int, int, bool]:
        await pool.start()
        runaway = asyncio.ensure_future(pool.run(pid_after, FOREVER))
        # the honest call runs beside it on the other worker, and must not be disturbed
        honest = await pool.run(pid_after, 0.5)
        outcome = await asyncio.gather(runaway, return_exceptions=True)
        grade = await pool.run(grade_expression, "2 x", "x + x", None)
        return outcome[0], honest, grade.equivalent

    try:
        runaway, honest_pid, equivalent = run_in_fresh_loop(scenario)
    finally:
        pool.close()
    assert isinstance(runaway, LimitError) and "longer than 2 s" in runaway.message
    assert isinstance(honest_pid, int)
    assert equivalent and pool.replacements == 1


def test_start_warms_every_worker_before_returning() -> None:
    pool = GradingPool(workers=2)

    async def scenario() -> set[int]:
        await pool.start()
        calls = [pool.run(pid_after, 0.3) for _ in range(4)]
        return set(await asyncio.gather(*calls))

    try:
        pids = run_in_fresh_loop(scenario)
    finally:
        pool.close()
    assert len(pids) == 2


@pytest.mark.parametrize(
    ("call", "args", "kind", "fields"),
    [
        (grade_expression, ("2 x", "x + (x", None), "syntax", {}),
        (raise_line_error, (), "syntax", {"line": 2, "position": 4}),
    ],
)
def test_learner_errors_come_back_with_their_position_and_fields(
    call: Callable[..., object], args: tuple[object, ...], kind: str, fields: dict[str, int]
) -> None:
    pool = GradingPool(workers=1)
    try:
        with pytest.raises(MathError) as caught:
            run_in_fresh_loop(lambda: pool.run(call, *args))
    finally:
        pool.close()
    assert caught.value.kind == kind and caught.value.position is not None
    assert {name: caught.value.to_dict()[name] for name in fields} == fields


def test_a_crashing_worker_is_a_limit_error_and_the_pool_recovers() -> None:
    pool = GradingPool(time_limit=30, workers=1)

    async def scenario() -> bool:
        with pytest.raises(WorkerCrashed) as caught:
            await pool.run(die)
        assert caught.value.kind == "limit"
        grade = await pool.run(grade_expression, "2 x", "x + x", None)
        return grade.equivalent

    try:
        assert run_in_fresh_loop(scenario)
    finally:
        pool.close()


def test_a_call_past_the_memory_cap_is_a_limit_error_and_the_pool_recovers() -> None:
    pool = GradingPool(time_limit=30, workers=1, memory_limit=1024**3)

    async def scenario() -> bool:
        with pytest.raises(LimitError, match="memory"):
            await pool.run(hoard_memory)
        grade = await pool.run(grade_expression, "2 x", "x + x", None)
        return grade.equivalent

    try:
        assert run_in_fresh_loop(scenario)
    finally:
        pool.close()


def test_one_lane_runs_one_call_at_a_time_and_refuses_a_flood() -> None:
    pool = GradingPool(workers=2)

    async def scenario() -> tuple[list[tuple[float, float]], list[tuple[float, float]], int]:
        await pool.start()
        other = asyncio.ensure_future(pool.run(interval, 0.3))  # no lane: runs beside it
        current_lane.set("address:203.0.113.9")
        # one lane: these run one after the other although two workers are free
        lane = await asyncio.gather(*(pool.run(interval, 0.3) for _ in range(3)))
        flood = [asyncio.ensure_future(pool.run(interval, 0.01)) for _ in range(12)]
        outcomes = await asyncio.gather(*flood, return_exceptions=True)
        refused = sum(isinstance(o, TooManyInFlight) for o in outcomes)
        return sorted(lane), [await other], refused

    try:
        lane, other, refused = run_in_fresh_loop(scenario)
    finally:
        pool.close()
    assert all(later[0] >= earlier[1] for earlier, later in zip(lane, lane[1:], strict=False))
    assert other[0][0] < lane[0][1]  # the call outside the lane overlapped the lane's first
    assert refused == 12 - 8  # the lane holds eight calls; the rest are told to wait


def test_workers_killed_from_outside_while_idle_are_replaced() -> None:
    pool = GradingPool(workers=2)

    async def scenario() -> bool:
        await pool.start()
        pids = set(await asyncio.gather(*(pool.run(pid_after, 0.3) for _ in range(4))))
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(1)  # let the pool notice, whatever it then decides
        grade = await pool.run(grade_expression, "2 x", "x + x", None)
        return grade.equivalent

    try:
        assert run_in_fresh_loop(scenario)
    finally:
        pool.close()
