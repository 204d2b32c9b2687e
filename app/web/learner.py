"""Anonymous learners, known by a signed cookie.

The cookie holds a random token, which seeds the learner's problem variants (so a reload
shows the same numbers) and names their ``learners`` row once they have made an attempt.
It is issued with the first HTML page a visitor sees, so the attempts they then send, even
several at once, all carry the same token and land on one row (see app.store.learners).
It is signed with HMAC-SHA256: an edited or forged cookie is ignored and its sender is a new
anonymous learner, never someone else.

Format: ``token.id.signature``. ``id`` is 0 in cookies issued now; cookies issued before
tokens were stored carry their learner's row id there, which still works for those rows.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI, Request, Response
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import Settings

COOKIE = "mc_learner"
MAX_AGE = 60 * 60 * 24 * 365
SCOPE_KEY = "learner"
"""Where the middleware leaves the request's cookie in ``scope["state"]`` for the routes."""


@dataclass
class LearnerCookie:
    token: str
    learner_id: int | None
    """The row id an older cookie carries; None in cookies issued now."""
    changed: bool = False
    """True while the browser does not hold this cookie yet."""


def secret_key(settings: Settings) -> bytes:
    """``settings.secret_key`` (``MC_SECRET_KEY``) if set, else a random key kept in
    ``secret_key`` in the data folder, the same for every worker process."""
    if settings.secret_key:
        return settings.secret_key.encode()
    return _stored_key(settings.data_dir.resolve())


@lru_cache(maxsize=32)
def _stored_key(data_dir: Path) -> bytes:
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # Workers starting together must agree on one key: each writes a candidate, and
        # only the first link to the final name succeeds (a reader never sees half a file).
        candidate = data_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        candidate.write_text(secrets.token_hex(32), encoding="utf-8")
        candidate.chmod(0o600)
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_text(encoding="utf-8").strip().encode()


def _signature(key: bytes, payload: str) -> str:
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()[:32]


def parse_cookie(raw: str, key: bytes) -> LearnerCookie:
    """The learner a cookie value names, or a new anonymous one if it is missing or forged.

    >>> key = b"k"
    >>> issued = cookie_value(LearnerCookie("ab12", None), key)
    >>> parse_cookie(issued, key).token
    'ab12'
    >>> forged = issued.replace("ab12", "cd34")
    >>> parse_cookie(forged, key).token != "cd34"
    True
    """
    parts = raw.split(".")
    if len(parts) == 3:
        token, learner, signature = parts
        expected = _signature(key, f"{token}.{learner}")
        if hmac.compare_digest(signature, expected) and token and learner.isdigit():
            return LearnerCookie(token, int(learner) or None)
    return LearnerCookie(secrets.token_hex(16), None, changed=True)


def cookie_value(cookie: LearnerCookie, key: bytes) -> str:
    payload = f"{cookie.token}.{cookie.learner_id or 0}"
    return f"{payload}.{_signature(key, payload)}"


def read_learner(request: Request, settings: Settings) -> LearnerCookie:
    """This request's learner: the one the middleware read, else read from the cookie."""
    found = request.scope.get("state", {}).get(SCOPE_KEY)
    if isinstance(found, LearnerCookie):
        return found
    return parse_cookie(request.cookies.get(COOKIE, ""), secret_key(settings))


def write_learner(response: Response, cookie: LearnerCookie, settings: Settings) -> None:
    """Send the cookie if the browser does not hold it yet (JSON responses call this)."""
    if not cookie.changed:
        return
    value = cookie_value(cookie, secret_key(settings))
    response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="lax")
    cookie.changed = False


class LearnerCookieMiddleware:
    """Reads the cookie once per request and issues it with the first HTML page.

    Plain ASGI rather than BaseHTTPMiddleware: it only looks at headers, so responses
    stream through untouched.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self._key: bytes | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._key is None:
            self._key = secret_key(self.settings)
        key = self._key
        cookie = parse_cookie(HTTPConnection(scope).cookies.get(COOKIE, ""), key)
        scope.setdefault("state", {})[SCOPE_KEY] = cookie

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and cookie.changed:
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.append("set-cookie", _set_cookie_header(cookie_value(cookie, key)))
                    cookie.changed = False
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def install_learner_cookies(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(LearnerCookieMiddleware, settings=settings)


def _set_cookie_header(value: str) -> str:
    response = Response()
    response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="lax")
    return response.headers["set-cookie"]
