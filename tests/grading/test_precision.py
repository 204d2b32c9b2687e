"""Floating point never decides a verdict alone: lost digits are found again in high
precision, and SymPy may veto a scalar match with a point where the two differ."""

from __future__ import annotations

import numpy as np
import pytest

from app.grading.equivalence import grade_expression, judge
from app.grading.numeric import entries_close
from app.grading.precise import differs_precisely
from app.mathcore.evaluate import Evaluator
from app.mathcore.parse import parse

RANK_ONE = {"A": {"shape": ["n", "n"]}, "u": {"shape": ["n"]}, "v": {"shape": ["n"]}}
SHERMAN_MORRISON = "inv(A) - inv(A) u v^T inv(A) / (1 + v^T inv(A) u)"


def near_singular() -> dict[str, np.ndarray]:
    """``A + u v^T`` with ``1 + v^T A^-1 u = 1e-9``: an inverse of size 1e9."""
    rng = np.random.default_rng(7)
    a = rng.normal(size=(3, 3)) + 3 * np.eye(3)
    v = rng.normal(size=(3, 1))
    w = rng.normal(size=(3, 1))
    u = w * (-(1 - 1e-9) / (v.T @ np.linalg.solve(a, w)).item())
    return {"A": a, "u": u, "v": v}


@pytest.mark.parametrize(
    ("answer", "equal"),
    [
        (SHERMAN_MORRISON, True),
        ("inv(A) - inv(A) u v^T inv(A) / (1.000001 + v^T inv(A) u)", False),
        ("inv(A) + inv(A) u v^T inv(A) / (1 + v^T inv(A) u)", False),
    ],
)
def test_sherman_morrison_near_singular_is_decided_in_high_precision(
    answer: str, equal: bool
) -> None:
    expected = parse("inv(A + u v^T)", RANK_ONE)
    typed = parse(answer, expected.variables)
    values = near_singular()
    evaluator = Evaluator(values, {"n": 3})
    if equal:  # the floats alone would reject this right answer
        assert not entries_close(evaluator(expected.expr), evaluator(typed.expr))
    verdict = judge(expected.expr, typed.expr, expected.variables, fixed=values)
    assert verdict.equivalent is equal, verdict.feedback


@pytest.mark.parametrize(
    ("expected", "answer", "differs"),
    [
        ("(x + 1e8)^2 - 10^16 - 2e8 x", "x^2", False),
        ("(x + 1e8)^2 - 10^16 - 2e8 x", "x^2 + 10^-6", True),
        ("x - x", "0", False),
        ("10^-300 x", "-10^-300 x", True),
    ],
)
def test_a_difference_is_real_only_if_it_survives_more_digits(
    expected: str, answer: str, differs: bool
) -> None:
    scalars = {"x": {"shape": []}}
    values = {"x": np.array([[0.3]])}
    e, a = parse(expected, scalars).expr, parse(answer, scalars).expr
    assert differs_precisely(e, a, values, {}) is differs


@pytest.mark.parametrize(
    ("expected", "answer", "where"),
    [
        ("x", "abs(x + 1000) - 1000", "x = -1000"),
        ("x", "abs(x - 10^4) - 10^4 + 2 x", "x = 1"),
        ("0", "relu(x - 10^5)", "x = 1"),
    ],
)
def test_sympy_vetoes_a_match_with_a_point_where_the_two_differ(
    expected: str, answer: str, where: str
) -> None:
    grade = grade_expression(expected, answer, {"x": {"shape": []}})
    assert not grade.equivalent
    assert where in grade.verdict.feedback[0].message
