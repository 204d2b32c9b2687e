"""Learners, known by a signed cookie; an account's learner is known the same way.

The ``mc_learner`` cookie holds a random token, which seeds the learner's problem variants
(so a reload shows the same numbers) and names their ``learners`` row once they have made
an attempt. It is issued with the first HTML page a visitor sees, so the attempts they then
send, even several at once, all carry the same token and land on one row (see
app.store.learners).

The value is ``{"t": token, "u": user id or null}`` signed by itsdangerous
(``URLSafeTimedSerializer``, salt ``mc-learner``, HMAC-SHA1 over a key derived from
``MC_SECRET_KEY``) and refused after ``MAX_AGE``. An edited, forged or expired cookie is
ignored and its sender is a new anonymous learner, never someone else. Cookies of the
earlier hand-rolled HMAC format (``token.id.signature``) do not verify either: their
holders start again as new anonymous learners.

Signing in puts the *account's* learner token in the cookie, with ``u`` set; ``u`` only
spares anonymous pages a database query, since an account is recognised only where the row
holding the token belongs to that user (app.web.accounts.current_account). Sign-out gives
the account's learner a new token, which ends every copy of its cookie (see
app.store.accounts). The cookie is HttpOnly, SameSite=Lax, and Secure on HTTPS requests.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import Settings

COOKIE = "mc_learner"
MAX_AGE = 60 * 60 * 24 * 365
SCOPE_KEY = "learner"
"""Where the middleware leaves the request's cookie in ``scope["state"]`` for the routes."""
SALT = "mc-learner"


@dataclass
class LearnerCookie:
    token: str
    learner_id: int | None = None
    """Always None: the row id that pre-token cookies carried is no longer honoured (those
    cookies do not verify under the itsdangerous format). Kept for app.store.learners."""
    changed: bool = False
    """True while the browser does not hold this cookie yet."""
    user_id: int | None = None
    """The account the cookie was issued for at sign-in; checked against the database."""
    secure: bool = False
    """The request came over HTTPS, so the cookie is sent back with ``Secure``."""


def over_https(scope: Scope, settings: Settings) -> bool:
    """The request came over HTTPS: the cookie gets ``Secure``, responses get HSTS.

    Either ``MC_HTTPS=1`` says every request does (a TLS proxy in front that does not
    forward the scheme), or the scheme says so (behind a trusted proxy, uvicorn's
    ``--proxy-headers`` with ``--forwarded-allow-ips`` sets it from ``X-Forwarded-Proto``)."""
    return settings.https or scope.get("scheme") == "https"


def new_learner(secure: bool = False) -> LearnerCookie:
    """A fresh anonymous learner, whose cookie the browser does not hold yet."""
    return LearnerCookie(secrets.token_hex(16), changed=True, secure=secure)


def secret_key(settings: Settings) -> bytes:
    """``settings.secret_key`` (``MC_SECRET_KEY``) if set, else a random key kept in
    ``secret_key`` in the data folder, the same for every worker process. In production
    create_app refuses to start without a long enough ``MC_SECRET_KEY``."""
    if settings.secret_key:
        return settings.secret_key.encode()
    return _stored_key(settings.data_dir)


@lru_cache(maxsize=32)
def _stored_key(folder: Path) -> bytes:
    data_dir = folder.resolve()
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


@lru_cache(maxsize=16)
def serializer(key: bytes, salt: str = SALT) -> URLSafeTimedSerializer:
    """One serializer per key and salt (it keeps no state between calls)."""
    return URLSafeTimedSerializer(key, salt=salt)


def parse_cookie(raw: str, key: bytes, secure: bool = False) -> LearnerCookie:
    """The learner a cookie value names, or a new anonymous one if it is missing or forged.

    >>> key = b"k" * 32
    >>> issued = cookie_value(LearnerCookie("ab12"), key)
    >>> parse_cookie(issued, key).token
    'ab12'
    >>> forged = serializer(b"x" * 32).dumps({"t": "ab12", "u": None})
    >>> parse_cookie(forged, key).token != "ab12"
    True
    >>> parse_cookie("ab12.0." + "0" * 32, key).changed  # the old HMAC format
    True
    """
    if raw:
        try:
            payload: Any = serializer(key).loads(raw, max_age=MAX_AGE)
        except BadSignature:  # SignatureExpired is one too
            payload = None
        if isinstance(payload, dict):
            token, user = payload.get("t"), payload.get("u")
            if isinstance(token, str) and 0 < len(token) <= 64:
                user_id = user if isinstance(user, int) and not isinstance(user, bool) else None
                return LearnerCookie(token, user_id=user_id, secure=secure)
    return new_learner(secure)


def cookie_value(cookie: LearnerCookie, key: bytes) -> str:
    return serializer(key).dumps({"t": cookie.token, "u": cookie.user_id})


def read_learner(request: Request, settings: Settings) -> LearnerCookie:
    """This request's learner: the one the middleware read, else read from the cookie."""
    state = request.scope.setdefault("state", {})
    found = state.get(SCOPE_KEY)
    if isinstance(found, LearnerCookie):
        return found
    secure = over_https(request.scope, settings)
    learner = parse_cookie(request.cookies.get(COOKIE, ""), secret_key(settings), secure)
    state[SCOPE_KEY] = learner  # one learner per request, however often it is asked for
    return learner


def replace_learner(request: Request, cookie: LearnerCookie) -> None:
    """Make ``cookie`` this request's learner (sign-in, sign-out); send it with write_learner
    or with the next HTML response."""
    cookie.changed = True
    request.scope.setdefault("state", {})[SCOPE_KEY] = cookie


def write_learner(response: Response, cookie: LearnerCookie, settings: Settings) -> None:
    """Send the cookie if the browser does not hold it yet (JSON responses call this)."""
    if not cookie.changed:
        return
    response.headers.append("set-cookie", _set_cookie_header(cookie, secret_key(settings)))
    cookie.changed = False


class LearnerCookieMiddleware:
    """Issues the learner cookie with the first HTML page a new visitor gets.

    The cookie is read (and its signature checked) only when something asks for the
    learner (read_learner) or an HTML page goes out, so /healthz, static files and other
    answers that need no learner pay nothing for it. Plain ASGI rather than
    BaseHTTPMiddleware: it only looks at headers, so responses stream through untouched.
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
        state = scope.setdefault("state", {})

        async def send_with_cookie(message: Message) -> None:
            if message["type"] != "http.response.start":
                await send(message)
                return
            # A scan of the raw headers: most responses are not HTML and need nothing more.
            if any(
                name == b"content-type" and value.startswith(b"text/html")
                for name, value in message.get("headers", ())
            ):
                headers = MutableHeaders(scope=message)
                # A route may have replaced the learner (sign-in): read it at response time.
                cookie = state.get(SCOPE_KEY)
                if not isinstance(cookie, LearnerCookie):
                    cookie = read_learner(Request(scope), self.settings)
                if cookie.changed:
                    headers.append("set-cookie", _set_cookie_header(cookie, key))
                    cookie.changed = False
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def install_learner_cookies(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(LearnerCookieMiddleware, settings=settings)


def _set_cookie_header(cookie: LearnerCookie, key: bytes) -> str:
    response = Response()
    response.set_cookie(
        COOKIE,
        cookie_value(cookie, key),
        max_age=MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=cookie.secure,
    )
    return response.headers["set-cookie"]
