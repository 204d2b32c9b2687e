"""Finding a learner by their cookie's token, and creating them once.

A learner's first page view gives them a token; their first counted attempt creates their
row. Several first attempts can arrive at once (two tabs, a quick double submit, two
uvicorn workers), so creation relies on the unique ``learners.token``: whichever insert
loses the race reads the winner's row instead, and every request lands on one learner.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.store.models import Learner


def find_learner(session: Session, token: str, legacy_id: int | None = None) -> int | None:
    """The id of the learner holding ``token``, or None before their first attempt.

    ``legacy_id`` is the row id that cookies issued before tokens were stored carry; it is
    honoured only for a row with no token of its own, so a cookie can never reach a row
    that belongs to another token (after a database reset, say).
    """
    if legacy_id is not None:
        row = session.get(Learner, legacy_id)
        if row is not None and row.token is None:
            return row.id
    found: int | None = session.scalar(select(Learner.id).where(Learner.token == token))
    return found


def get_or_create_learner(session: Session, token: str, legacy_id: int | None = None) -> int:
    """The learner holding ``token``, created (and committed) if there is none yet."""
    found = find_learner(session, token, legacy_id)
    if found is not None:
        return found
    learner = Learner(token=token)
    session.add(learner)
    try:
        session.commit()
    except IntegrityError:
        # Another request created this token's row between our read and our insert.
        session.rollback()
        winner = find_learner(session, token)
        if winner is None:
            raise
        return winner
    return learner.id
