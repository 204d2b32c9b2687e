"""Per-request context: a request id for logs and error pages, and the client's maths lane.

A plain ASGI middleware (no BaseHTTPMiddleware): it touches only the scope and the
response headers, so it costs microseconds on every request.
"""

from __future__ import annotations

import secrets
import time

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.grading.worker import current_lane
from app.logs import access_log, request_id_var
from app.settings import Settings
from app.web.learner import read_learner

REQUEST_ID_HEADER = b"x-request-id"
NO_MATHS_PREFIXES = ("/static/", "/healthz")
"""Paths that never run learner maths, so they need no lane (nor the cookie it reads)."""


def request_id_of(scope: Scope) -> str:
    """The id given to this request (set by :class:`RequestContext`), or a new one."""
    state = scope.setdefault("state", {})
    request_id = state.get("request_id")
    if not isinstance(request_id, str):
        request_id = state["request_id"] = secrets.token_hex(8)
    return request_id


def lane_of(scope: Scope, settings: Settings) -> str:
    """Whose turn a maths call takes: the learner of a valid signed cookie, else the address.

    An unsigned or tampered cookie falls back to the address, so a client cannot mint
    itself fresh lanes by inventing cookie values. (The learner-cookie middleware, outside
    this one, has read and checked the cookie already.)
    """
    learner = read_learner(Request(scope), settings)
    if not learner.changed:
        return f"learner:{learner.token}"
    client = scope.get("client")
    return f"address:{client[0] if client else 'unknown'}"


class RequestContext:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        header = (REQUEST_ID_HEADER, request_id.encode())
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        id_token = request_id_var.set(request_id)  # every log record of this request names it
        started = time.perf_counter() if self.settings.access_log else 0.0
        lane_token = None
        if not scope["path"].startswith(NO_MATHS_PREFIXES):
            lane_token = current_lane.set(lane_of(scope, self.settings))
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if lane_token is not None:
                current_lane.reset(lane_token)
            if self.settings.access_log:
                client = scope.get("client")
                access_log.info(
                    "%s %s %s",
                    scope["method"],
                    scope["path"],
                    status,
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                        "client": client[0] if client else None,
                        "request_id": request_id,
                    },
                )
            request_id_var.reset(id_token)
