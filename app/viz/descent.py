"""Gradient descent and Newton's method on f(x, y), iteration by iteration.

>>> run = descent_path("x^2 + 2 y^2", (2.0, 1.0), "newton", iterations=3)
>>> run.path[:2], run.status
([[2.0, 1.0], [0.0, 0.0]], 'converged')
>>> run = descent_path("x^2 + 2 y^2", (2.0, 1.0), step=0.6)
>>> run.status, run.reason  # doctest: +ELLIPSIS
('diverged', 'step × λₘₐₓ = 0.6 × 4 = 2.4 > 2, where λₘₐₓ is the largest eigenvalue ...')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from app.mathcore.errors import LimitError, MathError
from app.viz.contours import contour_traces
from app.viz.functions import ScalarFunction, finite_point, scalar_function
from app.viz.plotting import (
    COLORS,
    Figure,
    base_layout,
    clean,
    point_trace,
    square_axis,
    window_half_width,
)

Method = Literal["gradient", "newton"]
Status = Literal["converged", "max_iterations", "diverged", "singular"]
MAX_ITERATIONS = 200
MAX_STEP = 100.0
ESCAPE = 1e6
TOLERANCE = 1e-10
RISING = 3
"""A run whose f rose at each of its last RISING steps, to above f at the start, diverged."""


@dataclass(frozen=True)
class DescentRun:
    path: list[list[float]]
    values: list[float]
    status: Status
    figure: Figure
    notes: list[str] = field(default_factory=list)
    """Where the path met a kink or a jump of f, so a step used a subgradient."""
    reason: str | None = None
    """Why a diverged run diverged, in words a learner can act on."""


def descent_path(
    f: str,
    start: Sequence[float],
    method: Method = "gradient",
    step: float = 0.1,
    iterations: int = 20,
) -> DescentRun:
    """Iterate from ``start``: x ← x − step ∇f(x), or x ← x − H(x)⁻¹ ∇f(x) for Newton.

    Stops early when the gradient vanishes (converged), the iterate runs off to infinity or
    f is undefined there (diverged), or Newton's Hessian is singular. A run that used all its
    iterations while f kept rising, to above where it started, diverged too. A diverged run
    says why in ``reason``.
    """
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise LimitError(f"iterations must be between 1 and {MAX_ITERATIONS}, not {iterations}")
    if not (math.isfinite(step) and 0 < step <= MAX_STEP):
        raise LimitError(f"the step size must be positive and at most {MAX_STEP:g}")
    point = np.array(finite_point(start, "the start point"))
    fn = scalar_function(f)
    path = [point.tolist()]
    values = [fn.value(*path[0])]
    status: Status = "max_iterations"
    for _ in range(iterations):
        gradient = np.array(fn.gradient_at(float(point[0]), float(point[1])))
        if np.linalg.norm(gradient) <= TOLERANCE:
            status = "converged"
            break
        if method == "newton":
            try:
                move = np.linalg.solve(fn.hessian_at(float(point[0]), float(point[1])), gradient)
            except np.linalg.LinAlgError:
                status = "singular"
                break
        else:
            move = step * gradient
        point = point - move
        value = float(fn.values(np.array(point[0]), np.array(point[1])))
        if (
            not (np.all(np.isfinite(point)) and math.isfinite(value))
            or np.abs(point).max() > ESCAPE
        ):
            status = "diverged"
            break
        path.append(point.tolist())
        values.append(value)
    else:
        last = path[-1]
        if np.linalg.norm(fn.gradient_at(last[0], last[1])) <= TOLERANCE:
            status = "converged"
        elif _rising(values):
            status = "diverged"
    reason = _why_diverged(fn, path, values, method, step) if status == "diverged" else None
    notes = next(
        (
            [f"At step {k}: {note}" for note in fn.notes_at(*point_k)]
            for k, point_k in enumerate(path)
            if fn.notes_at(*point_k)
        ),
        [],
    )
    figure = _figure(fn, path, method)
    return DescentRun(
        path=path, values=values, status=status, figure=figure, notes=notes, reason=reason
    )


def _rising(values: Sequence[float]) -> bool:
    """Whether f rose at each of the last RISING steps and ends above its start.

    >>> _rising([5.0, 1.0, 2.0, 3.0, 4.0]), _rising([5.0, 1.0, 2.0, 3.0, 6.0])
    (False, True)
    """
    tail = values[-RISING - 1 :]
    return (
        len(values) > RISING
        and all(after > before for before, after in zip(tail, tail[1:], strict=False))
        and values[-1] > values[0]
    )


def _rise_start(values: Sequence[float]) -> int:
    """The step from which f rose at every step to the end of ``values``."""
    k = len(values) - 1
    while k > 0 and values[k - 1] < values[k]:
        k -= 1
    return k


def _why_diverged(
    fn: ScalarFunction, path: list[list[float]], values: list[float], method: Method, step: float
) -> str:
    """Why the iterates ran away: for gradient descent, the step against the curvature
    (on a quadratic it converges exactly when step × λₘₐₓ < 2); for Newton's method, a
    Hessian that is not positive definite, or a quadratic model too far from f."""
    k = _rise_start(values)
    if k == len(values) - 1 and values[-1] <= values[0]:
        return (
            f"the iterates grew past {ESCAPE:g} while f kept decreasing: f has no minimum "
            "along this path (it is unbounded below)"
        )
    try:
        eigenvalues = np.linalg.eigvalsh(fn.hessian_at(*path[k]))
    except MathError:
        eigenvalues = None
    where = "at the start" if k == 0 else f"at step {k}"
    since = "from the start" if k == 0 else f"from step {k}"
    if method == "newton":
        if eigenvalues is not None and eigenvalues.min() <= 0:
            shown = ", ".join(f"{v:.3g}" for v in eigenvalues)
            return (
                f"the Hessian {where} is not positive definite (eigenvalues {shown}), so "
                "Newton's step heads for a saddle or a maximum, not downhill"
            )
        return (
            f"f rose at every step {since}: this far from a minimum, the quadratic "
            "model whose minimum Newton's method jumps to is a poor guide to f; start closer"
        )
    if eigenvalues is not None:
        largest = float(eigenvalues.max())
        product = step * largest
        if product > 2:
            return (
                f"step × λₘₐₓ = {step:.3g} × {largest:.3g} = {product:.3g} > 2, where λₘₐₓ is "
                f"the largest eigenvalue of the Hessian {where}: the step is too large for the "
                "curvature, so each step overshoots along that eigenvector and lands further "
                "away (on a quadratic, gradient descent converges only if step × λₘₐₓ < 2)"
            )
    return (
        f"f rose at every step {since}: the step {step:.3g} is too large for the "
        "curvature along the path; try a smaller step"
    )


def _figure(fn: ScalarFunction, path: list[list[float]], method: Method) -> Figure:
    half = window_half_width(path[0])
    contour, quiver = contour_traces(fn, half)
    quiver = {**quiver, "visible": "legendonly"}
    color = COLORS["newton"] if method == "newton" else COLORS["path"]
    label = "Newton's method" if method == "newton" else "gradient descent"
    steps = {
        "type": "scatter",
        "mode": "lines+markers",
        "name": label,
        "x": clean([p[0] for p in path]),
        "y": clean([p[1] for p in path]),
        "line": {"color": color, "width": 2},
        "marker": {"color": color, "size": 7},
        "customdata": list(range(len(path))),
        "hovertemplate": "step %{customdata}: (%{x:.3g}, %{y:.3g})<extra></extra>",
    }
    layout = base_layout(
        xaxis=square_axis(half, title={"text": "x"}),
        yaxis=square_axis(half, "x", title={"text": "y"}),
        uirevision="descent",
    )
    start = point_trace(path[0][0], path[0][1], "start", COLORS["point"], symbol="diamond")
    return {"data": [contour, quiver, steps, start], "layout": layout}
