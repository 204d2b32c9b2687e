"""The README's lesson list is the course as it is: every lesson, in order, by its title."""

from __future__ import annotations

import re

from app.content.lessons import LessonLibrary
from tests.conftest import REPO_ROOT

ENTRY = re.compile(r"^(\d+)\. \[(?P<title>[^\]]+)\]\(content/lessons/(?P<slug>[^)]+)\.md\)")


def readme_lessons() -> list[tuple[str, str]]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Lessons\n", 1)[1].split("\n## ", 1)[0]
    return [
        (match["slug"], match["title"])
        for line in section.splitlines()
        if (match := ENTRY.match(line))
    ]


def test_the_readme_lists_every_lesson_in_order() -> None:
    lessons = LessonLibrary(REPO_ROOT / "content" / "lessons").all()
    assert readme_lessons() == [(lesson.slug, lesson.title) for lesson in lessons]
