"""Progress: the learner's lessons, skills, streak, quiz scores and review queue.

``GET /api/progress`` and the ``/progress`` page show what app.store.progress computes from
the stored attempts (its docstring defines completion, mastery and the streak); the review
queue is app.store.review's. ``GET /api/review/next`` is the most overdue problem of the
queue, or ``{"problem": null, ...}`` (still a 200) when nothing is due. The learner can
download everything stored about them (``GET /api/progress/export``) and delete it
(``DELETE /api/progress``, or the page's confirmed form, ``POST /progress/delete``, which
carries the CSRF token of app.web.accounts), which also deletes the account their progress
belongs to and clears their cookie. A cross-site page cannot send the DELETE (it would need a
CORS preflight, never granted) nor the form's token.

The current time comes from ``app.state.clock`` when a test sets one (a callable returning an
aware UTC datetime), else the system clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from app.content.problems import ProblemLibrary
from app.store import progress as store
from app.store.progress import QuizScore
from app.store.review import DueCard
from app.web.accounts import csrf_ok
from app.web.deps import DbDep, LessonsDep, TemplatesDep
from app.web.learner import COOKIE
from app.web.practice import LearnerDep, LibraryDep, learner_row

router = APIRouter(tags=["progress"])
CSRF_REFUSED = "This form has expired or came from another site: reload the page and try again."


def get_now(request: Request) -> datetime:
    clock: Callable[[], datetime] | None = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


NowDep = Annotated[datetime, Depends(get_now)]


class LessonModel(BaseModel):
    slug: str
    title: str
    completed: float = Field(description="Solved / total of the lesson's practice problems.")
    mastery: float = Field(
        description="Difficulty-weighted share of its practice problems whose latest "
        "attempt is right."
    )
    solved: int
    total: int
    done: bool = Field(description="Every practice problem of the lesson solved.")


class SkillModel(BaseModel):
    skill: str
    mastery: float = Field(description="right / (right + wrong) over attempts at the skill.")
    right: int
    wrong: int


class DueModel(BaseModel):
    problem: str
    due: datetime
    title: str
    lesson: str
    url: str


class ProgressResponse(BaseModel):
    lessons: list[LessonModel]
    skills: list[SkillModel]
    attempts: int = Field(description="Counted attempts, practice and quiz.")
    review: list[DueModel] = Field(description="The review queue, most overdue first.")
    streak: int = Field(description="Consecutive UTC days with a counted attempt.")
    quizzes: list[QuizScore] = Field(description="The latest take of each quiz started.")


class NextReview(BaseModel):
    problem: str | None = Field(description="Null when nothing is due.")
    due: datetime | None
    lesson: str | None
    url: str | None
    title: str | None = None


def _due(card: DueCard, library: ProblemLibrary) -> DueModel:
    problem = library.get(card.problem_id)
    return DueModel(
        problem=card.problem_id,
        due=card.due,
        title=problem.title if problem else card.problem_id,
        lesson=problem.lesson if problem else "",
        url=f"/practice/{card.problem_id}",
    )


def progress_response(found: store.Progress, library: ProblemLibrary) -> ProgressResponse:
    return ProgressResponse(
        lessons=[
            LessonModel(
                slug=p.slug,
                title=p.title,
                completed=p.completed,
                mastery=p.mastery,
                solved=p.solved,
                total=p.total,
                done=p.done,
            )
            for p in found.lessons
        ],
        skills=[
            SkillModel(skill=s.skill, mastery=round(s.mastery, 4), right=s.right, wrong=s.wrong)
            for s in found.skills
        ],
        attempts=found.attempts,
        review=[_due(card, library) for card in found.review],
        streak=found.streak,
        quizzes=found.quizzes,
    )


@router.get("/api/progress", response_model=ProgressResponse)
def get_progress(
    db: DbDep, learner: LearnerDep, lessons: LessonsDep, library: LibraryDep, now: NowDep
) -> ProgressResponse:
    """The learner's progress, computed from their counted attempts (all zero for a new
    learner): per lesson, per skill, the streak, quiz scores and the review queue."""
    found = store.progress(db, learner_row(db, learner), lessons, library, now)
    return progress_response(found, library)


@router.get("/api/review/next", response_model=NextReview)
def next_review(db: DbDep, learner: LearnerDep, library: LibraryDep, now: NowDep) -> NextReview:
    """The most overdue problem of the review queue (a problem just missed is in it at
    once); every field null when nothing is due."""
    found = store.progress_queue(db, learner_row(db, learner), library, now)
    if not found:
        return NextReview(problem=None, due=None, lesson=None, url=None)
    first = _due(found[0], library)
    return NextReview(
        problem=first.problem, due=first.due, lesson=first.lesson, url=first.url, title=first.title
    )


@router.get("/api/progress/export")
def export(db: DbDep, learner: LearnerDep, now: NowDep) -> Response:
    """Everything stored about the learner, as a JSON download."""
    data = store.export(db, learner_row(db, learner), now)
    stamp = now.strftime("%Y%m%d")
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="matrix-calculus-progress-{stamp}.json"',
            "Cache-Control": "no-store",
        },
    )


def _forget(db: DbDep, learner: LearnerDep, response: Response) -> None:
    learner_id = learner_row(db, learner)
    if learner_id is not None:
        store.delete_learner(db, learner_id)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")


@router.delete("/api/progress", status_code=status.HTTP_204_NO_CONTENT)
def delete_progress(db: DbDep, learner: LearnerDep) -> Response:
    """Delete the learner's attempts, quiz takes, review cards and learner row (and the
    account they belong to); the cookie is cleared, so the next visit is a new learner."""
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _forget(db, learner, response)
    return response


@router.get("/progress", response_class=HTMLResponse, name="progress_page")
def progress_page(
    request: Request,
    db: DbDep,
    learner: LearnerDep,
    lessons: LessonsDep,
    library: LibraryDep,
    templates: TemplatesDep,
    now: NowDep,
) -> HTMLResponse:
    found = progress_response(
        store.progress(db, learner_row(db, learner), lessons, library, now), library
    )
    context = {
        "progress": found,
        "deleted": request.query_params.get("deleted") == "1",
        "confirm_missing": request.query_params.get("confirm") == "missing",
    }
    return templates.TemplateResponse(request, "progress.html", context)


@router.post("/progress/delete", name="progress_delete", response_class=RedirectResponse)
def delete_from_page(
    request: Request,
    db: DbDep,
    learner: LearnerDep,
    confirm: Annotated[str | None, Form(max_length=10)] = None,
    csrf: Annotated[str, Form(max_length=500)] = "",
) -> RedirectResponse:
    """The page's delete form: refused (403) without the page's CSRF token; deletes only
    with its confirmation box ticked, then shows the (now empty) progress page; without the
    box, back to the page with a note."""
    if not csrf_ok(request, csrf):
        raise HTTPException(status_code=403, detail=CSRF_REFUSED)
    if confirm != "yes":
        return RedirectResponse("/progress?confirm=missing#delete", status_code=303)
    redirect = RedirectResponse("/progress?deleted=1", status_code=303)
    _forget(db, learner, redirect)
    return redirect
