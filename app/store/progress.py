"""A learner's progress, computed from their stored attempts, quiz takes and review cards.

Definitions (also in docs/api.md):

- **completed** (per lesson): solved / total over the lesson's practice problems, where a
  problem is solved once any attempt at it was right; a lesson is *done* at 1.
- **mastery** (per lesson): the share of its practice problems whose *latest* attempt is
  right, each weighted by its difficulty (1 to 3; a problem without one weighs 1):
  ``sum(difficulty of problems whose latest attempt is right) / sum(difficulty of all)``.
  An unattempted problem counts as not right, so a later miss lowers mastery again.
- **skill mastery**: ``right / (right + wrong)`` over every counted attempt (practice and
  quiz) at a problem tagged with the skill. A wrong attempt also counts against the skill
  its diagnosed mistake names (:data:`MISTAKE_SKILLS`: a transposed answer against
  ``layout``, a wrong shape against ``shapes``, an unsymmetrised one against ``symmetric``),
  once per attempt and skill, even when the problem is not tagged with it.
- **streak**: the number of consecutive UTC days with at least one counted attempt, ending
  today or yesterday (a learner who practised yesterday has not lost the streak yet); 0
  otherwise.
- **quizzes**: per lesson, the latest take's correct / total and whether it is finished.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.content.lessons import LessonLibrary
from app.content.problems import Problem, ProblemLibrary
from app.store import quizzes
from app.store.models import Attempt, Learner, QuizAnswer, QuizTake, ReviewCard, User
from app.store.review import DueCard, queue, utc

MISTAKE_SKILLS: dict[str, str] = {
    "transpose": "layout",
    "shape": "shapes",
    "symmetric_only": "symmetric",
    "not_symmetrised": "symmetric",
}
"""Diagnosed mistakes (feedback kinds of a wrong attempt) and the skill each counts against."""


@dataclass(frozen=True)
class AttemptRow:
    problem_id: str
    correct: bool
    feedback_kinds: list[str]
    created_at: datetime


@dataclass(frozen=True)
class LessonProgress:
    slug: str
    title: str
    solved: int
    total: int
    completed: float
    mastery: float
    solved_ids: frozenset[str] = field(default_factory=frozenset)

    @property
    def done(self) -> bool:
        return self.total > 0 and self.solved == self.total


@dataclass(frozen=True)
class SkillProgress:
    skill: str
    right: int
    wrong: int

    @property
    def mastery(self) -> float:
        return self.right / (self.right + self.wrong)


@dataclass(frozen=True)
class QuizScore:
    lesson: str
    title: str
    take: int
    correct: int
    answered: int
    total: int
    finished: bool


@dataclass(frozen=True)
class Progress:
    lessons: list[LessonProgress]
    skills: list[SkillProgress]
    attempts: int
    streak: int
    quizzes: list[QuizScore]
    review: list[DueCard]


def attempts_of(session: Session, learner_id: int | None) -> list[AttemptRow]:
    """The learner's counted attempts, oldest first."""
    if learner_id is None:
        return []
    query = (
        select(Attempt.problem_id, Attempt.correct, Attempt.feedback_kinds, Attempt.created_at)
        .where(Attempt.learner_id == learner_id)
        .order_by(Attempt.id)
    )
    return [
        AttemptRow(problem_id, bool(correct), list(kinds or []), utc(created_at))
        for problem_id, correct, kinds, created_at in session.execute(query)
    ]


