"""Derivations: each line follows from the one before; the last gives the gradient."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from app.grading.derivation import LineError, check_derivation, split_line

QUADRATIC = {"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"]}}
REGRESSION = {"X": {"shape": ["m", "n"]}, "w": {"shape": ["n"]}, "y": {"shape": ["m"]}}
MATRIX = {"X": {"shape": ["m", "n"]}, "A": {"shape": ["n", "m"]}}
SQUARE = {"X": {"shape": ["n", "n"]}}


class Derivation(NamedTuple):
    lines: list[str]
    variables: dict[str, Any] | None
    wrt: str
    expected: str | None
    correct: bool
    first_wrong: int | None
    """The index of the first line marked wrong (None: every line follows)."""


DERIVATIONS = [
    # right
    Derivation(
        ["d(x^T A x) = dx^T A x + x^T A dx", "= x^T A^T dx + x^T A dx", "= ((A + A^T) x)^T dx"],
        QUADRATIC,
        "x",
        "(A + A^T) x",
        True,
        None,
    ),
    Derivation(
        ["d(x^T A x) = dx^T A x + x^T A dx", "= (A^T x + A x)^T dx"],
        QUADRATIC,
        "x",
        "(A + A^T) x",
        True,
        None,
    ),
    Derivation(
        [
            "d((X w - y)^T (X w - y)) = (X dw)^T (X w - y) + (X w - y)^T X dw",
            "= 2 (X w - y)^T X dw",
            "= (2 X^T (X w - y))^T dw",
        ],
        REGRESSION,
        "w",
        "2 X^T (X w - y)",
        True,
        None,
    ),
    Derivation(
        ["d(tr(A X)) = tr(A dX)", "= tr((A^T)^T dX)"],
        MATRIX,
        "X",
        "A^T",
        True,
        None,
    ),
    Derivation(["d(logdet(X)) = tr(X^-1 dX)"], SQUARE, "X", "X^-T", True, None),
    Derivation(["d(x^T x) = 2 x^T dx"], QUADRATIC, "x", None, True, None),
    # wrong: the first wrong line is found
    Derivation(
        ["d(x^T A x) = dx^T A x + x^T A dx", "= x^T A dx + x^T A dx", "= (2 A x)^T dx"],
        QUADRATIC,
        "x",
        "(A + A^T) x",
        False,
        1,
    ),
    Derivation(
        ["d(x^T A x) = dx^T A x", "= (A x)^T dx"],
        QUADRATIC,
        "x",
        "(A + A^T) x",
        False,
        0,
    ),
    Derivation(
        ["d(x^T A x) = dx^T A x + x^T A dx", "= -x^T A^T dx + x^T A dx"],
        QUADRATIC,
        "x",
        None,
        False,
        1,
    ),
    Derivation(
        ["d(tr(A X)) = tr(A dX)", "= tr(A^T dX)"],
        {"X": {"shape": ["n", "n"]}, "A": {"shape": ["n", "n"]}},
        "X",
        "A^T",
        False,
        1,
    ),
    Derivation(["d(logdet(X)) = tr(X dX)"], SQUARE, "X", "X^-T", False, 0),
    # every line right but the gradient is compared with a different expected answer
    Derivation(["d(logdet(X)) = tr(X^-1 dX)"], SQUARE, "X", "X^-1", False, None),
    # right lines but never reaching the canonical form
    Derivation(["d(x^T A x) = dx^T A x + x^T A dx"], QUADRATIC, "x", "(A + A^T) x", False, None),
    # dx^T g is as canonical as g^T dx, and tr(dX^T G) as tr(G^T dX)
    Derivation(
        ["d(x^T A x) = dx^T A x + x^T A dx", "= dx^T (A + A^T) x"],
        QUADRATIC,
        "x",
        "(A + A^T) x",
        True,
        None,
    ),
    Derivation(["d(x^T A x) = dx^T (A x + A^T x)"], QUADRATIC, "x", "(A + A^T) x", True, None),
    Derivation(["d(tr(A X)) = tr(dX^T A^T)"], MATRIX, "X", "A^T", True, None),
    Derivation(["d(tr(X^T X)) = 2 tr(dX^T X)"], REGRESSION | MATRIX, "X", "2 X", True, None),
    Derivation(["d(x^T A x) = dx^T (2 A x)"], QUADRATIC, "x", "(A + A^T) x", False, 0),
    Derivation(["d(x^2) = dx 2 x"], {"x": {"shape": []}}, "x", "2 x", True, None),
    Derivation(["d(x^2) = 2 x dx"], {"x": {"shape": []}}, "x", "2 x", True, None),
    Derivation(["d(x^2) = dx dx"], {"x": {"shape": []}}, "x", "2 x", False, 0),
    # the lines never mention A, which the expected answer holds: a verdict, not an error
    Derivation(["d(x^T x) = 2 x^T dx"], QUADRATIC, "x", "(A + A^T) x", False, None),
    Derivation(["d(x^T x) = 2 x^T dx"], None, "x", "(A + A^T) x", False, None),
    # a derivation starts from d(f)
    Derivation(["((A + A^T) x)^T dx"], QUADRATIC, "x", "(A + A^T) x", False, 0),
]


@pytest.mark.parametrize("case", DERIVATIONS, ids=[" ".join(d.lines)[:60] for d in DERIVATIONS])
def test_derivation(case: Derivation) -> None:
    result = check_derivation(case.lines, case.variables, case.wrt, case.expected, "denominator")
    assert result.correct is case.correct, (result.steps, result.feedback)
    wrong = [step.line for step in result.steps if not step.ok]
    assert (wrong[0] if wrong else None) == case.first_wrong, result.steps


def test_the_wrong_line_says_what_changed() -> None:
    result = check_derivation(
        ["d(x^T A x) = dx^T A x + x^T A dx", "= x^T A dx + x^T A dx"], QUADRATIC, "x"
    )
    assert "only if A were symmetric" in result.steps[1].message


def test_a_right_derivation_reports_its_gradient() -> None:
    result = check_derivation(
        ["d(x^T A x) = dx^T A x + x^T A dx", "= ((A + A^T) x)^T dx"], QUADRATIC, "x"
    )
    assert result.correct and result.gradient == "(A + A^T) x"


def test_a_line_that_does_not_parse_names_its_line_and_column() -> None:
    with pytest.raises(LineError) as caught:
        check_derivation(["d(x^T A x) = dx^T A x +", "= x"], QUADRATIC, "x")
    assert caught.value.to_dict()["line"] == 0
    assert caught.value.position is not None and caught.value.position > 13


def test_equals_signs_inside_brackets_do_not_split() -> None:
    assert [part for part, _ in split_line("d(f) = a = (b)")] == ["d(f) ", " a ", " (b)"]
