"""Accounts: creating them, checking passwords, merging progress, throttling sign-in.

Usernames are kept in lower case, so the unique ``users.username`` makes them unique
whatever the case, even when two sign-ups race (one of them gets IntegrityError: a 409).
Passwords are hashed with argon2-cffi's PasswordHasher; a hash made with older parameters
is replaced at the next successful sign-in.

Merging happens in one transaction (the caller commits): on sign-up the browser's anonymous
learner row becomes the account's learner; on sign-in its attempts, quiz takes and review
cards move to the account's learner (of two review cards for one problem, the one due
sooner stays) and the anonymous row is deleted.

Failed sign-ins are rows of ``sign_in_failures`` keyed ``user:NAME`` and ``ip:ADDRESS``, so
every app instance sharing the database sees the same counts.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from app.store.models import Attempt, Learner, QuizTake, ReviewCard, SignInFailure, User

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]+")
USERNAME_LENGTH = (3, 40)
PASSWORD_LENGTH = (8, 200)
ROLES = ("learner", "instructor")
WRONG_CREDENTIALS = "Wrong username or password."

Clock = Callable[[], datetime]

_hasher = PasswordHasher()
# Checked against when the username is unknown, so that case costs as much as a wrong
# password and the timing does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Account:
    user_id: int
    username: str
    role: str
    learner_id: int
    token: str


def username_problem(username: str) -> str | None:
    """Why ``username`` cannot be used, or None.

    >>> username_problem("ab")
    'A username needs at least 3 characters.'
    >>> username_problem("a b c")
    'Use only letters, digits, and the characters _ . - in a username.'
    >>> username_problem("Ada.L") is None
    True
    """
    low, high = USERNAME_LENGTH
    if len(username) < low:
        return f"A username needs at least {low} characters."
    if len(username) > high:
        return f"A username has at most {high} characters."
    if not USERNAME_PATTERN.fullmatch(username):
        return "Use only letters, digits, and the characters _ . - in a username."
    return None


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be used, or None.

    >>> password_problem("short")
    'A password needs at least 8 characters.'
    """
    low, high = PASSWORD_LENGTH
    if len(password) < low:
        return f"A password needs at least {low} characters."
    if len(password) > high:
        return f"A password has at most {high} characters."
    return None


def canonical(username: str) -> str:
    return username.strip().lower()


def find_user(session: Session, username: str) -> User | None:
    user: User | None = session.scalar(select(User).where(User.username == canonical(username)))
    return user


def username_taken(session: Session, username: str) -> bool:
    return find_user(session, username) is not None


def account_of(session: Session, token: str, user_id: int) -> Account | None:
    """The account whose learner holds ``token``, if that learner is ``user_id``'s."""
    row = session.execute(
        select(User, Learner)
        .join(Learner, Learner.user_id == User.id)
        .where(Learner.token == token, User.id == user_id)
    ).first()
    if row is None:
        return None
    user, learner = row
    return Account(user.id, user.username, user.role, learner.id, token)


def _learner_of_token(session: Session, token: str) -> Learner | None:
    learner: Learner | None = session.scalar(select(Learner).where(Learner.token == token))
    return learner


