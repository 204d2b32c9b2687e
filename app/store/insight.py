"""What the class does with each problem, for instructors (app.web.insight).

Per problem, over attempts in a date range: attempts, distinct learners, the share that
were right, the median number of attempts a learner needed up to their first right one,
the most frequent distinct wrong texts (grouped by meaning later, in a maths worker), and
how often each diagnosis kind (``Attempt.feedback_kinds``) was given. Everything is
aggregated in SQL, so the rows read are per problem, learner or distinct text, never per
attempt; it runs the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Integer, String, and_, cast, func, select
from sqlalchemy.orm import Session

from app.grading.answer_groups import MAX_TEXTS
from app.store.models import Attempt


@dataclass
class ProblemInsight:
    problem_id: str
    attempts: int
    learners: int
    correct: int
    median_to_first_success: float | None
    """Median over the learners who got it right of their attempts up to the first right."""
    wrong_texts: list[tuple[str, int]] = field(default_factory=list)
    """Distinct wrong answers and how often each was given, most frequent first."""
    feedback_kinds: Counter[str] = field(default_factory=Counter)

    @property
    def success_rate(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0


@dataclass(frozen=True)
class Period:
    """Days from ``start`` to ``end``, both included (UTC); None is unbounded."""

    start: date | None = None
    end: date | None = None

    def conditions(self) -> list[Any]:
        found: list[Any] = []
        if self.start is not None:
            found.append(Attempt.created_at >= _midnight(self.start))
        if self.end is not None:
            found.append(Attempt.created_at < _midnight(self.end + timedelta(days=1)))
        return found


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def problem_insight(session: Session, period: Period = Period()) -> list[ProblemInsight]:
    """One entry per problem with attempts in ``period``, by problem id."""
    where = period.conditions()
    found: dict[str, ProblemInsight] = {}
    totals = session.execute(
        select(
            Attempt.problem_id,
            func.count(Attempt.id),
            func.count(func.distinct(Attempt.learner_id)),
            func.sum(cast(Attempt.correct, Integer)),
        )
        .where(*where)
        .group_by(Attempt.problem_id)
    )
    for problem_id, attempts, learners, correct in totals:
        found[problem_id] = ProblemInsight(
            problem_id, int(attempts), int(learners), int(correct or 0), None
        )
    for problem_id, counts in _attempts_to_first_success(session, where).items():
        found[problem_id].median_to_first_success = float(statistics.median(counts))
    for problem_id, texts in _wrong_texts(session, where).items():
        found[problem_id].wrong_texts = texts
    kinds = session.execute(
        select(Attempt.problem_id, cast(Attempt.feedback_kinds, String), func.count(Attempt.id))
        .where(*where)
        .group_by(Attempt.problem_id, cast(Attempt.feedback_kinds, String))
    )
    for problem_id, listed, count in kinds:
        for kind in json.loads(listed or "[]"):
            if kind != "correct":
                found[problem_id].feedback_kinds[str(kind)] += int(count)
    return [found[key] for key in sorted(found)]


def _attempts_to_first_success(session: Session, where: list[Any]) -> dict[str, list[int]]:
    """Per problem, each successful learner's attempts up to and including the first right
    one (attempt ids grow with time, so the first right one is the smallest id)."""
    first = (
        select(
            Attempt.learner_id.label("learner_id"),
            Attempt.problem_id.label("problem_id"),
            func.min(Attempt.id).label("first_id"),
        )
        .where(Attempt.correct, *where)
        .group_by(Attempt.learner_id, Attempt.problem_id)
        .subquery()
    )
    rows = session.execute(
        select(first.c.problem_id, func.count(Attempt.id))
        .join(
            first,
            and_(
                Attempt.learner_id == first.c.learner_id,
                Attempt.problem_id == first.c.problem_id,
                Attempt.id <= first.c.first_id,
            ),
        )
        .where(*where)
        .group_by(first.c.problem_id, first.c.learner_id)
    )
    found: dict[str, list[int]] = {}
    for problem_id, count in rows:
        found.setdefault(problem_id, []).append(int(count))
    return found


def _wrong_texts(session: Session, where: list[Any]) -> dict[str, list[tuple[str, int]]]:
    """Per problem, its MAX_TEXTS most frequent distinct wrong texts with their counts."""
    count = func.count(Attempt.id)
    rows = session.execute(
        select(Attempt.problem_id, Attempt.answer, count)
        .where(Attempt.correct.is_(False), *where)
        .group_by(Attempt.problem_id, Attempt.answer)
        .order_by(Attempt.problem_id, count.desc(), Attempt.answer)
    )
    found: dict[str, list[tuple[str, int]]] = {}
    for problem_id, answer, times in rows:
        texts = found.setdefault(problem_id, [])
        if len(texts) < MAX_TEXTS:
            texts.append((answer, int(times)))
    return found
