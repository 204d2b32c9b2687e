"""The grading pool: a runaway call is stopped, the pool replaced, and errors keep positions."""

from __future__ import annotations

import asyncio
import time

import pytest

from app.grading.equivalence import grade_expression
from app.grading.worker import GradingPool
from app.mathcore.errors import LimitError, MathError


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
        elapsed, equivalent = asyncio.run(scenario())
    finally:
        pool.close()
    assert elapsed < 3
    assert equivalent and pool.replacements == 1


def test_learner_errors_come_back_with_their_position() -> None:
    pool = GradingPool(workers=1)
    try:
        with pytest.raises(MathError) as caught:
            asyncio.run(pool.run(grade_expression, "2 x", "x + (x"))
    finally:
        pool.close()
    assert caught.value.kind == "syntax" and caught.value.position is not None
