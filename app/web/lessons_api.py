"""JSON about lessons, for scripts and future client-side features."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from app.web.deps import LessonsDep

router = APIRouter(prefix="/api")


class LessonSummary(BaseModel):
    slug: str
    title: str
    summary: str
    order: int


@router.get("/lessons")
def list_lessons(lessons: LessonsDep) -> list[LessonSummary]:
    return [
        LessonSummary(
            slug=lesson.slug, title=lesson.title, summary=lesson.summary, order=lesson.order
        )
        for lesson in lessons.all()
    ]
