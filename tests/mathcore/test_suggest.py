""" "Did you mean": one fix per unreadable input, and the fix always reads."""

from __future__ import annotations

from typing import Any

import pytest

from app.mathcore.errors import MathError
from app.mathcore.parse import parse
from app.mathcore.suggest import suggest

VECTORS = {
    "X": {"shape": ["n", "n"]},
    "A": {"shape": ["n", "n"]},
    "w": {"shape": ["n"]},
    "x": {"shape": ["n"]},
    "y": {"shape": ["n"]},
    "a": {"shape": []},
}
RUNS = {name: {"shape": []} for name in ("x", "y", "z", "xy", "yz")}
SIGMA = {"sigma": {"shape": []}, "z": {"shape": ["n"]}}
DECLARED: dict[str, dict[str, Any] | None] = {
    "vectors": VECTORS,
    "runs": RUNS,
    "sigma": SIGMA,
    "none": None,
}

# (typed, declarations, the suggestion or None)
SUGGESTIONS = [
    # a misspelt function: the nearest name that keeps the first letter
    ("sigmod(x)", "vectors", "sigmoid(x)"),
    ("Sigmoid(x)", "vectors", "sigmoid(x)"),
    ("SUM(x)", "vectors", "sum(x)"),
    ("nrom(x)", "vectors", "norm(x)"),
    ("sqrtt(x^T x)", "vectors", "sqrt(x^T x)"),
    ("max(x)", "vectors", None),  # no max here, and softmax is not what was meant
    ("atan(a)", "vectors", None),  # nor is tan
    # brackets: the missing one added, the stray one deleted or opened
    ("sum(x", "vectors", "sum(x)"),
    ("log(det(X)", "vectors", "log(det(X))"),
    ("x^T x)^2", "vectors", "(x^T x)^2"),
    ("exp(a))", "vectors", "exp(a)"),
    ("[1, 2; 3, 4", "none", "[1, 2; 3, 4]"),
    ("(x]", "vectors", "(x)"),
    # a function written without its brackets
    ("sigmoid[x]", "vectors", "sigmoid(x)"),
    ("exp^a", "vectors", "exp(a)"),
    # other languages' habits
    ("x.'", "vectors", "x^T"),
    ("A.inv x", "vectors", "inv(A) x"),
    ("X.I w", "vectors", "inv(X) w"),
    ("xᵗ y", "vectors", "x^T y"),
    ("x \\top", "vectors", "x^\\top"),
    ("norm(x, 2)", "vectors", "norm(x)"),
    # operators: doubled, dangling, missing
    ("a ^^ 2", "vectors", "a ^ 2"),
    ("2 x +", "vectors", "2 x"),
    ("* x", "vectors", "x"),
    ("2 3", "none", "2 * 3"),
    ("f = x^T x", "vectors", "x^T x"),
    ("x^T A x =", "vectors", "x^T A x"),
    ("x#", "vectors", "x"),
    ("∂x", "vectors", None),  # deleting ∂ would change the question
    # names run together that split two ways: the first reading, spaced
    ("2 + xyz", "runs", "2 + xy z"),
    ("1 + \\sigma\\left(z\\right)", "sigma", "1 + sigmoid\\left(z\\right)"),
]


def error_of(text: str, variables: dict[str, Any] | None) -> MathError:
    with pytest.raises(MathError) as caught:
        parse(text, variables)
    return caught.value


@pytest.mark.parametrize(("typed", "declared", "expected"), SUGGESTIONS)
def test_the_suggestion_for_an_unreadable_input(
    typed: str, declared: str, expected: str | None
) -> None:
    variables = DECLARED[declared]
    suggestion = suggest(typed, error_of(typed, variables), variables)
    assert suggestion == expected
    if suggestion is not None:
        assert suggestion != typed
        parse(suggestion, variables)  # raises if the suggestion did not read


@pytest.mark.parametrize("typed", ["x * y", "x**2", "[1, 2; 3]"])
def test_a_shape_error_is_not_a_typo_and_gets_no_suggestion(typed: str) -> None:
    variables = DECLARED["vectors"] if typed != "[1, 2; 3]" else None
    error = error_of(typed, variables)
    assert error.kind == "shape"
    assert suggest(typed, error, variables) is None


@pytest.mark.parametrize("typed", ["x'", "x**2 + 1", "X^-1 w", "x .* y", "Xw"])
def test_forms_the_grammar_reads_need_no_suggestion(typed: str) -> None:
    declared = {**VECTORS, "x": {"shape": []}} if typed == "x**2 + 1" else VECTORS
    parse(typed, declared)


def test_a_long_text_gets_no_suggestion() -> None:
    typed = " + ".join(["x^T x"] * 80) + " +"
    assert suggest(typed, error_of(typed, VECTORS), VECTORS) is None
    short = " + ".join(["x^T x"] * 3) + " +"
    assert suggest(short, error_of(short, VECTORS), VECTORS) == " + ".join(["x^T x"] * 3)
