"""HTML pages: the lesson list (home) and one page per lesson."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.store.progress import solved_ids
from app.web.deps import DbDep, LessonsDep, TemplatesDep
from app.web.practice import LearnerDep, learner_row

router = APIRouter(default_response_class=HTMLResponse)


@router.get("/", name="home")
def home(request: Request, lessons: LessonsDep, templates: TemplatesDep) -> HTMLResponse:
    return templates.TemplateResponse(request, "lessons/index.html", {"lessons": lessons.all()})


@router.get("/lessons/{slug}", name="lesson", response_model=None)
def lesson_page(
    request: Request,
    slug: str,
    lessons: LessonsDep,
    templates: TemplatesDep,
    db: DbDep,
    learner: LearnerDep,
) -> HTMLResponse | RedirectResponse:
    lesson = lessons.get(slug)
    if lesson is None and (renamed := lessons.renamed(slug)) is not None:
        return RedirectResponse(request.url_for("lesson", slug=renamed.slug).path, 301)
    if lesson is None:
        raise HTTPException(status_code=404, detail=f"No lesson called {slug!r}.")
    previous, following = lessons.neighbours(slug)
    context = {
        "lesson": lesson,
        "previous": previous,
        "next": following,
        "solved": solved_ids(db, learner_row(db, learner)),  # marked in its practice list
    }
    return templates.TemplateResponse(request, "lessons/lesson.html", context)