def create_account(session: Session, username: str, password: str, token: str) -> Account:
    """A new account that takes over the anonymous learner holding ``token`` (created if it
    has no row yet); that learner gets a new token, so a cookie planted before sign-up is
    not a way into the account. Raises IntegrityError if the username was just taken."""
    user = User(username=canonical(username), password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    learner = _learner_of_token(session, token)
    if learner is None or learner.user_id is not None:
        learner = Learner()
        session.add(learner)
    learner.token = secrets.token_hex(16)
    learner.user_id = user.id
    session.flush()
    return Account(user.id, user.username, user.role, learner.id, learner.token)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user if ``password`` is theirs (rehashing it if the hash is outdated), else None;
    as slow for an unknown username as for a wrong password."""
    user = find_user(session, username) if username_problem(canonical(username)) is None else None
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def sign_in_learner(session: Session, user: User, anonymous_token: str | None) -> Account:
    """The account's learner, with the progress of the anonymous learner holding
    ``anonymous_token`` (if any) moved into it; the caller commits."""
    learner: Learner | None = session.scalar(select(Learner).where(Learner.user_id == user.id))
    anonymous = _learner_of_token(session, anonymous_token) if anonymous_token else None
    if anonymous is not None and anonymous.user_id is not None:
        anonymous = None  # another account's learner: never merged
    if learner is None:
        if anonymous is not None:
            anonymous.user_id = user.id  # the anonymous learner becomes the account's
            anonymous.token = secrets.token_hex(16)
            session.flush()
            return Account(user.id, user.username, user.role, anonymous.id, anonymous.token)
        learner = Learner(token=secrets.token_hex(16), user_id=user.id)
        session.add(learner)
        session.flush()
    elif learner.token is None:  # a row from before tokens: give it one
        learner.token = secrets.token_hex(16)
    if anonymous is not None and has_progress(session, anonymous.id):
        merge_learners(session, anonymous.id, learner.id)
    assert learner.token is not None
    return Account(user.id, user.username, user.role, learner.id, learner.token)


def has_progress(session: Session, learner_id: int) -> bool:
    return any(
        session.scalar(select(exists().where(table.learner_id == learner_id)))
        for table in (Attempt, QuizTake, ReviewCard)
    )


def merge_learners(session: Session, source_id: int, target_id: int) -> None:
    """Move ``source_id``'s attempts, quiz takes and review cards to ``target_id`` and
    delete the source row. Of two review cards for one problem, the one due sooner stays."""
    source_cards = session.scalars(select(ReviewCard).where(ReviewCard.learner_id == source_id))
    target_cards = {
        card.problem_id: card
        for card in session.scalars(select(ReviewCard).where(ReviewCard.learner_id == target_id))
    }
    for card in list(source_cards):
        kept = target_cards.get(card.problem_id)
        if kept is None:
            continue
        if _aware(card.due) < _aware(kept.due):
            session.delete(kept)
        else:
            session.delete(card)
    session.flush()  # the losing cards go before the unique (learner, problem) moves
    for table in (Attempt, QuizTake, ReviewCard):
        session.execute(
            update(table).where(table.learner_id == source_id).values(learner_id=target_id)
        )
    session.execute(delete(Learner).where(Learner.id == source_id))


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; they are stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def sign_out(session: Session, account: Account) -> None:
    """Give the account's learner a new token: every cookie naming the old one stops
    working, on this browser and on any other. The caller commits."""
    session.execute(
        update(Learner).where(Learner.id == account.learner_id).values(token=secrets.token_hex(16))
    )


def set_role(session: Session, username: str, role: str) -> bool:
    """Give ``username`` the role; False if there is no such user. The caller commits."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    user = find_user(session, username)
    if user is None:
        return False
    user.role = role
    return True


# Sign-in throttling ---------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    window: timedelta
    per_account: int
    per_address: int


def failure_keys(username: str, address: str) -> tuple[str, str]:
    return f"user:{canonical(username)[:100]}", f"ip:{address[:100]}"


def retry_after(
    session: Session, username: str, address: str, limits: Limits, now: datetime
) -> int:
    """Seconds until sign-in may be tried again for this username and address; 0 if now."""
    since = now - limits.window
    waits = []
    for key, limit in zip(
        failure_keys(username, address), (limits.per_account, limits.per_address), strict=True
    ):
        times = session.scalars(
            select(SignInFailure.at)
            .where(SignInFailure.key == key, SignInFailure.at > since)
            .order_by(SignInFailure.at.desc())
            .limit(limit)
        ).all()
        if len(times) >= limit:
            # Allowed again once the oldest of the last ``limit`` failures leaves the window.
            free_at = _aware(times[-1]) + limits.window
            waits.append(max(1, int((free_at - now).total_seconds() + 0.999)))
    return max(waits, default=0)


def record_failure(
    session: Session, username: str, address: str, limits: Limits, now: datetime
) -> None:
    """Count one failed sign-in against the username and the address; failures older than
    the window are dropped, so the table stays small. The caller commits."""
    keys = failure_keys(username, address)
    session.execute(delete(SignInFailure).where(SignInFailure.at <= now - limits.window))
    session.add_all(SignInFailure(key=key, at=now) for key in keys)


def clear_failures(session: Session, username: str) -> None:
    """A successful sign-in forgets the account's failures (not the address's)."""
    key, _ = failure_keys(username, "")
    session.execute(delete(SignInFailure).where(SignInFailure.key == key))
