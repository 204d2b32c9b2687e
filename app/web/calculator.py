"""The matrix-derivative calculator page."""

from __future__ import annotations

from itertools import groupby

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.mathcore.gallery import GALLERY
from app.web.deps import TemplatesDep
from app.web.page_cache import render_page

router = APIRouter(default_response_class=HTMLResponse)


@router.get("/calculator", name="calculator")
async def calculator(request: Request, templates: TemplatesDep) -> Response:
    # The same page for every visitor who is not signed in: rendered once, then from memory.
    def context() -> dict[str, object]:
        groups = [(group, list(items)) for group, items in groupby(GALLERY, key=lambda e: e.group)]
        return {"groups": groups}

    return await render_page(request, templates, "calculator/calculator.html", context, ())
