"""Gradient descent and Newton's method on f(x, y), iteration by iteration.

>>> run = descent_path("x^2 + 2 y^2", (2.0, 1.0), "newton", iterations=3)
>>> run.path[:2], run.status
([[2.0, 1.0], [0.0, 0.0]], 'converged')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from app.mathcore.errors import LimitError
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


@dataclass(frozen=True)
class DescentRun:
    path: list[list[float]]
    values: list[float]
    status: Status
    figure: Figure
    notes: list[str] = field(default_factory=list)
    """Where the path met a kink or a jump of f, so a step used a subgradient."""


def descent_path(
    f: str,
    start: Sequence[float],
    method: Method = "gradient",
    step: float = 0.1,
    iterations: int = 20,
) -> DescentRun:
    """Iterate from ``start``: x ← x − step ∇f(x), or x ← x − H(x)⁻¹ ∇f(x) for Newton.

    Stops early when the gradient vanishes (converged), the iterate runs off to infinity or
    f is undefined there (diverged), or Newton's Hessian is singular.
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
    notes = next(
        (
            [f"At step {k}: {note}" for note in fn.notes_at(*point_k)]
            for k, point_k in enumerate(path)
            if fn.notes_at(*point_k)
        ),
        [],
    )
    figure = _figure(fn, path, method)
    return DescentRun(path=path, values=values, status=status, figure=figure, notes=notes)


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
