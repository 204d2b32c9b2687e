"""Spaced review: one FSRS card per learner and problem, updated after every counted attempt.

Every counted attempt (a practice attempt or a quiz answer) reviews the learner's card for
that problem, in the attempt's own transaction (:func:`after_attempt`); the first attempt
creates the card. The answer becomes an FSRS rating:

- wrong: ``Again``;
- right, and the learner's previous attempt at the problem was right too, or there was
  none: ``Good``;
- right just after a miss (the previous attempt at the problem was wrong): ``Hard``.

``Easy`` is never given, whatever the problem's difficulty: one right answer does not show
that a problem is easy for someone, and FSRS grows the interval of a card answered right
again and again by itself.

The scheduler has one learning step and one relearning step of ten minutes, and no fuzz (so
a schedule is the same on every run): a miss is due ten minutes later, a problem right first
time (``Good``) moves straight to days, a problem right after a miss (``Hard``) comes back in
fifteen minutes. The *queue* is every card due within :data:`QUEUE_AHEAD` (ten minutes) from
now, most overdue first, so a problem just missed is in it at once, and leaves it once
answered right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fsrs import Card, Rating, Scheduler
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.store.models import Attempt, ReviewCard

QUEUE_AHEAD = timedelta(minutes=10)
"""How far ahead the queue looks: a card due within this is shown as due now."""
STEP = timedelta(minutes=10)

SCHEDULER = Scheduler(learning_steps=(STEP,), relearning_steps=(STEP,), enable_fuzzing=False)


def utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (SQLite hands back naive UTC datetimes)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def rating_for(correct: bool, previous_correct: bool | None) -> Rating:
    """The FSRS rating of an answer, given whether the attempt before it was right (None:
    this is the first attempt at the problem).

    >>> rating_for(False, None).name, rating_for(True, None).name
    ('Again', 'Good')
    >>> rating_for(True, False).name, rating_for(True, True).name
    ('Hard', 'Good')
    """
    if not correct:
        return Rating.Again
    return Rating.Hard if previous_correct is False else Rating.Good


def _previous_correct(session: Session, attempt: Attempt) -> bool | None:
    query = (
        select(Attempt.correct)
        .where(
            Attempt.learner_id == attempt.learner_id,
            Attempt.problem_id == attempt.problem_id,
            Attempt.id < attempt.id,
        )
        .order_by(Attempt.id.desc())
        .limit(1)
    )
    found = session.scalar(query)
    return None if found is None else bool(found)


def _insert_if_missing(session: Session, values: dict[str, Any]) -> None:
    """Insert the card row unless one exists: two first attempts at once (two tabs) make one
    row, the later one waiting for the earlier's transaction, then reviewing its card."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ReviewCard).values(**values)
    session.execute(statement.on_conflict_do_nothing(index_elements=["learner_id", "problem_id"]))


def after_attempt(session: Session, attempt: Attempt, now: datetime | None = None) -> ReviewCard:
    """Review the learner's card for the attempt's problem (created at the first attempt),
    in ``session``'s transaction: the caller commits the attempt and the card together.

    The attempt is flushed first, so on SQLite the transaction holds the write lock before
    the card is read, and on PostgreSQL the card row is read ``FOR UPDATE``: two attempts at
    once review the card one after the other, never over each other's result.
    """
    moment = utc(now or datetime.now(UTC))
    session.flush()
    fresh = Card(card_id=int(moment.timestamp() * 1000), due=moment)
    _insert_if_missing(
        session,
        {
            "learner_id": attempt.learner_id,
            "problem_id": attempt.problem_id,
            "card": dict(fresh.to_dict()),
            "due": moment,
            "updated_at": moment,
        },
    )
    row = session.scalars(
        select(ReviewCard)
        .where(
            ReviewCard.learner_id == attempt.learner_id,
            ReviewCard.problem_id == attempt.problem_id,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    card = Card.from_dict(row.card)  # type: ignore[arg-type]
    rating = rating_for(attempt.correct, _previous_correct(session, attempt))
    reviewed, _log = SCHEDULER.review_card(card, rating, review_datetime=moment)
    row.card = dict(reviewed.to_dict())
    row.due = utc(reviewed.due)
    row.updated_at = moment
    return row


@dataclass(frozen=True)
class DueCard:
    problem_id: str
    due: datetime


def queue(session: Session, learner_id: int | None, now: datetime | None = None) -> list[DueCard]:
    """The learner's cards due within :data:`QUEUE_AHEAD` of ``now``, most overdue first."""
    if learner_id is None:
        return []
    horizon = utc(now or datetime.now(UTC)) + QUEUE_AHEAD
    query = (
        select(ReviewCard.problem_id, ReviewCard.due)
        .where(ReviewCard.learner_id == learner_id, ReviewCard.due <= horizon)
        .order_by(ReviewCard.due, ReviewCard.id)
    )
    return [DueCard(problem_id, utc(due)) for problem_id, due in session.execute(query)]


def cards(session: Session, learner_id: int | None) -> list[ReviewCard]:
    """Every card of the learner, soonest due first."""
    if learner_id is None:
        return []
    query = select(ReviewCard).where(ReviewCard.learner_id == learner_id)
    return list(session.scalars(query.order_by(ReviewCard.due, ReviewCard.id)))
