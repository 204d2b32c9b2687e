"""Security headers on every response, and a size limit on API request bodies.

Both are plain ASGI middleware (no BaseHTTPMiddleware): they touch only the scope, the
response headers and the body messages, so responses stream through untouched.

The Content-Security-Policy allows scripts only from this site (no inline script, no eval);
every page loads its scripts from /static. Styles also allow ``'unsafe-inline'``: the
vendored Plotly bundles (static/vendor/plotly) add their rules by inserting ``<style>``
elements into the page at run time and set ``style`` attributes on the SVG they draw, which
a ``style-src 'self'`` would block (and report in the console on every figure). Inline
styles cannot run code, so the risk this leaves is limited to injected markup restyling a
page, which the templates' escaping already prevents.
"""

from __future__ import annotations

import json

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import Settings
from app.web.learner import over_https

HSTS = "max-age=31536000; includeSubDomains"


def content_security_policy(frame_ancestors: str) -> str:
    """The policy for every response; ``frame_ancestors`` says who may embed our pages.

    >>> content_security_policy("'none'").endswith("frame-ancestors 'none'")
    True
    """
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",  # Plotly injects <style> and style="…"
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            # ReDoc (/redoc) runs its search in a Web Worker made from a blob: URL. Only a
            # script already running here can make one, so this lets no new code in.
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


class SecurityHeaders:
    """Adds the security headers to every response; HSTS only to those sent over HTTPS."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        ancestors = settings.frame_ancestors.strip()
        self.headers = [
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "strict-origin-when-cross-origin"),
            ("cross-origin-opener-policy", "same-origin"),
            ("content-security-policy", content_security_policy(ancestors)),
        ]
        if ancestors == "'none'":
            # The same for browsers that predate frame-ancestors. Any other value names who
            # may embed us, which X-Frame-Options cannot express: frame-ancestors alone.
            self.headers.append(("x-frame-options", "DENY"))
        # Encoded once: each response only appends the ones it does not set itself.
        self._headers = [(name.encode(), value.encode()) for name, value in self.headers]
        self._https_headers = [*self._headers, (b"strict-transport-security", HSTS.encode())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._https_headers if over_https(scope, self.settings) else self._headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                # A response that sets one of its own keeps it.
                headers += [item for item in extra if item[0] not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


_NO_BODY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""No route reads a body sent with these, so it is never parsed and needs no limit."""


class _BodyTooLarge(Exception):
    """Raised into the app when a streamed body passes the limit; the app's own answer to
    it (FastAPI turns it into a 400) is replaced by our 413."""


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes with a 413, before they are parsed (the
    JSON API's and the forms' alike: the largest form, sign-up, is under 1 kB): at once by Content-Length, else by counting the bytes as they stream in."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _NO_BODY_METHODS:
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self.refuse(send)
            return

        received = 0
        too_large = False
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            if too_large:
                raise _BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    too_large = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if too_large:
                return  # whatever the app answers to the cut-off body, the 413 goes out
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLarge:
            pass
        except Exception:
            if not too_large:
                raise
        if too_large and not response_started:
            await self.refuse(send)

    async def refuse(self, send: Send) -> None:
        message = f"the request body is larger than the limit of {self.limit} bytes"
        body = json.dumps({"error": {"kind": "limit", "message": message, "position": None}})
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    # The rest of the body is not read: the client must not reuse the
                    # connection for another request.
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


def install_security(app: FastAPI, settings: Settings) -> None:
    """Refuse big API bodies before any other middleware reads them, and put the headers
    on every response, the 413 and the 500 page included.

    The 500 page is sent by Starlette's ServerErrorMiddleware, which sits outside every
    added middleware, so the headers wrap the whole stack as it is built instead.
    """
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    build_stack = app.build_middleware_stack

    def build_with_headers() -> ASGIApp:
        return SecurityHeaders(build_stack(), settings)

    app.build_middleware_stack = build_with_headers  # type: ignore[method-assign]
