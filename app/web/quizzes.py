"""Quiz takes: a lesson's quiz that keeps score, resumes after a reload and can be retaken.

A *take* is one go at a quiz. Its questions show the numbers of the take's own seed, so a
reload shows the same ones and a retake (a new take) fresh ones; its answers are graded
exactly as practice attempts are (``app.web.practice.run_attempt``), stored as attempts, and
each question of a take counts one answer: a second one is refused with a 409. Format errors
are not answers: they use nothing up. The API is described in docs/api.md.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.content.problems import Problem, ProblemLibrary, variant_seed
from app.grading.problem_grader import AttemptResult
from app.store import attempts as attempt_store
from app.store import quizzes as store
from app.store.learners import get_or_create_learner
from app.store.models import QuizTake
from app.web.accounts import CSRF_REFUSED, csrf_ok
from app.web.deps import (
    DbDep,
    LessonsDep,
    PoolDep,
    SessionFactoryDep,
    SettingsDep,
    TemplatesDep,
)
from app.web.learner import LearnerCookie, write_learner
from app.web.practice import (
    AttemptRequest,
    AttemptResponse,
    LearnerDep,
    LibraryDep,
    attempt_response,
    detail,
    learner_row,
    run_attempt,
)

router = APIRouter(tags=["quizzes"])

LessonPath = Annotated[str, Path(max_length=200, description="The lesson's slug.")]
TakePath = Annotated[int, Path(description="The take's id, as starting it returned.")]


def take_variant_seed(take_seed: str, problem_id: str) -> int:
    """The seed of a question's numbers within a take: stable for the take, new per take."""
    return variant_seed(f"quiz-take:{take_seed}", problem_id)


class TakeQuestion(BaseModel):
    problem: str = Field(description="The question's problem id.")
    answered: bool
    correct: bool | None = Field(description="Null until the question is answered.")


class TakeSummary(BaseModel):
    take: int = Field(description="The take's id.")
    lesson: str
    answered: int = Field(description="Questions of the take answered (counted answers).")
    correct: int = Field(description="Of those, answered correctly.")
    total: int = Field(description="Questions in the quiz.")
    finished: bool = Field(description="True once every question of the take is answered.")
    message: str = Field(
        description="The progress in words, as the quiz page shows it.",
        examples=["2 of 5 answered", "You scored 4 of 5"],
    )
    questions: list[TakeQuestion]


class TakeAnswerRequest(AttemptRequest):
    problem: str = Field(max_length=100, description="The id of the question answered.")


class TakeAnswerResponse(AttemptResponse):
    progress: TakeSummary = Field(description="The take after this answer.")


def summary_message(progress: store.TakeProgress) -> str:
    if progress.finished:
        return f"You scored {progress.correct} of {progress.total}"
    return f"{progress.answered} of {progress.total} answered"


def summary(lesson: str, questions: list[Problem], progress: store.TakeProgress) -> TakeSummary:
    answers = progress.answers
    return TakeSummary(
        take=progress.take,
        lesson=lesson,
        answered=progress.answered,
        correct=progress.correct,
        total=progress.total,
        finished=progress.finished,
        message=summary_message(progress),
        questions=[
            TakeQuestion(
                problem=p.id,
                answered=p.id in answers,
                correct=answers[p.id].correct if p.id in answers else None,
            )
            for p in questions
        ],
    )


def _quiz(library: ProblemLibrary, lesson: str) -> list[Problem]:
    questions = library.quiz(lesson)
    if not questions:
        raise HTTPException(status_code=404, detail=f"No quiz for {lesson!r}.")
    return questions


def _ids(questions: list[Problem]) -> list[str]:
    return [p.id for p in questions]


def _owned_take(db: Session, learner: LearnerCookie, lesson: str, take_id: int) -> QuizTake:
    take = store.find_take(db, learner_row(db, learner), lesson, take_id)
    if take is None:
        raise HTTPException(status_code=404, detail=f"You have no take {take_id} of this quiz.")
    return take


ALREADY_ANSWERED = (
    "This question is already answered in this take: one answer counts per question. "
    "Retake the quiz to answer it again."
)
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such quiz, or no such take of this learner's."}
}


@router.post(
    "/api/quizzes/{lesson}/takes",
    response_model=TakeSummary,
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND,
)
def start(
    lesson: LessonPath,
    library: LibraryDep,
    learner: LearnerDep,
    db: DbDep,
    response: Response,
    settings: SettingsDep,
) -> TakeSummary:
    """Start a new take of the lesson's quiz (a retake, if there was one before), with
    numbers of its own for every question with randomised parameters. Nothing answered."""
    questions = _quiz(library, lesson)
    learner_id = get_or_create_learner(db, learner.token, learner.learner_id)
    take = store.start_take(db, learner_id, lesson)
    write_learner(response, learner, settings)
    return summary(lesson, questions, store.progress(db, take, _ids(questions)))


@router.get("/api/quizzes/{lesson}/takes/latest", response_model=TakeSummary, responses=NOT_FOUND)
def latest(lesson: LessonPath, library: LibraryDep, learner: LearnerDep, db: DbDep) -> TakeSummary:
    """The learner's newest take of the quiz and its score; 404 before their first."""
    questions = _quiz(library, lesson)
    take = store.latest_take(db, learner_row(db, learner), lesson)
    if take is None:
        raise HTTPException(status_code=404, detail="You have not started this quiz yet.")
    return summary(lesson, questions, store.progress(db, take, _ids(questions)))


