"""A worker process that dies gives the learner a typed error, and the next call works."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.grading.worker import GradingPool, WorkerCrashed


def die() -> None:
    os._exit(3)  # a crash the Python code inside the worker cannot catch


def add(a: int, b: int) -> int:
    return a + b


def test_a_crashing_worker_is_a_limit_error_and_the_pool_recovers() -> None:
    async def scenario() -> int:
        pool = GradingPool(time_limit=10, workers=1)
        try:
            with pytest.raises(WorkerCrashed) as caught:
                await pool.run(die)
            assert caught.value.kind == "limit"
            return await pool.run(add, 2, 3)
        finally:
            pool.close()

    # A thread of its own: browser tests may leave an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as thread:
        assert thread.submit(asyncio.run, scenario()).result() == 5
