"""Grading in a worker process that can be killed.

An answer such as ``(x + y + z)^400`` can keep SymPy or NumPy busy for minutes. A thread
cannot be stopped and a signal only reaches the main thread, so every check runs in a
small process pool ('spawn' context, no inherited state); when a call exceeds its time
limit the pool's processes are terminated and a fresh pool replaces it, while the event
loop stays free to serve other requests.

Errors a learner caused (:class:`MathError`) are sent back as plain data and raised
again here: an exception's pickle loses attributes such as ``position``.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

from app.mathcore.errors import LimitError, MathError, ParseError, ShapeError, UnsupportedError

T = TypeVar("T")

TIME_LIMIT_SECONDS = 2.5
START_UP_SECONDS = 60.0
WORKERS = 2

_ERRORS_BY_KIND: dict[str, type[MathError]] = {
    "syntax": ParseError,
    "shape": ShapeError,
    "unsupported": UnsupportedError,
    "limit": LimitError,
}


class WorkerCrashed(LimitError):
    """The checking process died twice in a row: a typed 422, never a 500."""

    def __init__(self) -> None:
        super().__init__("the answer checker stopped unexpectedly; please try again")


@dataclass(frozen=True)
class _Failure:
    error_type: str
    fields: dict[str, Any]


def _call_safely(function: Callable[..., T], *args: Any) -> T | _Failure:
    try:
        return function(*args)
    except MathError as error:
        return _Failure(type(error).__module__ + ":" + type(error).__qualname__, error.to_dict())


def _warm_up() -> bool:
    """Import the grader in the fresh process, so the first real check is not slow."""
    import app.grading.derivation  # noqa: F401
    import app.grading.equivalence  # noqa: F401
    import app.grading.problem_grader  # noqa: F401

    return True


def _raise(failure: _Failure) -> None:
    fields = dict(failure.fields)
    kind = str(fields.pop("kind", "syntax"))
    message = str(fields.pop("message", "error"))
    position = fields.pop("position", None)
    if "line" in fields:
        from app.grading.derivation import LineError

        error_kind = _ERRORS_BY_KIND.get(kind, ParseError).kind
        raise LineError(message, position, int(fields["line"]), error_kind)
    raise _ERRORS_BY_KIND.get(kind, ParseError)(message, position)


class GradingPool:
    """A lazily started process pool with a per-call time limit.

    >>> pool = GradingPool()       # no process yet
    >>> # result = await pool.run(grade_expression, "2 x", "x + x")
    >>> pool.close()
    """

    def __init__(self, time_limit: float = TIME_LIMIT_SECONDS, workers: int = WORKERS) -> None:
        self.time_limit = time_limit
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._lock: asyncio.Lock | None = None
        self.replacements = 0

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker; :class:`LimitError` past the time limit."""
        for attempt in range(2):
            try:
                executor = await self._ready()
            except BrokenProcessPool:
                self._executor = None  # _ready terminated it; start afresh next time
                if attempt == 1:
                    raise WorkerCrashed from None
                continue
            future = executor.submit(_call_safely, function, *args)
            try:
                outcome = await asyncio.wait_for(asyncio.wrap_future(future), self.time_limit)
            except TimeoutError:
                self._replace(executor)
                raise LimitError(
                    f"this answer took longer than {self.time_limit:g} s to check; "
                    "try a simpler form"
                ) from None
            except BrokenProcessPool:
                # Another call's time-out killed this pool: run once more on a fresh one.
                self._replace(executor)
                if attempt == 1:
                    raise WorkerCrashed from None
                continue
            if isinstance(outcome, _Failure):
                _raise(outcome)
            return outcome  # type: ignore[return-value]
        raise RuntimeError("unreachable")

    async def _ready(self) -> ProcessPoolExecutor:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._executor is None:
                context = multiprocessing.get_context("spawn")
                executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
                warm = [executor.submit(_warm_up) for _ in range(self.workers)]
                try:
                    await asyncio.wait_for(
                        asyncio.gather(*(asyncio.wrap_future(f) for f in warm)), START_UP_SECONDS
                    )
                except BaseException:
                    _terminate(executor)
                    raise
                self._executor = executor
            return self._executor

    def _replace(self, executor: ProcessPoolExecutor) -> None:
        if self._executor is executor:
            self._executor = None
            self.replacements += 1
        _terminate(executor)

    def close(self) -> None:
        """Stop the workers (the app's lifespan calls this on shutdown)."""
        if self._executor is not None:
            executor, self._executor = self._executor, None
            executor.shutdown(wait=True, cancel_futures=True)


def _terminate(executor: ProcessPoolExecutor) -> None:
    # ProcessPoolExecutor has no public way to kill a running task; its processes are
    # kept in ``_processes``. Terminating them breaks the pool, which we then discard.
    processes = dict(getattr(executor, "_processes", None) or {})
    for process in processes.values():
        process.terminate()
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes.values():
        process.join(timeout=2)
