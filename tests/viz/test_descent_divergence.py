"""A descent run that runs away says it diverged, and why, in numbers a learner can check."""

from __future__ import annotations

import re

import numpy as np
import pytest

from app.viz.descent import descent_path
from app.viz.functions import scalar_function

# f, start, method, step, iterations, status, words the reason holds (None: no reason)
RUNS = [
    # x^2 + 2 y^2 has Hessian diag(2, 4): gradient descent converges iff step × 4 < 2.
    (
        "x^2 + 2 y^2",
        (2.0, 1.0),
        "gradient",
        0.6,
        20,
        "diverged",
        "step × λₘₐₓ = 0.6 × 4 = 2.4 > 2",
    ),
    ("x^2 + 2 y^2", (2.0, 1.0), "gradient", 1.5, 50, "diverged", "step × λₘₐₓ = 1.5 × 4 = 6 > 2"),
    ("3 x^2 + y^2 + x y", (1.0, -1.0), "gradient", 0.4, 30, "diverged", "> 2"),
    ("x^2 + 2 y^2", (2.0, 1.0), "gradient", 0.49, 20, "max_iterations", None),
    ("x^2 + 2 y^2", (2.5, 1.5), "gradient", 0.1, 20, "max_iterations", None),
    ("x^2 + 2 y^2", (2.0, 1.0), "gradient", 0.25, 200, "converged", None),
    # Unbounded below: the iterates run off while f keeps falling.
    ("-x^2 - y^2", (1.0, 1.0), "gradient", 0.5, 50, "diverged", "unbounded below"),
    # Newton on sqrt(1 + x^2): x ← -x^3, so from |x| > 1 it runs away.
    ("sqrt(1 + x^2) + sqrt(1 + y^2)", (2.0, 2.0), "newton", 0.1, 20, "diverged", "start closer"),
    ("sqrt(1 + x^2) + sqrt(1 + y^2)", (0.5, 0.5), "newton", 0.1, 20, "converged", None),
]


@pytest.mark.parametrize(("f", "start", "method", "step", "iterations", "status", "words"), RUNS)
def test_a_run_says_whether_it_diverged_and_why(
    f: str,
    start: tuple[float, float],
    method: str,
    step: float,
    iterations: int,
    status: str,
    words: str | None,
) -> None:
    run = descent_path(f, start, method, step, iterations)  # type: ignore[arg-type]
    assert run.status == status
    if words is None:
        assert run.reason is None
    else:
        assert run.reason is not None and words in run.reason


def hessian_by_differences(f: str, x: float, y: float, h: float = 1e-4) -> np.ndarray:
    fn = scalar_function(f)
    columns = []
    for dx, dy in ((h, 0.0), (0.0, h)):
        ahead = np.array(fn.gradient_at(x + dx, y + dy))
        behind = np.array(fn.gradient_at(x - dx, y - dy))
        columns.append((ahead - behind) / (2 * h))
    return np.column_stack(columns)


@pytest.mark.parametrize(
    ("f", "start", "step"),
    [("x^2 + 2 y^2", (2.0, 1.0), 0.6), ("3 x^2 + y^2 + x y", (1.0, -1.0), 0.4)],
)
def test_the_curvature_in_the_reason_is_the_hessians_largest_eigenvalue(
    f: str, start: tuple[float, float], step: float
) -> None:
    run = descent_path(f, start, "gradient", step, 30)
    assert run.reason is not None
    found = re.search(r"step × λₘₐₓ = ([-\d.e+]+) × ([-\d.e+]+) = ([-\d.e+]+) > 2", run.reason)
    assert found is not None
    shown_step, shown_largest, shown_product = (float(g) for g in found.groups())
    largest = float(np.linalg.eigvalsh(hessian_by_differences(f, *start)).max())
    assert shown_step == step
    assert shown_largest == pytest.approx(largest, rel=5e-3)  # shown to 3 significant digits
    assert shown_product == pytest.approx(step * largest, rel=5e-3) and step * largest > 2
    # and the run did what the reason says: f rose over its last steps, to above its start
    assert run.values[-1] > run.values[-2] > run.values[-3] and run.values[-1] > run.values[0]
