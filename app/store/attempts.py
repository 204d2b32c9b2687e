"""Queries on learners' attempts (learners themselves: app.store.learners)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.store.models import Attempt


def record_attempt(
    session: Session,
    learner_id: int,
    problem_id: str,
    answer: str,
    correct: bool,
    feedback_kinds: list[str],
) -> Attempt:
    """Add the attempt to ``session`` (committed by the caller) and return it."""
    attempt = Attempt(
        learner_id=learner_id,
        problem_id=problem_id,
        answer=answer,
        correct=correct,
        feedback_kinds=feedback_kinds,
    )
    session.add(attempt)
    return attempt


def count_attempts(session: Session, learner_id: int | None, problem_id: str) -> int:
    if learner_id is None:
        return 0
    query = select(func.count(Attempt.id)).where(
        Attempt.learner_id == learner_id, Attempt.problem_id == problem_id
    )
    return int(session.scalar(query) or 0)


def has_solved(session: Session, learner_id: int | None, problem_id: str) -> bool:
    if learner_id is None:
        return False
    query = select(Attempt.id).where(
        Attempt.learner_id == learner_id, Attempt.problem_id == problem_id, Attempt.correct
    )
    return session.scalar(query.limit(1)) is not None
