"""Loading lessons: front matter validation that names the file, ordering, the render cache."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from app.content.lessons import LessonError, LessonLibrary, load_lesson
from app.main import create_app
from app.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
REAL_LESSONS = REPO_ROOT / "content" / "lessons"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("front_matter", "complaint"),
    [
        ("title: [unclosed\norder: 1", "not valid YAML"),
        ("order: 1", "title"),
        ("title: No order", "order"),
        ("title: T\norder: first", "order"),
        ("title: T\norder: 1\nobjectives: learn things", "objectives"),
        ("title: T\norder: 1\nsumary: typo", "sumary"),
        ("title: ''\norder: 1", "title"),
        ("- just\n- a list", "mapping"),
    ],
)
def test_broken_front_matter_names_the_file_and_the_problem(
    tmp_path: Path, front_matter: str, complaint: str
) -> None:
    path = write(tmp_path, "07-broken.md", f"---\n{front_matter}\n---\nBody\n")
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    assert str(path) in str(caught.value)
    assert complaint in str(caught.value)


def test_missing_front_matter_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "no-header.md", "# Just a heading\n")
    with pytest.raises(LessonError, match="no front matter"):
        load_lesson(path)


def test_malformed_widget_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "w.md", "---\ntitle: T\norder: 1\n---\n```widget Bad Name\n```\n")
    with pytest.raises(LessonError, match="w.md"):
        load_lesson(path)


def test_create_app_fails_at_start_up_on_a_broken_lesson(
    tmp_path: Path, fixture_content_dir: Path
) -> None:
    broken = write(fixture_content_dir / "lessons", "05-broken.md", "---\ntitle: [\n---\n")
    settings = Settings(content_root=fixture_content_dir, database_url=f"sqlite:///{tmp_path}/x.db")
    with pytest.raises(LessonError) as caught:
        create_app(settings)
    assert caught.value.path == broken
    assert "05-broken.md" in str(caught.value)


def test_lessons_are_sorted_by_order_not_file_name(fixture_content_dir: Path) -> None:
    library = LessonLibrary(fixture_content_dir / "lessons")
    assert [lesson.slug for lesson in library.all()] == ["01-scalars", "02-vectors", "10-matrices"]
    before, after = library.neighbours("02-vectors")
    assert (before and before.slug, after and after.slug) == ("01-scalars", "10-matrices")
    assert library.neighbours("nope") == (None, None)


def test_a_missing_lessons_folder_is_an_empty_library(tmp_path: Path) -> None:
    assert LessonLibrary(tmp_path / "nothing-here").all() == []


def bump_mtime(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def test_without_watch_a_lesson_is_rendered_once(fixture_content_dir: Path) -> None:
    library = LessonLibrary(fixture_content_dir / "lessons", watch=False)
    path = fixture_content_dir / "lessons" / "02-vectors.md"
    path.write_text("---\ntitle: Changed\norder: 2\n---\n", encoding="utf-8")
    bump_mtime(path)
    assert library.get("02-vectors").title == "Vectors next"


def test_with_watch_a_changed_file_is_rendered_again(fixture_content_dir: Path) -> None:
    lessons_dir = fixture_content_dir / "lessons"
    library = LessonLibrary(lessons_dir, watch=True)
    first = library.get("10-matrices")
    unchanged = library.get("01-scalars")

    path = lessons_dir / "10-matrices.md"
    path.write_text("---\ntitle: Changed\norder: 3\n---\nNew $x$\n", encoding="utf-8")
    bump_mtime(path)
    write(lessons_dir, "20-added.md", "---\ntitle: Added\norder: 20\n---\n")

    changed = library.get("10-matrices")
    assert changed is not None and first is not None
    assert changed.title == "Changed" and changed is not first
    assert library.get("01-scalars") is unchanged  # untouched files are not re-rendered
    assert library.all()[-1].slug == "20-added"


def test_every_real_lesson_loads_and_renders() -> None:
    paths = sorted(REAL_LESSONS.glob("*.md"))
    assert paths, "content/lessons/ has no lessons"
    for path in paths:
        lesson = load_lesson(path)  # raises LessonError naming the file on any problem
        assert lesson.title and lesson.html.strip()
