"""The level-set background shared by the gradient, Hessian and descent figures.

It depends only on f and the window, so it is computed once per (function, window) and
reused while the learner moves the point.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from app.viz.functions import ScalarFunction
from app.viz.plotting import clean

CONTOUR_SAMPLES = 61
QUIVER_SAMPLES = 11
SURFACE_SAMPLES = 33


@lru_cache(maxsize=64)
def contour_traces(f: ScalarFunction, half: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """A filled contour plot of f and its gradient field as short arrows (one trace)."""
    axis = np.linspace(-half, half, CONTOUR_SAMPLES)
    xs, ys = np.meshgrid(axis, axis)
    zs = f.values(xs, ys)
    contour = {
        "type": "contour",
        "x": clean(axis, 5),
        "y": clean(axis, 5),
        "z": [clean(row, 5) for row in zs],
        "colorscale": "Blues",
        "reversescale": True,
        "opacity": 0.75,
        "ncontours": 18,
        "contours": {"coloring": "heatmap", "showlines": True},
        "line": {"color": "rgba(30,30,30,0.35)", "width": 1},
        "showscale": False,
        "name": "f",
        "hovertemplate": "f(%{x:.2f}, %{y:.2f}) = %{z:.3g}<extra></extra>",
    }
    return contour, _quiver(f, half)


def _quiver(f: ScalarFunction, half: float) -> dict[str, Any]:
    """Gradient arrows on a coarse grid, scaled to the spacing (directions matter, lengths
    grow with |∇f| up to one cell)."""
    axis = np.linspace(-half, half, QUIVER_SAMPLES)[1:-1]
    xs, ys = np.meshgrid(axis, axis)
    gx, gy = f.gradients(xs, ys)
    norms = np.hypot(gx, gy)
    with np.errstate(all="ignore"):
        top = np.nanmax(norms[np.isfinite(norms)]) if np.isfinite(norms).any() else 1.0
        scale = 0.8 * (axis[1] - axis[0]) / (top if top > 0 else 1.0)
        # sqrt keeps small gradients visible next to large ones
        lengths = np.sqrt(norms / (top if top > 0 else 1.0)) * top * scale
        ux, uy = gx / norms, gy / norms
    xs_out: list[float | None] = []
    ys_out: list[float | None] = []
    for x0, y0, dx, dy, length in zip(
        xs.ravel(), ys.ravel(), ux.ravel(), uy.ravel(), lengths.ravel(), strict=True
    ):
        if not (np.isfinite(dx) and np.isfinite(dy) and np.isfinite(length)) or length == 0:
            continue
        x1, y1 = x0 + dx * length, y0 + dy * length
        head = 0.3 * length
        # the shaft, then the two barbs of the head
        left = (x1 + head * (-dx + 0.5 * dy), y1 + head * (-dy - 0.5 * dx))
        right = (x1 + head * (-dx - 0.5 * dy), y1 + head * (-dy + 0.5 * dx))
        xs_out += [x0, x1, left[0], None, x1, right[0], None]
        ys_out += [y0, y1, left[1], None, y1, right[1], None]
    return {
        "type": "scatter",
        "mode": "lines",
        "name": "∇f field",
        "x": [None if v is None else round(float(v), 4) for v in xs_out],
        "y": [None if v is None else round(float(v), 4) for v in ys_out],
        "line": {"color": "rgba(180,40,40,0.7)", "width": 1.2},
        "hoverinfo": "skip",
    }


@lru_cache(maxsize=32)
def surface_trace(f: ScalarFunction, half: float) -> dict[str, Any]:
    axis = np.linspace(-half, half, SURFACE_SAMPLES)
    xs, ys = np.meshgrid(axis, axis)
    zs = f.values(xs, ys)
    return {
        "type": "surface",
        "x": clean(axis, 5),
        "y": clean(axis, 5),
        "z": [clean(row, 5) for row in zs],
        "colorscale": "Blues",
        "reversescale": True,
        "opacity": 0.9,
        "showscale": False,
        "name": "f",
        "contours": {"z": {"show": True, "usecolormap": True, "project": {"z": False}}},
    }