def _ratio(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def lesson_progress(
    slug: str, title: str, problems: list[Problem], attempts: Iterable[AttemptRow]
) -> LessonProgress:
    ids = {p.id for p in problems}
    solved: set[str] = set()
    latest: dict[str, bool] = {}
    for row in attempts:  # oldest first: the last one seen is the latest
        if row.problem_id in ids:
            latest[row.problem_id] = row.correct
            if row.correct:
                solved.add(row.problem_id)
    weights = {p.id: p.difficulty or 1 for p in problems}
    right = sum(w for pid, w in weights.items() if latest.get(pid))
    return LessonProgress(
        slug=slug,
        title=title,
        solved=len(solved),
        total=len(ids),
        completed=_ratio(len(solved), len(ids)),
        mastery=_ratio(right, sum(weights.values())),
        solved_ids=frozenset(solved),
    )


def skill_progress(library: ProblemLibrary, attempts: Iterable[AttemptRow]) -> list[SkillProgress]:
    """Skills with at least one counted attempt, by name (see the module's definitions)."""
    right: dict[str, int] = defaultdict(int)
    wrong: dict[str, int] = defaultdict(int)
    for row in attempts:
        problem = library.get(row.problem_id)
        if problem is None:  # a problem since removed from the content
            continue
        if row.correct:
            for skill in set(problem.skills):
                right[skill] += 1
            continue
        against = set(problem.skills)
        against |= {MISTAKE_SKILLS[k] for k in row.feedback_kinds if k in MISTAKE_SKILLS}
        for skill in against:
            wrong[skill] += 1
    return [SkillProgress(s, right[s], wrong[s]) for s in sorted(set(right) | set(wrong))]


def streak(days: Iterable[date], today: date) -> int:
    """Consecutive days with an attempt, ending today or yesterday.

    >>> d = date(2026, 3, 10)
    >>> streak([d, d - timedelta(1), d - timedelta(2), d - timedelta(5)], d)
    3
    >>> streak([d - timedelta(1), d - timedelta(2)], d), streak([d - timedelta(2)], d)
    (2, 0)
    """
    active = set(days)
    end = today if today in active else today - timedelta(days=1)
    count = 0
    while end - timedelta(days=count) in active:
        count += 1
    return count


def quiz_scores(
    session: Session, learner_id: int | None, lessons: LessonLibrary, library: ProblemLibrary
) -> list[QuizScore]:
    """The latest take of every quiz the learner started, in lesson order."""
    scores = []
    for lesson in lessons.all():
        questions = [p.id for p in library.quiz(lesson.slug)]
        take = quizzes.latest_take(session, learner_id, lesson.slug) if questions else None
        if take is None:
            continue
        done = quizzes.progress(session, take, questions)
        scores.append(
            QuizScore(
                lesson.slug,
                lesson.title,
                take.id,
                done.correct,
                done.answered,
                done.total,
                done.finished,
            )
        )
    return scores


def progress(
    session: Session,
    learner_id: int | None,
    lessons: LessonLibrary,
    library: ProblemLibrary,
    now: datetime,
) -> Progress:
    """Everything the progress page and ``GET /api/progress`` show, at time ``now`` (UTC)."""
    rows = attempts_of(session, learner_id)
    per_lesson = [
        lesson_progress(lesson.slug, lesson.title, problems, rows)
        for lesson in lessons.all()
        if (problems := library.for_lesson(lesson.slug))
    ]
    due = progress_queue(session, learner_id, library, now)
    return Progress(
        lessons=per_lesson,
        skills=skill_progress(library, rows),
        attempts=len(rows),
        streak=streak((row.created_at.date() for row in rows), utc(now).date()),
        quizzes=quiz_scores(session, learner_id, lessons, library),
        review=due,
    )


def progress_queue(
    session: Session, learner_id: int | None, library: ProblemLibrary, now: datetime
) -> list[DueCard]:
    """The review queue, without problems since removed from the content."""
    return [card for card in queue(session, learner_id, now) if library.get(card.problem_id)]


def solved_ids(session: Session, learner_id: int | None) -> set[str]:
    """The problems the learner has answered right at least once."""
    if learner_id is None:
        return set()
    query = select(Attempt.problem_id).where(Attempt.learner_id == learner_id, Attempt.correct)
    return set(session.scalars(query.distinct()))


def _iso(moment: datetime | None) -> str | None:
    return utc(moment).isoformat() if moment is not None else None


def export(session: Session, learner_id: int | None, now: datetime) -> dict[str, object]:
    """Everything stored about the learner, as JSON-ready data."""
    learner = session.get(Learner, learner_id) if learner_id is not None else None
    user = session.get(User, learner.user_id) if learner and learner.user_id else None
    if learner is None:
        return {
            "exported_at": _iso(now),
            "learner": None,
            "account": None,
            "attempts": [],
            "quiz_takes": [],
            "review_cards": [],
        }
    attempts = session.scalars(
        select(Attempt).where(Attempt.learner_id == learner.id).order_by(Attempt.id)
    )
    takes = list(
        session.scalars(
            select(QuizTake).where(QuizTake.learner_id == learner.id).order_by(QuizTake.id)
        )
    )
    answers: dict[int, list[QuizAnswer]] = defaultdict(list)
    if takes:
        found = session.scalars(
            select(QuizAnswer)
            .where(QuizAnswer.take_id.in_([t.id for t in takes]))
            .order_by(QuizAnswer.id)
        )
        for answer in found:
            answers[answer.take_id].append(answer)
    cards = session.scalars(
        select(ReviewCard).where(ReviewCard.learner_id == learner.id).order_by(ReviewCard.id)
    )
    return {
        "exported_at": _iso(now),
        "learner": {"id": learner.id, "created_at": _iso(learner.created_at)},
        "account": (
            {"username": user.username, "role": user.role, "created_at": _iso(user.created_at)}
            if user is not None
            else None
        ),
        "attempts": [
            {
                "id": a.id,
                "problem": a.problem_id,
                "answer": a.answer,
                "correct": a.correct,
                "feedback_kinds": list(a.feedback_kinds or []),
                "created_at": _iso(a.created_at),
            }
            for a in attempts
        ],
        "quiz_takes": [
            {
                "id": t.id,
                "lesson": t.lesson,
                "started_at": _iso(t.started_at),
                "finished_at": _iso(t.finished_at),
                "answers": [
                    {
                        "problem": a.problem_id,
                        "correct": a.correct,
                        "attempt": a.attempt_id,
                        "answered_at": _iso(a.answered_at),
                    }
                    for a in answers[t.id]
                ],
            }
            for t in takes
        ],
        "review_cards": [
            {
                "problem": c.problem_id,
                "due": _iso(c.due),
                "updated_at": _iso(c.updated_at),
                "card": c.card,
            }
            for c in cards
        ],
    }


def delete_learner(session: Session, learner_id: int) -> None:
    """Delete the learner's attempts, quiz takes and answers, review cards and row, and the
    account the learner belongs to, if any; committed. Explicit deletes, child tables first,
    because SQLite does not enforce the foreign keys' ``ON DELETE CASCADE`` here."""
    learner = session.get(Learner, learner_id)
    if learner is None:
        return
    user_id = learner.user_id
    takes = select(QuizTake.id).where(QuizTake.learner_id == learner_id)
    session.execute(delete(QuizAnswer).where(QuizAnswer.take_id.in_(takes)))
    session.execute(delete(QuizTake).where(QuizTake.learner_id == learner_id))
    session.execute(delete(ReviewCard).where(ReviewCard.learner_id == learner_id))
    session.execute(delete(Attempt).where(Attempt.learner_id == learner_id))
    session.execute(delete(Learner).where(Learner.id == learner_id))
    if user_id is not None:
        session.execute(delete(User).where(User.id == user_id))
    session.commit()


def next_problem(
    problem: Problem, library: ProblemLibrary, lessons: LessonLibrary
) -> Problem | None:
    """The practice problem after ``problem``: the next of its lesson by difficulty (file
    order among equals), else the first of the next lesson that has practice problems;
    None after the last one, and for a quiz question."""
    if problem.role != "practice":
        return None
    own = sorted(library.for_lesson(problem.lesson), key=lambda p: p.difficulty or 1)
    ids = [p.id for p in own]
    if problem.id in ids and ids.index(problem.id) + 1 < len(own):
        return own[ids.index(problem.id) + 1]
    slugs = [lesson.slug for lesson in lessons.all()]
    if problem.lesson not in slugs:
        return None
    for slug in slugs[slugs.index(problem.lesson) + 1 :]:
        following = sorted(library.for_lesson(slug), key=lambda p: p.difficulty or 1)
        if following:
            return following[0]
    return None
