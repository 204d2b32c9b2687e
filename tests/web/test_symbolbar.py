"""The symbol bar above every maths box inserts text the expression reader reads.

The items are read from the page the app serves (their one source is the template
_macros/symbol_bar.html), so a new item without a row in FILLED below fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.conftest import REPO_ROOT, write_fixture_lessons

# Per item (by its accessible name): the text before the caret, and what the learner types
# into its blanks. An item's insert with its "{}" blanks filled in order, after the text
# before it, is what the box holds; it must read.
FILLED: dict[str, tuple[str, list[str]]] = {
    "transpose": ("A", []),
    "inverse, power −1": ("", ["A"]),
    "elementwise product": ("A", ["B"]),
    "norm": ("", ["x"]),
    "tr, trace": ("", ["A"]),
    "det, determinant": ("", ["X"]),
    "fraction": ("", ["x^T x", "2"]),
    "2 by 2 matrix": ("", ["1", "2", "3", "4"]),
}
# What each reads as: the kind of node and the shape, so ⊙ is not read as a matrix product.
READ_AS: dict[str, tuple[str, list[int | str]]] = {
    "transpose": ("A^{\\top}", ["n", "m"]),
    "inverse, power −1": ("A^{-1}", ["n", "n"]),
    "elementwise product": ("\\odot", ["n", "m"]),
    "norm": ("\\lVert", []),
    "tr, trace": ("\\operatorname{tr}", []),
    "det, determinant": ("\\det", []),
    "fraction": ("\\frac", []),
    "2 by 2 matrix": ("\\begin{bmatrix}", [2, 2]),
}
MOVES = {"move the caret left": "-1", "move the caret right": "1"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder: Path = tmp_path_factory.mktemp("symbolbar")
    settings = Settings(
        base_dir=REPO_ROOT,
        content_root=write_fixture_lessons(folder / "content"),
        database_url=f"sqlite:///{folder / 'test.db'}",
        data_root=folder / "data",
        debug=False,
        warm_start=False,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def bar_items(site: TestClient) -> list[Tag]:
    page = BeautifulSoup(site.get("/calculator").text, "html.parser")
    bars = page.select(".math-input .symbol-bar[role=toolbar]")
    assert len(bars) == 1
    bar = bars[0]
    box = page.select_one(f"input#{bar['data-for']}")
    assert box is not None and box.find_parent(class_="math-input") is bar.parent
    return bar.select("button")


def test_the_bar_sits_above_the_box_and_loads_its_module_and_styles(site: TestClient) -> None:
    page = BeautifulSoup(site.get("/calculator").text, "html.parser")
    holder = page.select_one(".math-input")
    assert holder is not None
    children = [c for c in holder.children if isinstance(c, Tag)]
    bar_at = next(i for i, c in enumerate(children) if "symbol-bar" in c.get("class", []))
    box_at = next(i for i, c in enumerate(children) if c.name == "input")
    assert bar_at < box_at
    assert page.select_one('script[type=module][src*="js/symbolbar"]') is not None
    assert page.select_one('link[rel=stylesheet][href*="css/symbolbar"]') is not None
    assert site.get(page.select_one('script[src*="js/symbolbar"]')["src"]).status_code == 200


def test_every_item_has_a_name_and_a_row_here(site: TestClient) -> None:
    items = bar_items(site)
    names = [str(item["aria-label"]) for item in items]
    assert all(names) and len(set(names)) == len(names)
    assert set(names) == set(FILLED) | set(MOVES)
    for item in items:
        assert item["type"] == "button"
        assert item.has_attr("data-insert") != item.has_attr("data-move")
        if item.has_attr("data-move"):
            assert item["data-move"] == MOVES[str(item["aria-label"])]


def test_each_item_inserts_text_that_parses(site: TestClient) -> None:
    for item in bar_items(site):
        if not item.has_attr("data-insert"):
            continue
        name = str(item["aria-label"])
        template = str(item["data-insert"])
        before, blanks = FILLED[name]
        assert template.count("{}") == len(blanks), name
        text = before + template.format(*blanks)
        response = site.post("/api/parse", json={"expression": text})
        assert response.status_code == 200, (name, text, response.text)
        data = response.json()
        piece, shape = READ_AS[name]
        assert piece in data["latex"], (name, data["latex"])
        assert data["shape"] == shape, (name, data["shape"])
