"""Anonymous learners, known by a signed cookie.

The cookie holds a random token (which seeds the learner's problem variants, so a reload
shows the same numbers) and, once they have made an attempt, their ``learners`` row id.
It is signed with HMAC-SHA256 so it cannot be edited to read someone else's attempts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request, Response

from app.settings import Settings

COOKIE = "mc_learner"
MAX_AGE = 60 * 60 * 24 * 365


@dataclass
class LearnerCookie:
    token: str
    learner_id: int | None
    changed: bool = False


def secret_key(settings: Settings) -> bytes:
    """``settings.secret_key`` (``MC_SECRET_KEY``) if set, else a random key kept in
    ``data/secret_key``."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = Path(settings.data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip().encode()


def _signature(key: bytes, payload: str) -> str:
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()[:32]


def read_learner(request: Request, settings: Settings) -> LearnerCookie:
    raw = request.cookies.get(COOKIE, "")
    parts = raw.split(".")
    if len(parts) == 3:
        token, learner, signature = parts
        payload = f"{token}.{learner}"
        expected = _signature(secret_key(settings), payload)
        if hmac.compare_digest(signature, expected) and learner.isdigit():
            return LearnerCookie(token, int(learner) or None)
    return LearnerCookie(secrets.token_hex(16), None, changed=True)


def write_learner(response: Response, cookie: LearnerCookie, settings: Settings) -> None:
    if not cookie.changed:
        return
    payload = f"{cookie.token}.{cookie.learner_id or 0}"
    value = f"{payload}.{_signature(secret_key(settings), payload)}"
    response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="lax")
