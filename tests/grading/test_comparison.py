"""A wrong answer beside the truth at one point: the numbers are the problem's, checked here
against NumPy formulas written independently, and against central differences of f."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.content.problems import Problem, ProblemLibrary
from app.grading.comparison import AnswerComparison, DerivativeOf, compare_answer, step_text
from tests.conftest import REPO_ROOT

LIBRARY = ProblemLibrary(Path(REPO_ROOT) / "content" / "problems")
DERIVATIVES = [
    p for p in LIBRARY.by_id.values() if p.derivative_of is not None and p.type == "expression"
]


def compared(problem: Problem, answer: str) -> AnswerComparison:
    spec = problem.derivative_of
    assert spec is not None
    comparison = compare_answer(
        problem.answer,
        answer,
        problem.declarations(),
        derivative_of=DerivativeOf(spec.f, spec.wrt, spec.kind),
        layout=problem.layout,
    )
    assert comparison is not None
    return comparison


def sigmoid(z: Any) -> Any:
    return 1 / (1 + np.exp(-z))


def softmax(z: Any) -> Any:
    e = np.exp(z - z.max())
    return e / e.sum()


# The expected value of a problem, from the point's values, in NumPy (not our engine).
NUMPY_FORMULAS = {
    "least-squares-gradient": lambda v: 2 * v["X"].T @ (v["X"] @ v["w"] - v["y"]),
    "quadratic-form-gradient": lambda v: (v["A"] + v["A"].T) @ v["x"],
    "trace-of-product-gradient": lambda v: v["A"].T,
    "logistic-regression-gradient": lambda v: (sigmoid(v["x"].T @ v["w"]) - v["y"]) * v["x"],
    "backprop-softmax-jacobian": lambda v: (
        np.diag(softmax(v["z"])[:, 0]) - softmax(v["z"]) @ softmax(v["z"]).T
    ),
    "determinant-gradient": lambda v: np.linalg.det(v["X"]) * np.linalg.inv(v["X"]).T,
    "least-squares-hessian": lambda v: 2 * v["A"].T @ v["A"],
}


@pytest.mark.parametrize("problem_id", sorted(NUMPY_FORMULAS))
def test_the_expected_values_are_the_true_derivative(problem_id: str) -> None:
    problem = LIBRARY.by_id[problem_id]
    comparison = compared(problem, f"3 ({problem.answer})")
    truth = NUMPY_FORMULAS[problem_id](comparison.at)
    np.testing.assert_allclose(comparison.expected, truth, rtol=1e-10, atol=1e-12)
    assert comparison.answer is not None
    np.testing.assert_allclose(comparison.answer, 3 * truth, rtol=1e-10, atol=1e-12)
    data = comparison.to_json()
    assert data["expected_shape"] == list(truth.shape)


@pytest.mark.parametrize("problem", DERIVATIVES, ids=lambda p: p.id)
def test_central_differences_of_f_reproduce_the_expected_value(problem: Problem) -> None:
    comparison = compared(problem, f"2 ({problem.answer})")
    check = comparison.finite_difference
    assert check is not None, "no point where the differences of f agree with the answer"
    scale = max(1.0, float(np.abs(comparison.expected).max()))
    assert np.abs(check.value - comparison.expected).max() <= 1e-3 * scale
    assert f"h = {step_text(check.step)}" in check.formula


def test_the_differences_can_be_reproduced_from_the_numbers_shown() -> None:
    """What the learner is told (the point, h and the formula) gives the same numbers."""
    problem = LIBRARY.by_id["least-squares-gradient"]
    comparison = compared(problem, "X^T (X w - y)")
    at = comparison.at
    check = comparison.finite_difference
    assert check is not None

    def loss(w: Any) -> float:
        r = at["X"] @ w - at["y"]
        return float((r.T @ r).item())

    h = check.step
    by_hand = [
        (loss(at["w"] + h * e) - loss(at["w"] - h * e)) / (2 * h)
        for e in np.eye(at["w"].shape[0])[:, :, None]
    ]
    # equal up to rounding: f is summed in another order here, and h divides its error
    np.testing.assert_allclose(check.value[:, 0], by_hand, rtol=1e-6)
    # the point has short entries a learner can type again
    for value in at.values():
        np.testing.assert_array_equal(value, np.round(value, 2))


def test_the_first_entry_that_differs_is_the_first_that_differs() -> None:
    declared = {"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"]}}
    comparison = compare_answer(
        "(A + A^T) x",
        "2 A x",
        declared,
        derivative_of=DerivativeOf("x^T A x", "x"),
    )
    assert comparison is not None and comparison.answer is not None
    A, x = comparison.at["A"], comparison.at["x"]
    apart = ~np.isclose(2 * A @ x, (A + A.T) @ x, rtol=1e-8, atol=0)
    row = int(np.argmax(apart[:, 0]))
    first = comparison.first_difference
    assert first is not None
    assert (first.row, first.column) == (row + 1, 1)
    assert math.isclose(first.answer, float((2 * A @ x)[row, 0]))
    assert math.isclose(first.expected, float(((A + A.T) @ x)[row, 0]))


def test_the_point_is_the_same_every_time() -> None:
    problem = LIBRARY.by_id["quadratic-form-gradient"]
    one, two = compared(problem, "2 A x"), compared(problem, "2 A x")
    assert one.to_json() == two.to_json()


def test_a_gradient_in_two_variables_gets_the_two_fields_on_the_contour_plot() -> None:
    problem = LIBRARY.by_id["quadratic-form-gradient"]
    comparison = compared(problem, "2 A x")
    figure = comparison.figure
    assert figure is not None
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["f", "∇f, the derivative", "your answer", "the point"]
    A = comparison.at["A"]
    contour = figure["data"][0]
    # f on the grid is x^T A x, in NumPy
    gx, gy = contour["x"][3], contour["y"][5]
    point = np.array([[gx], [gy]])
    assert math.isclose(
        contour["z"][5][3], (point.T @ A @ point).item(), rel_tol=1e-4, abs_tol=1e-4
    )
    # each field's first arrow points along that field's value at its base
    for trace, field in ((figure["data"][1], A + A.T), (figure["data"][2], 2 * A)):
        base = np.array([[trace["x"][0]], [trace["y"][0]]])
        shaft = np.array([trace["x"][1] - trace["x"][0], trace["y"][1] - trace["y"][0]])
        value = (field @ base)[:, 0]
        cosine = shaft @ value / (np.linalg.norm(shaft) * np.linalg.norm(value))
        assert cosine > 0.999
    labels = [a["text"] for a in figure["layout"]["annotations"]]
    assert labels == ["∇f", "yours"]


def test_a_jacobian_of_the_plane_gets_the_two_linearisations_of_a_square() -> None:
    comparison = compared(LIBRARY.by_id["jacobian-of-x-hadamard-ax"], "diag(A x)")
    figure = comparison.figure
    assert figure is not None and comparison.figure_description is not None
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["f of the square", "the true linearisation", "yours", "f at the point"]
    A, x = comparison.at["A"], comparison.at["x"]

    def f(v: Any) -> Any:
        return v * (A @ v)

    jacobian = np.diag((A @ x)[:, 0]) + np.diag(x[:, 0]) @ A  # NumPy, by the product rule
    # each polyline starts at a corner of the square: d = (-r, -r) for the first line
    d = np.array([[-0.5], [-0.5]])
    curved, truth, yours = figure["data"][0], figure["data"][1], figure["data"][2]
    np.testing.assert_allclose([curved["x"][0], curved["y"][0]], f(x + d)[:, 0], rtol=1e-4)
    linear = f(x) + jacobian @ d
    np.testing.assert_allclose([truth["x"][0], truth["y"][0]], linear[:, 0], rtol=1e-4)
    mine = f(x) + np.diag((A @ x)[:, 0]) @ d
    np.testing.assert_allclose([yours["x"][0], yours["y"][0]], mine[:, 0], rtol=1e-4)


def test_no_figure_beyond_two_variables_or_for_a_hessian() -> None:
    assert compared(LIBRARY.by_id["trace-of-product-gradient"], "A").figure is None
    assert compared(LIBRARY.by_id["jacobian-of-linear-map"], "A^T A").figure is None
    assert compared(LIBRARY.by_id["quadratic-form-hessian"], "2 A").figure is None


def test_an_answer_of_another_shape_is_shown_with_its_shape() -> None:
    comparison = compared(LIBRARY.by_id["least-squares-gradient"], "2 (X w - y)^T X")
    data = comparison.to_json()
    assert data["first_difference"] is None
    assert data["answer_shape"] == [1, 2] and data["expected_shape"] == [2, 1]


def test_an_answer_with_no_value_there_is_shown_as_none() -> None:
    comparison = compare_answer("2 x", "log(-(x^2) - 1)", {"x": {"shape": []}})
    assert comparison is not None
    assert comparison.answer is None and comparison.to_json()["answer"] is None


def test_differentials_have_no_point_to_show() -> None:
    assert compare_answer("dX^T X + X^T dX", "2 X^T dX", {"X": {"shape": ["n", "n"]}}) is None


def test_parameters_keep_the_learners_values() -> None:
    values = {"A": np.array([[2.0, 1.0], [-3.0, 5.0]])}
    comparison = compare_answer(
        "A x", "A^T x", {"A": {"shape": [2, 2]}, "x": {"shape": [2]}}, fixed=values
    )
    assert comparison is not None
    np.testing.assert_array_equal(comparison.at["A"], values["A"])
    np.testing.assert_allclose(comparison.expected, values["A"] @ comparison.at["x"])
