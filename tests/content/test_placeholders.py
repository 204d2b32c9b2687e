"""check-content refuses a placeholder that is some problem's answer or solution."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.__main__ import main
from app.content.placeholders import check_placeholders, normalised
from app.content.problems import INPUT_PLACEHOLDERS, ProblemLibrary
from tests.conftest import write_fixture_lessons

REPO_ROOT = Path(__file__).resolve().parents[2]
LEAST_SQUARES = """\
problems:
  - id: least-squares
    title: Least squares
    prompt: Find the gradient of $\\lVert Xw - y \\rVert^2$.
    variables:
      X: {shape: [m, n]}
      w: {shape: [n]}
      y: {shape: [m]}
    answer: 2 X^T (X w - y)
    solution: 2 X^T (X w - y)
"""


def library(tmp_path: Path, problems: str = LEAST_SQUARES) -> ProblemLibrary:
    (tmp_path / "problems").mkdir(exist_ok=True)
    (tmp_path / "problems" / "01-lesson.yaml").write_text(problems, encoding="utf-8")
    return ProblemLibrary(tmp_path / "problems")


def test_no_placeholder_shows_an_answer_of_the_course() -> None:
    problems = ProblemLibrary(REPO_ROOT / "content" / "problems").by_id.values()
    assert check_placeholders(problems) == []


@pytest.mark.parametrize(
    "placeholder", ["e.g. 2 X^T (X w - y)", "2X^T(Xw-y)", "  e.g.  2 X^T (X w -  y) "]
)
def test_a_placeholder_that_is_an_answer_is_reported_however_it_is_spaced(
    tmp_path: Path, placeholder: str
) -> None:
    found = check_placeholders(library(tmp_path).by_id.values(), {"expression": placeholder})
    assert [line.split(" is this problem's ")[1] for line in found] == ["answer", "solution"]
    assert all(line.startswith("least-squares: ") for line in found)


def test_a_placeholder_of_the_same_syntax_but_another_formula_passes(tmp_path: Path) -> None:
    problems = library(tmp_path).by_id.values()
    assert check_placeholders(problems, {"expression": "e.g. 2 X^T (X v - y)"}) == []


def test_every_placeholder_shows_something() -> None:
    assert all(normalised(text) for text in INPUT_PLACEHOLDERS.values())


def test_check_content_fails_on_a_placeholder_that_answers_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = write_fixture_lessons(tmp_path / "content")
    lesson = sorted((content / "lessons").glob("*.md"))[0].stem
    # A problem whose answer is the expression boxes' example, spaced its own way.
    example = INPUT_PLACEHOLDERS["expression"].removeprefix("e.g. ").replace(" ", "")
    problems = LEAST_SQUARES + (
        "  - id: placeholder-answer\n"
        "    title: The box's example\n"
        "    prompt: Find the gradient of $3 y^T B z$ with respect to $z$.\n"
        "    variables: {B: {shape: [m, n]}, y: {shape: [m]}, z: {shape: [n]}}\n"
        f"    answer: {example}\n"
        "    solution: It is linear in $z$.\n"
    )
    (content / "problems").mkdir()
    (content / "problems" / f"{lesson}.yaml").write_text(problems, encoding="utf-8")
    assert main(["check-content", str(content)]) == 1
    reported = capsys.readouterr().err.splitlines()
    expected = INPUT_PLACEHOLDERS["expression"]
    assert (
        f"placeholder-answer: the placeholder {expected!r} of expression boxes is this "
        "problem's answer"
    ) in reported
