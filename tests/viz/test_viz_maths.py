"""The numbers behind the widgets, checked against finite differences and known cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.mathcore.errors import MathError
from app.viz.descent import descent_path
from app.viz.finite_differences import finite_difference_study
from app.viz.functions import plane_map, scalar_function
from app.viz.gradient import gradient_view
from app.viz.jacobian import jacobian_view
from app.viz.plotting import clean

DEFAULT_MAP = "[x + sin(y), y + sin(x)]"
H = 1e-6


def central_gradient(text: str, x: float, y: float) -> np.ndarray:
    f = scalar_function(text)
    return np.array(
        [
            (f.value(x + H, y) - f.value(x - H, y)) / (2 * H),
            (f.value(x, y + H) - f.value(x, y - H)) / (2 * H),
        ]
    )


@pytest.mark.parametrize("point", [(0.0, 0.0), (1.0, 1.0), (-0.5, 2.0), (math.pi, -1.0)])
def test_jacobian_of_the_default_map_is_identity_plus_cosines(point: tuple[float, float]) -> None:
    x, y = point
    view = jacobian_view(DEFAULT_MAP, point)
    expected = np.array([[1, math.cos(y)], [math.cos(x), 1]])
    np.testing.assert_allclose(view.jacobian, expected, atol=1e-12)
    assert view.det == pytest.approx(1 - math.cos(x) * math.cos(y), abs=1e-12)
    assert view.value == pytest.approx([x + math.sin(y), y + math.sin(x)])


@pytest.mark.parametrize(
    ("f", "point"),
    [
        (["x^2 - y", "x y"], (1.0, 1.0)),
        (["exp(x) cos(y)", "exp(x) sin(y)"], (0.3, -0.7)),
        (["x / (1 + y^2)", "tanh(x - y)"], (-1.2, 0.4)),
    ],
)
def test_jacobian_columns_match_central_differences(
    f: list[str], point: tuple[float, float]
) -> None:
    fmap = plane_map(f)
    x, y = point
    column_x = (np.array(fmap.value(x + H, y)) - np.array(fmap.value(x - H, y))) / (2 * H)
    column_y = (np.array(fmap.value(x, y + H)) - np.array(fmap.value(x, y - H))) / (2 * H)
    expected = np.column_stack([column_x, column_y])
    np.testing.assert_allclose(jacobian_view(f, point).jacobian, expected, atol=1e-7)


def test_the_patch_becomes_linear_as_it_shrinks() -> None:
    errors = [jacobian_view(DEFAULT_MAP, (1.0, 1.0), r).patch_error for r in (1, 0.1, 0.01)]
    assert all(e is not None for e in errors)
    assert errors[0] > 5 * errors[1] > 25 * errors[2] > 0  # roughly proportional to the radius


@pytest.mark.parametrize(
    ("f", "point"),
    [
        ("x^2 + 2 y^2", (1.0, 1.0)),
        ("sin(x) exp(y)", (0.4, -0.3)),
        ("log(1 + x^2 + y^2)", (-1.5, 2.0)),
        ("x^3 - 3 x y^2", (0.7, 0.2)),
    ],
)
def test_gradient_and_hessian_match_central_differences(f: str, point: tuple[float, float]) -> None:
    view = gradient_view(f, point)
    assert view.gradient == pytest.approx(central_gradient(f, *point).tolist(), abs=1e-6)
    x, y = point
    hessian_x = (central_gradient(f, x + 1e-4, y) - central_gradient(f, x - 1e-4, y)) / 2e-4
    hessian_y = (central_gradient(f, x, y + 1e-4) - central_gradient(f, x, y - 1e-4)) / 2e-4
    np.testing.assert_allclose(view.hessian, np.vstack([hessian_x, hessian_y]), atol=1e-3)


@pytest.mark.parametrize(
    ("f", "point", "critical", "classification", "eigenvalues"),
    [
        ("x^2 - y^2", (0.0, 0.0), True, "saddle", [-2.0, 2.0]),
        ("x^2 + 2 y^2", (0.0, 0.0), True, "minimum", [2.0, 4.0]),
        ("-x^2 - 3 y^2", (0.0, 0.0), True, "maximum", [-6.0, -2.0]),
        ("x^2 + y^4", (0.0, 0.0), True, "degenerate", [0.0, 2.0]),
        ("x^2 + 2 y^2", (1.0, 1.0), False, None, [2.0, 4.0]),
    ],
)
def test_critical_points_are_classified_by_the_hessian(
    f: str,
    point: tuple[float, float],
    critical: bool,
    classification: str | None,
    eigenvalues: list[float],
) -> None:
    view = gradient_view(f, point)
    assert (view.critical, view.classification) == (critical, classification)
    assert view.eigenvalues == pytest.approx(eigenvalues)
    for value, vector in zip(view.eigenvalues, view.eigenvectors, strict=True):
        assert np.array(view.hessian) @ vector == pytest.approx(value * np.array(vector))
    if not critical:
        assert "not a critical point" in view.message


def test_directional_derivative_is_the_gradient_along_the_unit_direction() -> None:
    view = gradient_view("x^2 + 2 y^2", (1.0, 1.0), (3.0, 4.0))
    assert view.direction == pytest.approx([0.6, 0.8])
    assert view.directional_derivative == pytest.approx(2 * 0.6 + 4 * 0.8)


@pytest.mark.parametrize(
    ("f", "x", "exact"),
    [("exp(x)", 1.0, math.e), ("sin(x)", 0.5, math.cos(0.5)), ("x^3", 2.0, 12.0)],
)
def test_central_differences_beat_forward_ones_at_moderate_h(
    f: str, x: float, exact: float
) -> None:
    study = finite_difference_study(f, x)
    assert study.exact == pytest.approx(exact)
    for index, h in enumerate(study.h):
        if 1e-4 <= h <= 1e-2:
            forward, central = study.errors["forward"][index], study.errors["central"][index]
            assert forward is not None and central is not None
            assert central < forward / 10


def test_best_steps_sit_where_truncation_meets_round_off() -> None:
    best = finite_difference_study("exp(x)", 1.0).best_h
    assert 1e-10 < best["forward"]["h"] < 1e-6  # about sqrt(machine epsilon)
    assert 1e-7 < best["central"]["h"] < 1e-3  # about its cube root
    assert best["central"]["error"] < best["forward"]["error"] / 100


def test_errors_fall_then_rise_over_h() -> None:
    study = finite_difference_study("exp(x)", 1.0)
    forward = dict(zip(study.h, study.errors["forward"], strict=True))
    smallest = forward[study.best_h["forward"]["h"]]
    assert smallest is not None
    assert forward[1.0] is not None and forward[1.0] > 1e4 * smallest  # truncation
    near_epsilon = [e for h, e in forward.items() if 1e-15 <= h <= 1e-13 and e is not None]
    assert near_epsilon and min(near_epsilon) > 100 * smallest  # round-off


def test_gradient_descent_walks_downhill_to_the_minimum() -> None:
    run = descent_path("x^2 + 2 y^2", (2.0, 1.0), "gradient", step=0.1, iterations=100)
    assert all(b < a for a, b in zip(run.values, run.values[1:], strict=False))
    assert run.path[1] == pytest.approx([2 - 0.1 * 4, 1 - 0.1 * 4])
    assert run.path[-1] == pytest.approx([0, 0], abs=1e-6)


def test_newton_solves_a_quadratic_in_one_step() -> None:
    run = descent_path("x^2 + 2 y^2 + x y", (2.0, -1.0), "newton", iterations=5)
    assert run.path[1] == pytest.approx([0, 0], abs=1e-12)
    assert run.status == "converged" and len(run.path) == 2


@pytest.mark.parametrize(
    ("f", "method", "step", "status"),
    [
        ("x^2 + 2 y^2", "gradient", 1.5, "diverged"),
        ("x^2 + y", "newton", 0.1, "singular"),
    ],
)
def test_descent_stops_when_it_cannot_go_on(f: str, method: str, step: float, status: str) -> None:
    run = descent_path(f, (1.0, 1.0), method, step, 50)  # type: ignore[arg-type]
    assert run.status == status


@pytest.mark.parametrize(
    ("call", "kind", "words"),
    [
        (lambda: gradient_view("x + z", (0, 0)), "syntax", "unknown variable z"),
        (lambda: gradient_view("[x, y]", (0, 0)), "shape", "scalar"),
        (lambda: gradient_view("log(x)", (-1, 0)), "unsupported", "not defined"),
        (lambda: jacobian_view(["x", "y", "x"], (0, 0)), "shape", "two components"),
        (lambda: jacobian_view("[x, y, x]", (0, 0)), "shape", "two components"),
        (lambda: finite_difference_study("x y", 1.0), "syntax", "unknown variable y"),
        (lambda: descent_path("x^2", (0, 0), iterations=10_000), "limit", "iterations"),
    ],
)
def test_bad_input_raises_a_learner_facing_math_error(call: object, kind: str, words: str) -> None:
    with pytest.raises(MathError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.kind == kind
    assert words in caught.value.message


def test_equivalent_texts_share_one_compiled_function() -> None:
    assert scalar_function("x^2+2*y^2") is scalar_function("x^2 + 2 y^2")


def test_json_numbers_are_finite_or_null() -> None:
    assert clean([1.0, math.nan, -math.inf, 2e-300]) == [1.0, None, None, 2e-300]
