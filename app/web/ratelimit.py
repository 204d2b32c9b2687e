"""Per-client rate limits on the endpoints that run learner maths.

Every call to the grader, the derivative engine or a plot takes a worker process for up to
``MC_TASK_TIME_LIMIT`` seconds, so one client sending them as fast as it can would starve
everyone else. Each such request counts against its client's limits, as sliding windows
(the `limits` library); over a limit, the answer is a 429 with ``Retry-After`` and the
maths never runs.

A client is its address (IPv6 addresses by their /64, which one host usually owns whole).
Behind a proxy, run uvicorn with ``--proxy-headers --forwarded-allow-ips=<proxy>`` so the
address is the client's, not the proxy's.

The counts live in memory by default, one set per server process. With several processes
or instances, point ``MC_RATE_LIMIT_STORAGE`` at Redis (``redis://host:6379/0``) so they
share one count. If that storage is unreachable the request is let through and the failure
logged: a rate limit is a guard for the maths workers, not a reason to refuse learners.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Receive, Scope, Send

from app.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Group:
    """Endpoints that share one budget: ``name`` keys the counts."""

    name: str
    limits: tuple[RateLimitItem, ...]


def _groups(settings: Settings) -> dict[str, Group]:
    return {
        "maths": Group("maths", tuple(parse_many(settings.rate_limit_maths))),
        "preview": Group("preview", tuple(parse_many(settings.rate_limit_preview))),
        "plots": Group("plots", tuple(parse_many(settings.rate_limit_plots))),
    }


def group_of(method: str, path: str) -> str | None:
    """The budget a request counts against, or None for requests that run no learner maths.

    >>> group_of("POST", "/api/check"), group_of("POST", "/api/viz/descent")
    ('maths', 'plots')
    >>> group_of("GET", "/api/problems/least-squares"), group_of("POST", "/api/parse")
    (None, 'preview')
    """
    if method != "POST" or not path.startswith("/api/"):
        return None
    if path == "/api/parse":
        return "preview"  # sent as the learner types, so a larger budget
    if path.startswith("/api/viz/"):
        return "plots"  # sent as the learner drags a point
    if path in ("/api/derivative", "/api/check", "/api/check-derivation"):
        return "maths"
    if path.startswith("/api/problems/") and path.endswith("/attempt"):
        return "maths"
    if path.startswith("/api/quizzes/"):
        return "maths"  # quiz answers are graded
    return None


def client_key(scope: Scope) -> str:
    """The client's address; an IPv6 address by its /64 network."""
    client = scope.get("client")
    host = client[0] if client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def make_storage(uri: str) -> Storage:
    """The async storage for ``uri``; Redis through redis-py (an optional dependency:
    ``pip install 'matrix-calculus[redis]'``), its keys prefixed with the app's name."""
    uri = uri.removeprefix("async+")
    options: dict[str, str] = {}
    if uri.startswith(("redis://", "rediss://", "redis+unix://")):
        options = {"implementation": "redispy", "key_prefix": "matrix-calculus"}
    storage = storage_from_string(f"async+{uri}", **options)
    assert isinstance(storage, Storage)  # an async+ scheme gives an async storage
    return storage


class RateLimit:
    """ASGI middleware: a 429 with ``Retry-After`` once a client spends a budget."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.groups = _groups(settings)
        self.storage = make_storage(settings.rate_limit_storage)
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        name = group_of(scope["method"], scope["path"])
        if name is not None:
            retry_after = await self._spend(self.groups[name], client_key(scope))
            if retry_after is not None:
                await self._refuse(send, retry_after)
                return
        await self.app(scope, receive, send)

    async def _spend(self, group: Group, client: str) -> int | None:
        """Count one request; None if within every limit, else seconds until it would be."""
        try:
            for item in group.limits:
                if not await self.limiter.hit(item, group.name, client):
                    stats = await self.limiter.get_window_stats(item, group.name, client)
                    return max(1, math.ceil(stats.reset_time - time.time()))
        except Exception:  # the shared storage is down: serve, and say so in the log
            log.exception("rate limit storage failed; request let through")
        return None

    async def _refuse(self, send: Send, retry_after: int) -> None:
        message = (
            "too many requests from this address: wait "
            f"{retry_after} second{'s' if retry_after != 1 else ''} and try again"
        )
        body = json.dumps(
            {"error": {"kind": "rate-limit", "message": message, "position": None}}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(retry_after).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