def _open_question(
    sessions: sessionmaker[Session],
    learner: LearnerCookie,
    lesson: str,
    take_id: int,
    problem_id: str,
) -> str:
    """The take's seed, once it is known to be this learner's and the question still open."""
    with sessions() as db:
        take = _owned_take(db, learner, lesson, take_id)
        if store.has_answer(db, take.id, problem_id):
            raise HTTPException(status_code=409, detail=ALREADY_ANSWERED)
        return take.seed


def _record(
    sessions: sessionmaker[Session],
    learner: LearnerCookie,
    lesson: str,
    take_id: int,
    questions: list[Problem],
    problem: Problem,
    body: TakeAnswerRequest,
    result: AttemptResult,
) -> tuple[TakeSummary, int]:
    """Store a counted answer against the take (refused if one beat it there); return the
    take's progress and the learner's count of attempts at the problem."""
    with sessions() as db:
        take = _owned_take(db, learner, lesson, take_id)
        if result.counted:
            answer = body.answer if body.lines is None else "\n".join(body.lines)
            try:
                store.record_answer(
                    db, take, problem.id, answer or "", result.correct, result.kinds
                )
            except store.AlreadyAnswered:
                raise HTTPException(status_code=409, detail=ALREADY_ANSWERED) from None
        progress = store.progress(db, take, _ids(questions))
        if progress.finished and take.finished_at is None:
            store.mark_finished(db, take.id)
        count = attempt_store.count_attempts(db, take.learner_id, problem.id)
        return summary(lesson, questions, progress), count


@router.post(
    "/api/quizzes/{lesson}/takes/{take}/answers",
    response_model=TakeAnswerResponse,
    responses={
        **NOT_FOUND,
        409: {"description": "The question already has its counted answer in this take."},
    },
)
async def answer(
    lesson: LessonPath,
    take: TakePath,
    body: TakeAnswerRequest,
    library: LibraryDep,
    learner: LearnerDep,
    sessions: SessionFactoryDep,
    pool: PoolDep,
) -> TakeAnswerResponse:
    """Answer one question of a take: graded as a practice attempt at the numbers the take
    shows, stored as an attempt and counted in the take's score. One counted answer per
    question per take (a second is a 409); a format error is not counted and uses nothing
    up. Only the take's learner may answer it (for anyone else it is a 404)."""
    questions = _quiz(library, lesson)
    problem = next((p for p in questions if p.id == body.problem), None)
    if problem is None:
        raise HTTPException(status_code=404, detail=f"No question {body.problem!r} in this quiz.")
    seed = await run_in_threadpool(_open_question, sessions, learner, lesson, take, problem.id)
    result = await run_attempt(pool, problem, body, learner, take_variant_seed(seed, problem.id))
    progress, count = await run_in_threadpool(
        _record, sessions, learner, lesson, take, questions, problem, body, result
    )
    graded = attempt_response(problem, result, count).model_dump()
    # The solution is offered once the question is answered in this take, not before.
    graded["solution_available"] = graded["solution_available"] and result.counted
    return TakeAnswerResponse(**graded, progress=progress)


@router.get("/practice/quiz/{lesson}", response_class=HTMLResponse, name="practice_quiz")
def quiz_page(
    request: Request,
    lesson: LessonPath,
    library: LibraryDep,
    lessons: LessonsDep,
    learner: LearnerDep,
    db: DbDep,
    templates: TemplatesDep,
    settings: SettingsDep,
) -> HTMLResponse:
    """The learner's latest take (finished or not), or a new one on their first visit: its
    numbers, its answered questions with their verdicts, and its score."""
    questions = _quiz(library, lesson)
    learner_id = get_or_create_learner(db, learner.token, learner.learner_id)
    take = store.latest_take(db, learner_id, lesson) or store.start_take(db, learner_id, lesson)
    progress = store.progress(db, take, _ids(questions))
    shown = [
        detail(p, learner, learner_id, db, seed=take_variant_seed(take.seed, p.id))
        for p in questions
    ]
    found = lessons.get(lesson)
    context = {
        "lesson": lesson,
        "lesson_title": found.title if found is not None else lesson,
        "questions": shown,
        "progress": summary(lesson, questions, progress),
        "answers": progress.answers,
    }
    page = templates.TemplateResponse(request, "practice/quiz.html", context)
    write_learner(page, learner, settings)
    return page


@router.post(
    "/practice/quiz/{lesson}/retake",
    name="practice_quiz_retake",
    response_class=RedirectResponse,
    status_code=status.HTTP_303_SEE_OTHER,
)
def retake(
    request: Request,
    lesson: LessonPath,
    library: LibraryDep,
    learner: LearnerDep,
    db: DbDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form(max_length=500)] = "",
) -> RedirectResponse:
    """The page's "Retake the quiz" button (a plain form): a new take, then the quiz page.
    Refused (403) without the page's CSRF token, so another site cannot start one."""
    if not csrf_ok(request, csrf):
        raise HTTPException(status_code=403, detail=CSRF_REFUSED)
    _quiz(library, lesson)
    learner_id = get_or_create_learner(db, learner.token, learner.learner_id)
    store.start_take(db, learner_id, lesson)
    redirect = RedirectResponse(f"/practice/quiz/{lesson}", status_code=303)
    write_learner(redirect, learner, settings)
    return redirect
