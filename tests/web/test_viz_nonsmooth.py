"""Widgets take every function the language reads, with the calculator's derivatives.

relu, abs, sign and step once gave a 500 (SymPy's DiracDelta); now the widgets
differentiate through the project's engine and say so when p sits on a kink or a jump.
"""

from __future__ import annotations

import math

import pytest
from fastapi.testclient import TestClient

H = 1e-6

# f, a point away from every kink, the gradient there (by hand)
SMOOTH_POINTS = [
    ("relu(x) + y^2", [1.5, -2.0], [1.0, -4.0]),
    ("relu(x) + y^2", [-1.5, 0.5], [0.0, 1.0]),
    ("abs(x - 1) + 2 y", [3.0, 1.0], [1.0, 2.0]),
    ("abs(x - 1) + 2 y", [-3.0, 1.0], [-1.0, 2.0]),
    ("sign(x) y^2 + x", [2.0, 3.0], [1.0, 6.0]),
    ("step(y - 1) x^2", [2.0, 3.0], [4.0, 0.0]),
    ("abs(x y)", [2.0, -3.0], [3.0, -2.0]),
    ("relu(x + y)^2", [1.0, 2.0], [6.0, 6.0]),
]

# f, a point on a kink or a jump, what the note names
KINKS = [
    ("relu(x) + y^2", [0.0, 1.0], "relu(x)"),
    ("abs(x - 1) + y^2", [1.0, 0.0], "abs(x - 1)"),
    ("step(x) y", [0.0, 2.0], "step(x)"),
    ("sign(y) + x^2", [3.0, 0.0], "sign(y)"),
]


@pytest.mark.parametrize(("f", "point", "gradient"), SMOOTH_POINTS)
def test_the_gradient_of_a_non_smooth_function_is_right_away_from_its_kinks(
    client: TestClient, f: str, point: list[float], gradient: list[float]
) -> None:
    response = client.post("/api/viz/gradient", json={"f": f, "point": point})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["gradient"] == pytest.approx(gradient, abs=1e-9)
    assert body["notes"] == []


@pytest.mark.parametrize(("f", "point", "term"), KINKS)
def test_a_point_on_a_kink_or_a_jump_is_said_in_the_readout(
    client: TestClient, f: str, point: list[float], term: str
) -> None:
    response = client.post("/api/viz/gradient", json={"f": f, "point": point})
    assert response.status_code == 200, response.text
    notes = response.json()["notes"]
    assert len(notes) == 1 and term in notes[0] and "Not differentiable" in notes[0]


@pytest.mark.parametrize("method", ["gradient", "newton"])
@pytest.mark.parametrize("f", ["relu(x) + y^2", "abs(x) + abs(y)", "x^2 + step(y) y^2"])
def test_descent_runs_on_non_smooth_functions(client: TestClient, f: str, method: str) -> None:
    body = {"f": f, "start": [1.5, 1.0], "method": method, "step": 0.1, "iterations": 10}
    response = client.post("/api/viz/descent", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["status"] in {"converged", "max_iterations", "diverged", "singular"}


def test_the_jacobian_of_a_non_smooth_map_matches_central_differences(
    client: TestClient,
) -> None:
    point = [0.7, -1.3]
    response = client.post(
        "/api/viz/jacobian", json={"f": ["abs(x) y", "relu(y) + x"], "point": point}
    )
    assert response.status_code == 200, response.text
    jacobian = response.json()["jacobian"]

    def f(x: float, y: float) -> list[float]:
        return [abs(x) * y, max(y, 0.0) + x]

    x, y = point
    columns = [
        [(a - b) / (2 * H) for a, b in zip(f(x + H, y), f(x - H, y), strict=True)],
        [(a - b) / (2 * H) for a, b in zip(f(x, y + H), f(x, y - H), strict=True)],
    ]
    expected = [[columns[0][0], columns[1][0]], [columns[0][1], columns[1][1]]]
    for row, expected_row in zip(jacobian, expected, strict=True):
        assert row == pytest.approx(expected_row, abs=1e-6)
    assert not math.isnan(response.json()["det"])


def test_the_jacobian_at_a_kink_says_so(client: TestClient) -> None:
    response = client.post("/api/viz/jacobian", json={"f": ["abs(x)", "y"], "point": [0, 1]})
    assert response.status_code == 200
    assert "abs(x)" in response.json()["notes"][0]
