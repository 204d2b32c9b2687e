"""Lessons: markdown files with YAML front matter in ``content/lessons/``.

A lesson's slug is its file name without ``.md`` (``01-shapes.md`` is ``/lessons/01-shapes``).
Front matter is validated with :class:`LessonFrontMatter`; any problem raises
:class:`LessonError` naming the file, so a broken lesson stops the app at start-up instead
of showing a blank page.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.content.markdown import (
    MarkdownError,
    TocEntry,
    WidgetUse,
    render_inline,
    render_markdown,
)


class LessonError(Exception):
    """A lesson file cannot be loaded; the message starts with the file's path."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class LessonFrontMatter(BaseModel):
    """The YAML header of a lesson. Unknown keys are refused so a typo is caught, not ignored."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    title: str = Field(min_length=1)
    order: int
    summary: str = ""
    objectives: list[str] = []
    aliases: list[str] = []
    """Slugs the lesson had before (its address redirects here)."""


@dataclass(frozen=True)
class Lesson:
    slug: str
    title: str
    order: int
    summary: str
    objectives: list[str]
    html: str
    summary_html: str
    objectives_html: list[str]
    toc: list[TocEntry]
    path: Path
    aliases: tuple[str, ...] = ()
    widgets: tuple[WidgetUse, ...] = ()
    checks: int = 0


def load_lesson(path: Path) -> Lesson:
    """Read, validate and render one lesson file; raise LessonError naming it on any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonError(path, f"cannot read the file ({exc})") from exc
    try:
        rendered = render_markdown(text)
    except MarkdownError as exc:
        raise LessonError(path, str(exc)) from exc
    meta = _parse_front_matter(path, rendered.front_matter)
    return Lesson(
        slug=path.stem,
        title=meta.title,
        order=meta.order,
        summary=meta.summary,
        objectives=list(meta.objectives),
        html=rendered.html,
        summary_html=render_inline(meta.summary),
        objectives_html=[render_inline(objective) for objective in meta.objectives],
        toc=rendered.toc,
        path=path,
        aliases=tuple(meta.aliases),
        widgets=tuple(rendered.widgets),
        checks=rendered.checks,
    )


def _parse_front_matter(path: Path, raw: str | None) -> LessonFrontMatter:
    if raw is None:
        raise LessonError(path, "no front matter: start the file with a '---' YAML block")
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise LessonError(path, f"front matter is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise LessonError(path, "front matter must be a mapping (title: …, order: …)")
    try:
        return LessonFrontMatter.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'front matter'}: {error['msg']}"
            for error in exc.errors()
        )
        raise LessonError(path, f"invalid front matter: {problems}") from exc


class LessonLibrary:
    """Every lesson in a folder, rendered once and kept in memory.

    With ``watch=True`` (development), each lookup re-checks the folder and re-renders the
    files whose modification time changed, and picks up added or removed files.
    """

    def __init__(self, lessons_dir: Path, *, watch: bool = False) -> None:
        self.lessons_dir = lessons_dir
        self.watch = watch
        self._lock = threading.Lock()
        self._by_path: dict[Path, tuple[float, Lesson]] = {}
        self._ordered: list[Lesson] = []
        self._refresh()

    def all(self) -> list[Lesson]:
        """The lessons sorted by their ``order`` (then slug, so ties are stable)."""
        if self.watch:
            self._refresh()
        return list(self._ordered)

    def get(self, slug: str) -> Lesson | None:
        return next((lesson for lesson in self.all() if lesson.slug == slug), None)

    def renamed(self, slug: str) -> Lesson | None:
        """The lesson that was once called ``slug`` (one of its ``aliases``)."""
        return next((lesson for lesson in self.all() if slug in lesson.aliases), None)

    def neighbours(self, slug: str) -> tuple[Lesson | None, Lesson | None]:
        """The lessons before and after ``slug`` in reading order."""
        lessons = self.all()
        for index, lesson in enumerate(lessons):
            if lesson.slug == slug:
                before = lessons[index - 1] if index > 0 else None
                after = lessons[index + 1] if index + 1 < len(lessons) else None
                return before, after
        return None, None

    def _refresh(self) -> None:
        paths = sorted(self.lessons_dir.glob("*.md")) if self.lessons_dir.is_dir() else []
        with self._lock:
            cached = self._by_path
            fresh: dict[Path, tuple[float, Lesson]] = {}
            for path in paths:
                mtime = path.stat().st_mtime
                previous = cached.get(path)
                if previous is not None and previous[0] == mtime:
                    fresh[path] = previous
                else:
                    fresh[path] = (mtime, load_lesson(path))
            self._by_path = fresh
            self._ordered = sorted(
                (lesson for _, lesson in fresh.values()),
                key=lambda lesson: (lesson.order, lesson.slug),
            )
