"""The LaTeX the visual editor (MathLive) writes into a maths box reads, for every symbol-bar item.

A learner who turns the visual editor on types the same maths as the symbol bar inserts, and
the field writes its LaTeX into the box: the reader must read each. MATHLIVE below holds, per
item of the bar (its one source is _macros/symbol_bar.html, read here from the served page),
how a learner makes that maths in the field and the LaTeX MathLive then holds; the browser
test (tests/e2e/test_visual_editor.py) makes each in the field and checks the LaTeX is this.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

# One step in the field: ("type", text) types the keys, ("press", key) presses one (Enter
# completes a \command), ("insert", latex) is what the field's menu or virtual keyboard
# inserts ("#?" a blank, which Tab moves between).
Step = tuple[str, str]

# Per item (by its accessible name): the steps, the LaTeX MathLive 0.111 holds after them,
# and what the reader makes of it: a piece of its LaTeX and the shape.
MATHLIVE: dict[str, tuple[list[Step], str, str, list[int | str]]] = {
    "transpose": ([("type", "A^T")], "A^{T}", "A^{\\top}", ["n", "m"]),
    "inverse, power −1": ([("type", "A^-1")], "A^{-1}", "A^{-1}", ["n", "n"]),
    "elementwise product": (
        [("type", "A\\odot"), ("press", "Enter"), ("type", "B")],
        "A\\odot B",
        "\\odot",
        ["n", "m"],
    ),
    "norm": (
        [("type", "\\lVert"), ("press", "Enter"), ("type", "x\\rVert"), ("press", "Enter")],
        "\\lVert x\\rVert",
        "\\lVert",
        [],
    ),
    "tr, trace": ([("type", "tr(X)")], "tr\\left(X\\right)", "\\operatorname{tr}", []),
    "det, determinant": ([("type", "det(X)")], "\\det\\left(X\\right)", "\\det", []),
    "fraction": (
        [("type", "(x^T"), ("press", "ArrowRight"), ("type", "x)/2")],
        "\\frac{\\left(x^{T}x\\right)}{2}",
        "\\frac",
        [],
    ),
    "2 by 2 matrix": (
        [
            ("insert", "\\begin{pmatrix}#?&#?\\\\#?&#?\\end{pmatrix}"),
            ("type", "1"),
            ("press", "Tab"),
            ("type", "2"),
            ("press", "Tab"),
            ("type", "3"),
            ("press", "Tab"),
            ("type", "4"),
        ],
        "\\begin{pmatrix}1 & 2\\\\ 3 & 4\\end{pmatrix}",
        "\\begin{bmatrix}",
        [2, 2],
    ),
}


def inserting_items(client: TestClient) -> list[str]:
    """The accessible names of the calculator's symbol-bar buttons that insert maths."""
    page = BeautifulSoup(client.get("/calculator").text, "html.parser")
    buttons = page.select(".math-input .symbol-bar button[data-insert]")
    return [str(button["aria-label"]) for button in buttons]


def test_every_symbol_bar_item_has_a_row_here(client: TestClient) -> None:
    names = inserting_items(client)
    assert names, "the calculator shows no symbol bar"
    assert set(names) == set(MATHLIVE)


@pytest.mark.parametrize("name", sorted(MATHLIVE))
def test_the_latex_mathlive_writes_for_each_item_reads(client: TestClient, name: str) -> None:
    _, latex, piece, shape = MATHLIVE[name]
    response = client.post("/api/parse", json={"expression": latex})
    assert response.status_code == 200, (name, latex, response.text)
    data = response.json()
    assert piece in data["latex"], (name, data["latex"])
    assert data["shape"] == shape, (name, data["shape"])


def test_the_visual_editor_toggle_sits_with_each_box_and_loads_its_module(
    client: TestClient,
) -> None:
    page = BeautifulSoup(client.get("/calculator").text, "html.parser")
    holder = page.select_one(".math-input")
    assert holder is not None
    toggle = holder.select_one("button.visual-toggle")
    box = holder.select_one("input[type=text]")
    assert toggle is not None and box is not None
    assert toggle["data-for"] == box["id"]
    assert toggle["aria-pressed"] == "false"
    # Hidden until its script shows it: without the script, no button that does nothing.
    assert toggle.has_attr("hidden")
    script = page.select_one('script[type=module][src*="js/visual_editor"]')
    sheet = page.select_one('link[rel=stylesheet][href*="css/visual_editor"]')
    assert script is not None and sheet is not None
    for url in (str(script["src"]), str(sheet["href"])):
        assert client.get(url).status_code == 200
    # MathLive itself is imported by the module when a learner turns the editor on.
    assert page.select_one('script[src*="mathlive"]') is None
