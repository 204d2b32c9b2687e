"""The Jacobian as linearisation: a grid, its image under f, and a patch around p that the
linear map f(p) + J(p)(q − p) matches better and better as the patch shrinks.

>>> view = jacobian_view("[x + sin(y), y + sin(x)]", (0.0, 0.0), radius=0.5)
>>> view.jacobian, view.det
([[1.0, 1.0], [1.0, 1.0]], 0.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from app.mathcore.errors import LimitError
from app.viz.functions import PlaneMap, finite_point, plane_map
from app.viz.plotting import (
    COLORS,
    Figure,
    arrow,
    base_layout,
    clean_number,
    line_trace,
    point_trace,
    polylines,
    square_axis,
)

GRID_LINES = 13
GRID_SAMPLES = 60
PATCH_LINES = 7
PATCH_SAMPLES = 24
MIN_RADIUS, MAX_RADIUS = 1e-4, 2.0


@dataclass(frozen=True)
class JacobianView:
    value: list[float]
    jacobian: list[list[float]]
    det: float
    latex: str
    patch_error: float | None
    """Largest distance between f and its linearisation on the patch, divided by its radius:
    it falls to 0 with the radius when f is differentiable at p."""
    figure: Figure
    notes: list[str] = field(default_factory=list)
    """Said beside the numbers: a component with a kink or a jump at p, for example."""


def jacobian_view(
    f: str | Sequence[str], point: Sequence[float], radius: float = 0.5
) -> JacobianView:
    """Everything the Jacobian widget shows at ``point`` for the map ``f``."""
    px, py = finite_point(point, "the point p")
    if not MIN_RADIUS <= radius <= MAX_RADIUS:
        raise LimitError(f"the patch radius must be between {MIN_RADIUS:g} and {MAX_RADIUS:g}")
    fmap = plane_map(f)
    value = fmap.value(px, py)
    jac = fmap.jacobian_at(px, py)
    det = float(np.linalg.det(jac))
    patch, linear, error = _patch(fmap, (px, py), value, jac, radius)
    figure = _figure(fmap, (px, py), value, jac, radius, patch, linear)
    return JacobianView(
        value=[float(v) for v in value],
        jacobian=jac.tolist(),
        det=det,
        latex=fmap.latex,
        patch_error=error,
        figure=figure,
        notes=fmap.notes_at(px, py),
    )


def _patch(
    fmap: PlaneMap,
    p: tuple[float, float],
    value: tuple[float, float],
    jac: np.ndarray,
    radius: float,
) -> tuple[dict[str, Any], dict[str, Any], float | None]:
    """The patch's grid lines under f and under the linear map, and the largest gap / radius."""
    steps = np.linspace(-radius, radius, PATCH_LINES)
    along = np.linspace(-radius, radius, PATCH_SAMPLES)
    dx = np.concatenate([np.tile(along, (PATCH_LINES, 1)), np.tile(steps[:, None], PATCH_SAMPLES)])
    dy = np.concatenate([np.tile(steps[:, None], PATCH_SAMPLES), np.tile(along, (PATCH_LINES, 1))])
    u, v = fmap.images(p[0] + dx, p[1] + dy)
    lu = value[0] + jac[0, 0] * dx + jac[0, 1] * dy
    lv = value[1] + jac[1, 0] * dx + jac[1, 1] * dy
    with np.errstate(invalid="ignore"):
        gaps = np.hypot(u - lu, v - lv)
    error = float(np.nanmax(gaps)) / radius if np.isfinite(gaps).all() else None
    # Enough digits to tell points apart inside a patch of this radius.
    digits = 5 + max(0, int(np.ceil(-np.log10(radius))))
    patch = polylines(zip(u, v, strict=True), digits)
    linear = polylines(zip(lu, lv, strict=True), digits)
    return patch, linear, error


@lru_cache(maxsize=64)
def _grids(fmap: PlaneMap, half: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """The input grid and its image under f: depends on f and the window, not on p."""
    ticks = np.linspace(-half, half, GRID_LINES)
    along = np.linspace(-half, half, GRID_SAMPLES)
    xs = np.concatenate([np.tile(along, (GRID_LINES, 1)), np.tile(ticks[:, None], GRID_SAMPLES)])
    ys = np.concatenate([np.tile(ticks[:, None], GRID_SAMPLES), np.tile(along, (GRID_LINES, 1))])
    u, v = fmap.images(xs, ys)
    grid = polylines(((a[[0, -1]], b[[0, -1]]) for a, b in zip(xs, ys, strict=True)), 4)
    return grid, polylines(zip(u, v, strict=True), 4)


def _figure(
    fmap: PlaneMap,
    p: tuple[float, float],
    value: tuple[float, float],
    jac: np.ndarray,
    radius: float,
    patch: dict[str, Any],
    linear: dict[str, Any],
) -> Figure:
    half = max(3.0, float(np.ceil(max(abs(p[0]), abs(p[1])) + 1)))
    grid, image = _grids(fmap, half)
    corners_x = [p[0] - radius, p[0] + radius, p[0] + radius, p[0] - radius, p[0] - radius]
    corners_y = [p[1] - radius, p[1] - radius, p[1] + radius, p[1] + radius, p[1] - radius]
    square = {"x": [clean_number(c) for c in corners_x], "y": [clean_number(c) for c in corners_y]}
    columns = [jac[:, 0] * radius, jac[:, 1] * radius]
    # Frame the image panel on the patch, so shrinking the patch zooms in on f(p).
    reach = radius * max(1.0, float(np.abs(jac).sum(axis=1).max())) * 1.6
    traces = [
        line_trace(grid, "grid", COLORS["grid"], width=1, showlegend=False),
        line_trace(square, "patch around p", COLORS["patch"], width=2),
        point_trace(p[0], p[1], "p", COLORS["point"]),
        line_trace(image, "image of the grid", COLORS["grid"], width=1, axes="2", showlegend=False),
        line_trace(patch, "f(patch)", COLORS["patch"], width=2, axes="2"),
        line_trace(
            linear, "f(p) + J(p)(q − p)", COLORS["linear"], width=1.5, dash="dash", axes="2"
        ),
        point_trace(value[0], value[1], "f(p)", COLORS["point"], axes="2"),
    ]
    annotations = [
        arrow(p, (p[0] + radius, p[1]), COLORS["patch"], "e₁"),
        arrow(p, (p[0], p[1] + radius), COLORS["second"], "e₂"),
        arrow(
            value,
            (value[0] + columns[0][0], value[1] + columns[0][1]),
            COLORS["patch"],
            "J e₁",
            axes="2",
        ),
        arrow(
            value,
            (value[0] + columns[1][0], value[1] + columns[1][1]),
            COLORS["second"],
            "J e₂",
            axes="2",
        ),
    ]
    layout = base_layout(
        xaxis=square_axis(half, domain=[0, 0.47], title={"text": "input: x, y"}),
        yaxis=square_axis(half, "x"),
        xaxis2=square_axis(
            half,
            domain=[0.53, 1],
            anchor="y2",
            title={"text": "image: f₁, f₂"},
            range=[value[0] - reach, value[0] + reach],
        ),
        yaxis2=square_axis(half, "x2", anchor="x2", range=[value[1] - reach, value[1] + reach]),
        annotations=annotations,
        uirevision="jacobian",
    )
    return {"data": traces, "layout": layout}
