"""The grading pool: a runaway call is stopped, the pool replaced, and errors keep positions."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest

from app.grading.equivalence import grade_expression
from app.grading.worker import GradingPool
from app.mathcore.errors import LimitError, MathError

T = TypeVar("T")


def run_in_fresh_loop(scenario: Callable[[], Awaitable[T]]) -> T:
    """asyncio.run in its own thread: Playwright's sync API keeps a loop in the main one."""

    async def main() -> T:
        return await scenario()

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, main()).result()


def test_a_runaway_call_is_stopped_and_the_next_call_runs_on_a_fresh_worker() -> None:
    pool = GradingPool(time_limit=1.0, workers=1)

    async def scenario() -> tuple[float, bool]:
        await pool.run(time.sleep, 0)  # start the worker outside the timed part
        started = time.monotonic()
        with pytest.raises(LimitError):
            await pool.run(time.sleep, 30)
        elapsed = time.monotonic() - started
        grade = await pool.run(grade_expression, "2 x", "x + x")
        return elapsed, grade.equivalent

    try:
        elapsed, equivalent = run_in_fresh_loop(scenario)
    finally:
        pool.close()
    assert elapsed < 3
    assert equivalent and pool.replacements == 1


def test_learner_errors_come_back_with_their_position() -> None:
    pool = GradingPool(workers=1)
    try:
        with pytest.raises(MathError) as caught:
            run_in_fresh_loop(lambda: pool.run(grade_expression, "2 x", "x + (x"))
    finally:
        pool.close()
    assert caught.value.kind == "syntax" and caught.value.position is not None
