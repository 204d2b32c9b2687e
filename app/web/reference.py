"""The course's reference page: the convention, the identities, the notation, further reading."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse

from app.content.reference import Reference, load_reference
from app.settings import Settings
from app.web.deps import LessonsDep, SettingsDep, TemplatesDep

router = APIRouter(default_response_class=HTMLResponse)


def reference_for(app: FastAPI, settings: Settings) -> Reference | None:
    """The reference of ``settings``' content folder, loaded once and kept on the app; None
    when the folder has no ``reference.yaml``.

    create_app calls this once so a broken file fails at start-up, like a broken lesson.
    """
    references: dict[str, Reference | None] = app.state.references
    key = str(settings.content_dir)
    if key not in references:
        references[key] = load_reference(settings.content_dir)
    return references[key]


def install_reference(app: FastAPI, settings: Settings) -> None:
    app.state.references = {}
    reference_for(app, settings)


@router.get("/reference", name="reference")
def reference_page(
    request: Request, settings: SettingsDep, lessons: LessonsDep, templates: TemplatesDep
) -> HTMLResponse:
    reference = reference_for(request.app, settings)
    if reference is None:
        raise HTTPException(status_code=404, detail="This course has no reference page yet.")
    # Only lessons that exist are linked: a lesson named before it is written gets no link.
    context = {"reference": reference, "lessons": {lesson.slug: lesson for lesson in lessons.all()}}
    return templates.TemplateResponse(request, "reference.html", context)
