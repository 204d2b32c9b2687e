"""HTML pages: the lesson list (home) and one page per lesson."""

from __future__ import annotations

from collections.abc import Hashable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app.content.lessons import Lesson
from app.store.progress import solved_ids
from app.web.deps import LessonsDep, TemplatesDep
from app.web.learner import read_learner
from app.web.page_cache import render_page
from app.web.practice import learner_row

router = APIRouter(default_response_class=HTMLResponse)


def _lesson_key(lesson: Lesson | None) -> Hashable:
    """What a page shows of ``lesson``: a change to any of it renders the page again."""
    if lesson is None:
        return None
    return (
        lesson.slug,
        lesson.title,
        lesson.order,
        hash(lesson.html),
        lesson.summary_html,
        tuple(lesson.objectives_html),
    )


@router.get("/", name="home")
async def home(request: Request, lessons: LessonsDep, templates: TemplatesDep) -> Response:
    every = lessons.all()
    key = tuple(_lesson_key(lesson) for lesson in every)
    return await render_page(request, templates, "lessons/index.html", {"lessons": every}, key)


@router.get("/lessons/{slug}", name="lesson", response_model=None)
async def lesson_page(
    request: Request,
    slug: str,
    lessons: LessonsDep,
    templates: TemplatesDep,
) -> Response:
    lesson = lessons.get(slug)
    if lesson is None and (renamed := lessons.renamed(slug)) is not None:
        return RedirectResponse(request.url_for("lesson", slug=renamed.slug).path, 301)
    if lesson is None:
        raise HTTPException(status_code=404, detail=f"No lesson called {slug!r}.")
    previous, following = lessons.neighbours(slug)
    # Its problems this learner has solved are marked in its practice list; a new visitor
    # (no cookie yet) has solved none, so needs no query, nor even the problem list.
    learner = read_learner(request, request.app.state.settings)
    solved: set[str] = set()
    practice_for = templates.env.globals.get("practice_for")
    if not learner.changed and callable(practice_for):
        here = {problem.id for problem in practice_for(slug)}

        def solved_here() -> set[str]:
            with request.app.state.session_factory() as db:
                return solved_ids(db, learner_row(db, learner)) & here

        if here:
            solved = await run_in_threadpool(solved_here)
    context = {"lesson": lesson, "previous": previous, "next": following, "solved": solved}
    # The page depends on the lesson, its neighbours' titles and what is solved.
    key = (*map(_lesson_key, (lesson, previous, following)), tuple(sorted(solved)))
    return await render_page(request, templates, "lessons/lesson.html", context, key)
