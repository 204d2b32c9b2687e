"""Learner maths in worker processes that are killed one at a time.

An input such as ``(x + y + z)^400`` or ``tr(X X … X)`` can keep SymPy or NumPy busy for
minutes. A thread cannot be stopped, so every call that runs learner maths (parsing,
derivatives, grading, plots) runs in a process pool. We use pebble's ``ProcessPool``:
when a call passes its time limit pebble kills *that* worker alone and starts a new one,
so the other learners' calls in flight carry on (the standard library's executor can only
be torn down whole). Workers are forked from a forkserver that has already imported the
engine, so a replacement is ready in milliseconds, and each worker's address space is
capped so one input cannot take the machine's memory.

Fairness: each client (a learner's signed cookie, else its address) has its own *lane*
with at most one call in the pool at a time and a short queue, so a client that sends slow
inputs can hold at most one worker, never all of them.

>>> pool = GradingPool()       # no process until start() or the first call
>>> pool.close()
"""

from __future__ import annotations

import asyncio
import contextvars
import multiprocessing
import os
import resource
from collections.abc import Callable
from concurrent.futures import CancelledError
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessPool

from app.mathcore.errors import LimitError, MathError

T = TypeVar("T")

TIME_LIMIT_SECONDS = 2.5
START_UP_SECONDS = 120.0
WORKERS = 3
MEMORY_LIMIT_BYTES = 2 * 1024**3
"""Per worker: far above what any honest input needs (a few hundred MB), far below the machine."""
EXTRA_SHARE = 0.2
"""An optional follow-up call's share of the time limit (see GradingPool.extra_time_limit)."""
LANE_QUEUE = 8
"""Calls one client may have in a lane (running and waiting) before it is told to slow down."""

PRELOAD = ("app.grading.warm",)
"""Imported once in the forkserver, so every worker (and every replacement) starts warm."""

current_lane: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_lane", default=None
)
"""The client a request comes from; set per request by the web layer, read by run()."""


class WorkerCrashed(LimitError):
    """The worker process died (a crash, or its memory cap): a typed 422, never a 500."""

    def __init__(self) -> None:
        super().__init__("the answer checker stopped unexpectedly; please try again")


class TooManyInFlight(LimitError):
    """One client has more calls waiting than its lane holds: answered with a 429."""

    def __init__(self) -> None:
        super().__init__("too many requests at once from this client; wait for the answers")


def _limit_worker(memory_limit: int) -> None:
    """Runs in each new worker: cap its memory, and make sure it is warm."""
    if memory_limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    warm_up()  # milliseconds when the forkserver has warmed up already (app.grading.warm)


def warm_up() -> int:
    """Build the grammar and exercise the grader once, so no learner pays for it."""
    from app.grading.equivalence import grade_expression

    grade_expression("2 x", "x + x", None)
    return os.getpid()


def _forkserver_context() -> Any:
    context = multiprocessing.get_context("forkserver")
    # Only takes effect before the forkserver starts; later pools share the same server.
    context.set_forkserver_preload(list(PRELOAD))
    return context


@dataclass
class _Lane:
    running: asyncio.Semaphore
    waiting: int = 0


class GradingPool:
    """Worker processes for learner maths, with a time limit per call and a lane per client."""

    def __init__(
        self,
        time_limit: float = TIME_LIMIT_SECONDS,
        workers: int = WORKERS,
        memory_limit: int = MEMORY_LIMIT_BYTES,
    ) -> None:
        self.time_limit = time_limit
        self.workers = workers
        self.memory_limit = memory_limit
        self._pool: ProcessPool | None = None
        self._lanes: dict[str, _Lane] = {}
        self.replacements = 0
        """How many calls were stopped (each one's worker killed and replaced)."""

    def _ensure_pool(self) -> ProcessPool:
        if self._pool is None:
            self._pool = ProcessPool(
                max_workers=self.workers,
                initializer=_limit_worker,
                initargs=(self.memory_limit,),
                context=_forkserver_context(),
            )
        return self._pool

    async def start(self) -> None:
        """Start every worker and wait until each has warmed up (the app's lifespan calls this)."""
        pool = self._ensure_pool()
        seen: set[int] = set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_UP_SECONDS
        # A worker answers only once its initializer (the warm-up) has run.
        while len(seen) < self.workers and loop.time() < deadline:
            futures = [pool.schedule(warm_up) for _ in range(self.workers)]
            pids = await asyncio.gather(*(asyncio.wrap_future(f) for f in futures))
            seen.update(pids)

    @property
    def extra_time_limit(self) -> float:
        """The budget of an optional call made after a request's main one (a suggested fix,
        a comparison), so that a request's calls together stay within about
        ``EXTRA_SHARE + 1`` times the time limit: 3 s with the default 2.5 s."""
        return self.time_limit * EXTRA_SHARE

    async def run(
        self, function: Callable[..., T], *args: Any, time_limit: float | None = None
    ) -> T:
        """``function(*args)`` in a worker; :class:`LimitError` past the time limit (the
        pool's, or a shorter ``time_limit``, as :attr:`extra_time_limit` is).

        Learner errors (:class:`MathError`) raised in the worker are raised here with their
        position. Calls from one lane (see :data:`current_lane`) run one at a time.
        """
        limit = self.time_limit if time_limit is None else min(time_limit, self.time_limit)
        lane_key = current_lane.get()
        if lane_key is None:
            return await self._call(function, args, limit)
        lane = self._lanes.get(lane_key)
        if lane is None:
            lane = self._lanes[lane_key] = _Lane(asyncio.Semaphore(1))
        if lane.waiting >= LANE_QUEUE:
            raise TooManyInFlight
        lane.waiting += 1
        try:
            async with lane.running:
                return await self._call(function, args, limit)
        finally:
            lane.waiting -= 1
            if lane.waiting == 0:
                self._lanes.pop(lane_key, None)

    async def _call(self, function: Callable[..., T], args: tuple[Any, ...], limit: float) -> T:
        for attempt in range(2):
            try:
                future = self._ensure_pool().schedule(function, args=args, timeout=limit)
            except RuntimeError:
                # pebble marks a pool it cannot manage any more (see below) as failed
                self._discard_pool()
                future = self._ensure_pool().schedule(function, args=args, timeout=limit)
            try:
                return await asyncio.wrap_future(future)
            except TimeoutError:
                # pebble has killed this worker alone and is starting a replacement
                self.replacements += 1
                raise LimitError(
                    f"this took longer than {limit:g} s to work out; try a simpler form"
                ) from None
            except MathError:
                raise
            except MemoryError:
                raise LimitError(
                    "this needs more memory than one answer may use; try a simpler form"
                ) from None
            except ProcessExpired:
                # The worker died under this call. Once more on a fresh worker: the death
                # may have been a neighbour's doing (a crash, or a signal from outside).
                if attempt == 1:
                    raise WorkerCrashed from None
            except BrokenProcessPool:
                # Workers killed from outside while idle: pebble gives the pool up. Start a
                # fresh one and run the call once more there.
                self._discard_pool()
                if attempt == 1:
                    raise WorkerCrashed from None
            except CancelledError:
                raise WorkerCrashed from None
            except asyncio.CancelledError:
                future.cancel()  # type: ignore[no-untyped-call]  # client gone: free the worker
                raise
        raise WorkerCrashed

    def _discard_pool(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.stop()  # type: ignore[no-untyped-call]

    def close(self) -> None:
        """Stop the workers (the app's lifespan calls this on shutdown)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.stop()  # type: ignore[no-untyped-call]
            pool.join(timeout=5)
