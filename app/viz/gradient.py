"""Gradient, level sets and the Hessian at a point: the numbers and the figures.

>>> view = gradient_view("x^2 - y^2", (0.0, 0.0))
>>> view.critical, view.classification, view.eigenvalues
(True, 'saddle', [-2.0, 2.0])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from app.mathcore.errors import ShapeError
from app.viz.contours import contour_traces, surface_trace
from app.viz.functions import ScalarFunction, finite_point, scalar_function
from app.viz.plotting import (
    COLORS,
    EIGEN_STYLES,
    SUBSCRIPTS,
    Figure,
    arrow,
    base_layout,
    clean,
    clean_number,
    line_trace,
    point_trace,
    square_axis,
    window_half_width,
)

Classification = Literal["minimum", "maximum", "saddle", "degenerate"]
CRITICAL_TOLERANCE = 1e-8
SINGULAR_TOLERANCE = 1e-9


@dataclass(frozen=True)
class GradientView:
    value: float
    gradient: list[float]
    hessian: list[list[float]]
    eigenvalues: list[float]
    eigenvectors: list[list[float]]
    """Unit eigenvectors, one per eigenvalue (each a list [u1, u2])."""
    critical: bool
    classification: Classification | None
    message: str
    directional_derivative: float | None
    direction: list[float] | None
    latex: str
    figure: Figure
    surface: Figure
    notes: list[str] = field(default_factory=list)
    """Said beside the numbers: a kink or a jump of f at p, where no derivative exists."""


def classify(gradient: Sequence[float], hessian: np.ndarray) -> tuple[bool, Classification | None]:
    """Whether p is critical and, if so, what the Hessian's eigenvalues say about it.

    >>> classify([0.0, 0.0], np.diag([2.0, 4.0]))
    (True, 'minimum')
    >>> classify([0.0, 0.0], np.diag([2.0, 0.0]))
    (True, 'degenerate')
    >>> classify([1.0, 0.0], np.diag([2.0, 4.0]))
    (False, None)
    """
    if math.hypot(*gradient) > CRITICAL_TOLERANCE:
        return False, None
    eigenvalues = np.linalg.eigvalsh(hessian)
    scale = max(1.0, float(np.abs(eigenvalues).max()))
    if np.any(np.abs(eigenvalues) <= SINGULAR_TOLERANCE * scale):
        return True, "degenerate"
    if np.all(eigenvalues > 0):
        return True, "minimum"
    if np.all(eigenvalues < 0):
        return True, "maximum"
    return True, "saddle"


MESSAGES: dict[Classification | None, str] = {
    "minimum": "∇f(p) = 0 and the Hessian is positive definite: a local minimum.",
    "maximum": "∇f(p) = 0 and the Hessian is negative definite: a local maximum.",
    "saddle": "∇f(p) = 0 and the Hessian is indefinite: a saddle point.",
    "degenerate": (
        "∇f(p) = 0 and the Hessian is singular: along a flat direction the second "
        "derivative says nothing, so higher-order terms decide."
    ),
    None: "∇f(p) ≠ 0, so p is not a critical point; the Hessian gives the curvature here.",
}


def gradient_view(
    f: str, point: Sequence[float], direction: Sequence[float] | None = None
) -> GradientView:
    """Everything the gradient and Hessian widgets show at ``point``."""
    px, py = finite_point(point, "the point p")
    fn = scalar_function(f)
    value = fn.value(px, py)
    gradient = fn.gradient_at(px, py)
    hessian = fn.hessian_at(px, py)
    hessian = (hessian + hessian.T) / 2  # symmetric up to rounding; eigh needs it exactly
    eigenvalues, eigenvectors = np.linalg.eigh(hessian)
    critical, classification = classify(gradient, hessian)
    unit: list[float] | None = None
    directional: float | None = None
    if direction is not None:
        u1, u2 = finite_point(direction, "the direction u")
        norm = math.hypot(u1, u2)
        if norm == 0:
            raise ShapeError("the direction u must be a non-zero vector", None)
        unit = [u1 / norm, u2 / norm]
        directional = gradient[0] * unit[0] + gradient[1] * unit[1]
    half = window_half_width((px, py))
    vectors = [eigenvectors[:, i].tolist() for i in range(2)]
    figure = _contour_figure(fn, half, (px, py), gradient, unit, eigenvalues, vectors)
    return GradientView(
        value=value,
        gradient=list(gradient),
        hessian=hessian.tolist(),
        eigenvalues=eigenvalues.tolist(),
        eigenvectors=vectors,
        critical=critical,
        classification=classification,
        message=MESSAGES[classification],
        directional_derivative=directional,
        direction=unit,
        latex=fn.latex,
        figure=figure,
        surface=_surface_figure(fn, half, (px, py), value, gradient),
        notes=fn.notes_at(px, py),
    )


def _contour_figure(
    fn: ScalarFunction,
    half: float,
    p: tuple[float, float],
    gradient: tuple[float, float],
    unit: list[float] | None,
    eigenvalues: np.ndarray,
    eigenvectors: list[list[float]],
) -> Figure:
    contour, quiver = contour_traces(fn, half)
    reach = half / 3
    norm = math.hypot(*gradient)
    traces: list[dict[str, Any]] = [contour, quiver]
    annotations = []
    if norm > CRITICAL_TOLERANCE:
        # The level curve through p runs at right angles to ∇f(p).
        tx, ty = -gradient[1] / norm * reach, gradient[0] / norm * reach
        tangent = {"x": clean([p[0] - tx, p[0] + tx]), "y": clean([p[1] - ty, p[1] + ty])}
        traces.append(line_trace(tangent, "level set tangent", COLORS["point"], dash="dot"))
        shown = min(norm, reach) / norm
        tip = (p[0] + gradient[0] * shown, p[1] + gradient[1] * shown)
        annotations.append(arrow(p, tip, "#c92a2a", "∇f(p)"))
    if unit is not None:
        tip = (p[0] + unit[0] * reach * 0.8, p[1] + unit[1] * reach * 0.8)
        annotations.append(arrow(p, tip, COLORS["newton"], "u"))
    # eigh sorts the eigenvalues, so λ₁ ≤ λ₂ and each keeps its colour as p moves.
    for index, (value, vector) in enumerate(zip(eigenvalues.tolist(), eigenvectors, strict=True)):
        color, dash = EIGEN_STYLES[index]
        ends = {
            "x": clean([p[0] - vector[0] * reach, p[0] + vector[0] * reach]),
            "y": clean([p[1] - vector[1] * reach, p[1] + vector[1] * reach]),
        }
        name = f"eigenvector of λ{SUBSCRIPTS[index]} = {_number(value)}"
        traces.append(line_trace(ends, name, COLORS[color], width=3, dash=dash))
    traces.append(point_trace(p[0], p[1], "p", COLORS["point"]))
    layout = base_layout(
        xaxis=square_axis(half, title={"text": "x"}),
        yaxis=square_axis(half, "x", title={"text": "y"}),
        annotations=annotations,
        uirevision="gradient",
    )
    return {"data": traces, "layout": layout}


def _number(value: float) -> str:
    """Three significant digits and a true minus sign; rounding noise (below the tolerance
    that calls a Hessian singular) shows as 0.

    >>> _number(-2.0), _number(0.123456), _number(-1e-17)
    ('−2', '0.123', '0')
    """
    if abs(value) <= SINGULAR_TOLERANCE:
        return "0"
    return f"{value:.3g}".replace("-", "−")


def _surface_figure(
    fn: ScalarFunction,
    half: float,
    p: tuple[float, float],
    value: float,
    gradient: tuple[float, float],
) -> Figure:
    side = np.linspace(-half / 3, half / 3, 2)
    dx, dy = np.meshgrid(side, side)
    plane_z = value + gradient[0] * dx + gradient[1] * dy
    plane = {
        "type": "surface",
        "x": clean(p[0] + side),
        "y": clean(p[1] + side),
        "z": [clean(row) for row in plane_z],
        "colorscale": [[0, COLORS["linear"]], [1, COLORS["linear"]]],
        "opacity": 0.6,
        "showscale": False,
        "name": "tangent plane",
        "hoverinfo": "skip",
    }
    marker = {
        "type": "scatter3d",
        "mode": "markers",
        "x": [clean_number(p[0])],
        "y": [clean_number(p[1])],
        "z": [clean_number(value)],
        "marker": {"size": 5, "color": COLORS["point"]},
        "name": "(p, f(p))",
    }
    layout = base_layout(
        margin={"l": 0, "r": 0, "t": 10, "b": 0},
        scene={
            "xaxis": {"title": {"text": "x"}},
            "yaxis": {"title": {"text": "y"}},
            "zaxis": {"title": {"text": "f"}},
            "aspectmode": "cube",
        },
        showlegend=False,
        uirevision="surface",
    )
    return {"data": [surface_trace(fn, half), plane, marker], "layout": layout}
