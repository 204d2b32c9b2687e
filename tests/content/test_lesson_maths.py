"""Objectives, callout titles and questions typeset their maths as the body does, and maths
written there without $…$ is found."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from app.__main__ import main
from app.content.lesson_maths import check_lesson_maths, undelimited_maths
from app.content.lessons import load_lesson
from app.content.markdown import render_markdown
from tests.conftest import write_fixture_lessons

LESSON = r"""
---
title: Traces
order: 1
objectives:
  - Show that $\operatorname{tr}(A^\top) = \operatorname{tr}(A)$ for square $A$
  - Read a gradient off $\operatorname{tr}(G^\top dX)$
---

Body with $\operatorname{tr}(A^\top)$.

::: warning Writing $d(X^{-1})$ as $-X^{-2}\,dX$
Order matters.
:::

::: check Why is $\operatorname{tr}(AB) = \operatorname{tr}(BA)$?
Cyclic.
:::
"""


def write(folder: Path, text: str) -> Path:
    path = folder / "01-traces.md"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def maths_of(html: str, selector: str) -> list[str]:
    page = BeautifulSoup(html, "html.parser")
    return [m.get_text() for m in page.select(f"{selector} span.math.inline")]


def test_objectives_render_their_maths_for_katex_as_the_body_does(tmp_path: Path) -> None:
    lesson = load_lesson(write(tmp_path, LESSON))
    assert [maths_of(html, "") for html in lesson.objectives_html] == [
        [r"\operatorname{tr}(A^\top) = \operatorname{tr}(A)", "A"],
        [r"\operatorname{tr}(G^\top dX)"],
    ]
    # the same TeX, marked the same way, as in the body
    assert maths_of(lesson.html, "p")[0] == r"\operatorname{tr}(A^\top)"


def test_callout_titles_and_questions_render_their_maths(tmp_path: Path) -> None:
    html = load_lesson(write(tmp_path, LESSON)).html
    assert maths_of(html, ".callout-title") == [r"d(X^{-1})", r"-X^{-2}\,dX"]
    assert maths_of(html, ".check-yourself summary") == [
        r"\operatorname{tr}(AB) = \operatorname{tr}(BA)"
    ]
    # a title's maths is TeX for KaTeX, HTML-escaped, never interpreted as markup
    page = BeautifulSoup(render_markdown("::: note If $a<b>c$\nx\n:::\n").html, "html.parser")
    assert page.select_one(".callout-title b") is None
    assert maths_of(str(page), ".callout-title") == ["a<b>c"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Use the facts tr(A^T) = tr(A)", ["tr(A^T)"]),
        ("written as g^T dx or tr(G^T dX)", ["g^T", "tr(G^T"]),
        ("Differentiate the inverse, d(X^{-1}) = -X^{-1} dX", ["d(X^{-1})", "-X^{-1}"]),
        ("the solution x_0 and x_{ij}", ["x_0", "x_{ij}"]),
        (r"the operator \nabla here", [r"\nabla"]),
        (r"Show that $\operatorname{tr}(A^\top) = \operatorname{tr}(A)$", []),
        (r"Between $a$ and $$x^2$$ all is maths", []),
        ("Code such as `x**2 + y^2` stays code", []),
        ("Plain words, snake_case names, 5 and $6", []),
    ],
)
def test_maths_outside_dollars_is_found(text: str, found: list[str]) -> None:
    assert undelimited_maths(text) == found


def test_the_check_names_the_file_and_each_text_with_plain_maths(tmp_path: Path) -> None:
    plain = LESSON.replace(r"$\operatorname{tr}(G^\top dX)$", "tr(G^T dX)").replace(
        r"$d(X^{-1})$ as $-X^{-2}\,dX$", "d(X^{-1}) as -X^{-2} dX"
    )
    assert check_lesson_maths([load_lesson(write(tmp_path, LESSON))]) == []
    problems = check_lesson_maths([load_lesson(write(tmp_path, plain))])
    assert len(problems) == 2
    assert all(str(tmp_path / "01-traces.md") in problem for problem in problems)
    assert "objective 'Read a gradient off tr(G^T dX)' writes tr(G^T as plain text" in problems[0]
    assert "title 'Writing d(X^{-1}) as -X^{-2} dX' writes d(X^{-1}), -X^{-2}" in problems[1]


def test_check_content_fails_on_an_objective_with_raw_maths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = write_fixture_lessons(tmp_path / "content")
    main(["check-content", str(content)])
    assert "tr(A^T)" not in capsys.readouterr().err
    lesson = sorted((content / "lessons").glob("*.md"))[0]
    text = lesson.read_text(encoding="utf-8")
    assert "  - Differentiate $x^2$\n" in text
    raw = text.replace("  - Differentiate $x^2$\n", "  - Show that tr(A^T) = tr(A)\n")
    lesson.write_text(raw, encoding="utf-8")
    assert main(["check-content", str(content)]) == 1
    assert "tr(A^T)" in capsys.readouterr().err
