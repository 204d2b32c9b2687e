"""Queries on quiz takes: starting one, finding a learner's, recording and scoring answers.

A take is one go at a lesson's quiz. Each question of a take has at most one counted answer:
``quiz_answers`` is unique on (take, question), so a second answer, even one sent at the
same moment from another tab, is refused by the database rather than counted.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.store import review
from app.store.attempts import record_attempt
from app.store.models import Attempt, QuizAnswer, QuizTake

MAX_ID = 2**31 - 1
"""The largest id an ``Integer`` primary key holds on PostgreSQL."""


class AlreadyAnswered(Exception):
    """The question already has its counted answer in this take."""


@dataclass(frozen=True)
class RecordedAnswer:
    problem_id: str
    correct: bool
    answer: str
    """What the learner sent (derivation lines joined by newlines)."""


@dataclass(frozen=True)
class TakeProgress:
    take: int
    answered: int
    correct: int
    total: int
    finished: bool
    answers: dict[str, RecordedAnswer] = field(default_factory=dict)
    """By question id: the take's counted answers to the quiz's current questions."""


def start_take(session: Session, learner_id: int, lesson: str) -> QuizTake:
    """A new take with a fresh random seed, committed."""
    take = QuizTake(learner_id=learner_id, lesson=lesson, seed=secrets.token_hex(16))
    session.add(take)
    session.commit()
    return take


def latest_take(session: Session, learner_id: int | None, lesson: str) -> QuizTake | None:
    """The learner's newest take of ``lesson``'s quiz (ids only grow: newest is largest)."""
    if learner_id is None:
        return None
    query = (
        select(QuizTake)
        .where(QuizTake.learner_id == learner_id, QuizTake.lesson == lesson)
        .order_by(QuizTake.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def find_take(
    session: Session, learner_id: int | None, lesson: str, take_id: int
) -> QuizTake | None:
    """Take ``take_id`` if it is this learner's and of this lesson, else None."""
    if learner_id is None or not 1 <= take_id <= MAX_ID:
        return None  # an id no row can have (the database would refuse to compare it)
    take = session.get(QuizTake, take_id)
    if take is None or take.learner_id != learner_id or take.lesson != lesson:
        return None
    return take


def recorded_answers(session: Session, take_id: int) -> dict[str, RecordedAnswer]:
    query = (
        select(QuizAnswer.problem_id, QuizAnswer.correct, Attempt.answer)
        .join(Attempt, Attempt.id == QuizAnswer.attempt_id)
        .where(QuizAnswer.take_id == take_id)
    )
    return {
        problem_id: RecordedAnswer(problem_id, bool(correct), answer)
        for problem_id, correct, answer in session.execute(query)
    }


def has_answer(session: Session, take_id: int, problem_id: str) -> bool:
    query = select(QuizAnswer.id).where(
        QuizAnswer.take_id == take_id, QuizAnswer.problem_id == problem_id
    )
    return session.scalar(query.limit(1)) is not None


def progress(session: Session, take: QuizTake, question_ids: Sequence[str]) -> TakeProgress:
    """The take's score against the quiz's questions as they are now."""
    questions = set(question_ids)
    answers = {k: v for k, v in recorded_answers(session, take.id).items() if k in questions}
    total = len(questions)
    return TakeProgress(
        take=take.id,
        answered=len(answers),
        correct=sum(a.correct for a in answers.values()),
        total=total,
        finished=total > 0 and len(answers) >= total,
        answers=answers,
    )


def record_answer(
    session: Session,
    take: QuizTake,
    problem_id: str,
    answer: str,
    correct: bool,
    feedback_kinds: list[str],
) -> None:
    """Store the counted attempt and tie it to the take, in one transaction; raise
    AlreadyAnswered (storing nothing) if the question has its answer in this take."""
    attempt = record_attempt(session, take.learner_id, problem_id, answer, correct, feedback_kinds)
    try:
        session.flush()
        review.after_attempt(session, attempt)  # the learner's review card, same commit
        session.add(
            QuizAnswer(
                take_id=take.id, problem_id=problem_id, attempt_id=attempt.id, correct=correct
            )
        )
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise AlreadyAnswered(problem_id) from error


def mark_finished(session: Session, take_id: int) -> None:
    """Note when the take was finished (once: a later call leaves the first time)."""
    session.execute(
        update(QuizTake)
        .where(QuizTake.id == take_id, QuizTake.finished_at.is_(None))
        .values(finished_at=func.now())
    )
    session.commit()
