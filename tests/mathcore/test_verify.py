"""The derivative check: it can succeed where sizes must be chosen, and it says when it fails."""

from __future__ import annotations

import numpy as np
import pytest

from app.mathcore.derivative import Derivative, differentiate
from app.mathcore.errors import ParseError
from app.mathcore.parse import parse
from app.mathcore.verify import check_derivative, draw_simplex, size_candidates

# Correct results whose check needs X tall (or wide): with the default sizes X is 3×4 and the
# matrix inverted is singular, which used to leave them "not verified".
NEEDS_SIZES = [
    ("tr(inv(X^T X))", "X"),
    ("log(det(X^T X))", "X"),
    ("logdet(X^T X)", "X"),
    ("tr(inv(X X^T))", "X"),
    ("logdet(X X^T) + tr(inv(Y^T Y))", "Y"),
    ("a^T inv(X^T X) a", "X"),
]


@pytest.mark.parametrize(("expression", "wrt"), NEEDS_SIZES)
def test_undeclared_sizes_are_chosen_so_the_check_can_succeed(expression: str, wrt: str) -> None:
    result = differentiate(parse(expression), wrt)
    assert result.verified, result.check.message
    assert result.status == "verified"


# (f, a wrong gradient by x, declarations): each must be refuted, not merely unverified.
WRONG = [
    ("x^T x", "x", {"x": {"shape": ["n"]}}),
    ("x^T A x", "A x", {"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"]}}),
    ("logdet(X^T X)", "X inv(X^T X)", {"X": {"shape": ["m", "n"]}}),
    ("sum(exp(x))", "exp(x) - 1e-3 x", {"x": {"shape": ["n"]}}),
]


@pytest.mark.parametrize(("expression", "wrong", "variables"), WRONG)
def test_a_wrong_result_fails_its_check_and_is_flagged(
    expression: str, wrong: str, variables: dict[str, object]
) -> None:
    parsed = parse(expression, variables)
    x = parsed.variables["x" if "x" in parsed.variables else "X"]
    gradient = parse(wrong, {**variables}).expr
    check = check_derivative(parsed.expr, gradient, "gradient", "numerator", x, parsed.variables)
    assert not check.passed and check.failed, check
    right = differentiate(parsed, x.name)
    flagged = Derivative(gradient, "gradient", "numerator", x.name, [], check, "", parsed.variables)
    assert right.status == "verified"
    assert flagged.status == "failed-check"


def test_a_function_defined_nowhere_is_unverified_not_failed() -> None:
    result = differentiate(parse("log(-x^T x - 1)"), "x")
    assert not result.check.passed and not result.check.failed
    assert result.status == "unverified"


def test_size_candidates_keep_distinct_sizes_first_and_try_other_orders() -> None:
    parsed = parse("tr(inv(X^T X))")
    candidates = size_candidates(parsed.variables)
    first = candidates[0]
    assert first["m"] != first["n"]
    assert any(c["m"] > c["n"] for c in candidates) and any(c["m"] < c["n"] for c in candidates)
    assert candidates[-1]["m"] == candidates[-1]["n"]  # all equal only as a last resort


@pytest.mark.parametrize("shape", [(4, 1), (7, 1), (1, 1)])
def test_simplex_draws_are_probability_vectors(shape: tuple[int, int]) -> None:
    p = draw_simplex(*shape, np.random.default_rng(3))
    assert p.shape == shape and np.all(p > 0)
    assert np.isclose(p.sum(), 1.0)


def test_the_simplex_assumption_is_stated_in_the_notes() -> None:
    variables = {"y": {"shape": [4], "properties": ["simplex"]}, "z": {"shape": [4]}}
    result = differentiate(parse("-y^T log(softmax(z))", variables), "z")
    assert result.verified
    assert any(note.startswith("Assuming sum(y) = 1") for note in result.notes)


def test_without_the_simplex_property_sum_y_stays() -> None:
    result = differentiate(parse("-y^T log(softmax(z))", {"z": {"shape": [4]}}), "z")
    assert result.verified
    assert not any("Assuming" in note for note in result.notes)


def test_only_a_vector_can_be_declared_simplex() -> None:
    with pytest.raises(ParseError, match="simplex"):
        parse("sum(P)", {"P": {"shape": [3, 3], "properties": ["simplex"]}})
