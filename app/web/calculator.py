"""The matrix-derivative calculator page."""

from __future__ import annotations

from itertools import groupby

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.mathcore.gallery import GALLERY
from app.web.deps import TemplatesDep

router = APIRouter(default_response_class=HTMLResponse)


@router.get("/calculator", name="calculator")
def calculator(request: Request, templates: TemplatesDep) -> HTMLResponse:
    groups = [(group, list(items)) for group, items in groupby(GALLERY, key=lambda e: e.group)]
    return templates.TemplateResponse(request, "calculator/calculator.html", {"groups": groups})
