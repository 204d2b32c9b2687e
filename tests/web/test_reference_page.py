"""The reference page, /reference, served from the real content/reference.yaml.

The lessons are fixtures: one for every other lesson slug the reference names, so the page
must link the identities whose lesson exists and leave the others unlinked.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.content.reference import REFERENCE_FILE, ReferenceFileError, read_reference_file
from app.main import create_app
from app.settings import Settings
from tests.conftest import REPO_ROOT

SOURCE = read_reference_file(REPO_ROOT / "content" / REFERENCE_FILE)
NAMED_LESSONS = sorted({i.lesson for i in SOURCE.identities if i.lesson is not None})
WRITTEN_LESSONS = NAMED_LESSONS[::2]


def _settings(tmp_path: Path, content: Path) -> Settings:
    return Settings(
        base_dir=REPO_ROOT,
        content_root=content,
        database_url=f"sqlite:///{tmp_path / 'data' / 'test.db'}",
        data_root=tmp_path / "data",
        warm_start=False,
    )


@pytest.fixture
def reference_content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    (content / "lessons").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "content" / REFERENCE_FILE, content / REFERENCE_FILE)
    for order, slug in enumerate(WRITTEN_LESSONS, start=1):
        (content / "lessons" / f"{slug}.md").write_text(
            f"---\ntitle: Lesson called {slug}\norder: {order}\n---\n\nText.\n", encoding="utf-8"
        )
    return content


@pytest.fixture
def reference_client(tmp_path: Path, reference_content: Path) -> Iterator[TestClient]:
    with TestClient(create_app(_settings(tmp_path, reference_content))) as test_client:
        yield test_client


@pytest.fixture
def page(reference_client: TestClient) -> BeautifulSoup:
    response = reference_client.get("/reference")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def test_every_identity_has_a_row_with_its_id_formula_and_condition(page: BeautifulSoup) -> None:
    for identity in SOURCE.identities:
        row = page.select_one(f"tr#{identity.id}")
        assert row is not None, identity.id
        assert row.find_parent("section")["id"] == identity.section
        formula = row.select_one(".identity-formula .math.inline")
        assert formula is not None and formula.get_text() == identity.text
        assert row.select_one(f'a[href="#{identity.id}"]') is not None
        condition = row.select_one(".identity-condition").get_text(" ", strip=True)
        assert bool(condition) == bool(identity.condition), identity.id
    ids = [tag["id"] for tag in page.select("[id]")]
    assert len(ids) == len(set(ids)), "an HTML id repeats"


def test_sections_come_in_the_files_order_with_their_titles(page: BeautifulSoup) -> None:
    sections = [
        s["id"] for s in page.select("section.reference-section") if s.select("tr.identity")
    ]
    assert sections == [section.id for section in SOURCE.sections]
    for section in SOURCE.sections:
        assert page.select_one(f"#{section.id}-heading").get_text(strip=True) == section.title
        assert page.select_one(f'.reference-toc a[href="#{section.id}"]') is not None


def test_identities_link_only_to_lessons_that_exist(
    page: BeautifulSoup, reference_client: TestClient
) -> None:
    assert WRITTEN_LESSONS and len(WRITTEN_LESSONS) < len(NAMED_LESSONS)  # both cases occur
    for identity in SOURCE.identities:
        links = page.select(f"tr#{identity.id} .identity-lesson a")
        if identity.lesson in WRITTEN_LESSONS:
            assert [a["href"] for a in links] == [f"/lessons/{identity.lesson}"], identity.id
            assert f"Lesson called {identity.lesson}" in links[0].get_text()
        else:
            assert links == [], identity.id
    for href in {a["href"] for a in page.select(".identity-lesson a")}:
        assert reference_client.get(href).status_code == 200, href


def test_the_convention_box_notation_and_reading_come_from_the_file(page: BeautifulSoup) -> None:
    convention = page.select_one("#convention")
    assert convention is not None and "numerator layout" in convention.get_text()
    notation = page.select_one("section#notation")
    assert notation is not None
    shown = [tag.get_text() for tag in notation.select("table.notation th[scope=row] .math")]
    assert shown == [entry.symbol for group in SOURCE.notation for entry in group.entries]
    assert len(notation.select(".reference-meanings li")) == len(SOURCE.meanings)
    links = [a["href"] for a in page.select("#reading .reference-reading a")]
    assert links == [item.url for item in SOURCE.reading]


def test_the_site_navigation_links_the_reference_and_marks_it_current(page: BeautifulSoup) -> None:
    link = page.select_one('.site-nav-links a[href="/reference"]')
    assert link is not None and link.get("aria-current") == "page"


def test_without_a_reference_file_the_page_is_not_found(client: TestClient) -> None:
    # the shared fixture content has lessons only
    assert client.get("/reference").status_code == 404


def test_a_broken_reference_file_stops_the_app_at_start_up(
    tmp_path: Path, reference_content: Path
) -> None:
    path = reference_content / REFERENCE_FILE
    path.write_text(path.read_text(encoding="utf-8") + "\nunknown_key: 1\n", encoding="utf-8")
    with pytest.raises(ReferenceFileError, match="unknown_key"):
        create_app(_settings(tmp_path, reference_content))
