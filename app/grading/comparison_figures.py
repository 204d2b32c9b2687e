"""The figures of a comparison (:mod:`app.grading.comparison`): Plotly JSON, built from the
trees at the comparison's point, as the explore widgets' figures are (app.viz).

A gradient in two variables: the contour plot of f with the true gradient field and the
answer's. A Jacobian of a map of the plane: a small square around the point, its image under
f, and the images under the true linearisation and the answer's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from app.grading.numeric import value_of
from app.mathcore.evaluate import Array, Evaluator
from app.mathcore.tree import Expr
from app.viz.plotting import (
    COLORS,
    Figure,
    arrow,
    base_layout,
    clean,
    line_trace,
    point_trace,
    polylines,
)

GRID = 25
"""Samples per axis of the contour plot: 625 values of f."""
ARROWS = 7
"""Arrows per axis of each gradient field."""
PATCH_LINES = 5
"""Lines each way across the square patch."""
PATCH_SAMPLES = 16
PATCH_RADIUS = 0.5
"""Half the side of the square around the point: small enough for the linearisation to be
close, large enough to see a wrong one."""
TRUTH_COLOR = "#c92a2a"
ANSWER_COLOR = COLORS["newton"]


def field_figure(
    f: Expr,
    truth: Expr,
    answer: Expr,
    values: Mapping[str, Array],
    sizes: Mapping[str, int],
    wrt: str,
) -> Figure | None:
    """The contour plot of f in the plane of ``wrt`` (two entries; the other variables held
    at the point), with the true gradient field and the learner's, and both at the point.

    ``None`` unless f is a scalar and both gradients are 2×1 at every sample drawn.
    """
    center = values[wrt]
    if center.shape != (2, 1):
        return None
    half = max(1.0, math.ceil(float(np.abs(center).max()) * 0.75))
    axis_x = np.linspace(center[0, 0] - half, center[0, 0] + half, GRID)
    axis_y = np.linspace(center[1, 0] - half, center[1, 0] + half, GRID)

    def at(x: float, y: float, expr: Expr) -> Array | None:
        point = np.array([[x], [y]])
        return value_of(Evaluator({**values, wrt: point}, sizes), expr)

    heights = np.full((GRID, GRID), np.nan)
    for i, y in enumerate(axis_y):
        for j, x in enumerate(axis_x):
            value = at(float(x), float(y), f)
            if value is not None and value.shape == (1, 1):
                heights[i, j] = value[0, 0]
    if not np.isfinite(heights).any():
        return None
    arrows_x = np.linspace(axis_x[0], axis_x[-1], ARROWS + 2)[1:-1]
    arrows_y = np.linspace(axis_y[0], axis_y[-1], ARROWS + 2)[1:-1]
    fields: dict[str, list[tuple[float, float, float, float]]] = {"truth": [], "answer": []}
    for y in arrows_y:
        for x in arrows_x:
            for key, expr in (("truth", truth), ("answer", answer)):
                value = at(float(x), float(y), expr)
                if value is not None and value.shape == (2, 1):
                    fields[key].append((float(x), float(y), value[0, 0], value[1, 0]))
    cell = float(arrows_x[1] - arrows_x[0]) if ARROWS > 1 else half
    norms = [math.hypot(dx, dy) for field in fields.values() for _, _, dx, dy in field]
    top = max(norms, default=0.0) or 1.0
    at_truth = at(center[0, 0], center[1, 0], truth)
    at_answer = at(center[0, 0], center[1, 0], answer)
    contour = {
        "type": "contour",
        "x": clean(axis_x, 5),
        "y": clean(axis_y, 5),
        "z": [clean(row, 5) for row in heights],
        "colorscale": "Blues",
        "reversescale": True,
        "opacity": 0.5,  # light enough for both fields' arrows to read on it
        "ncontours": 16,
        "contours": {"coloring": "heatmap", "showlines": True},
        "line": {"color": "rgba(30,30,30,0.35)", "width": 1},
        "showscale": False,
        "name": "f",
        "hovertemplate": "f(%{x:.2f}, %{y:.2f}) = %{z:.3g}<extra></extra>",
    }
    traces: list[dict[str, Any]] = [
        contour,
        _arrow_trace(fields["truth"], top, cell, "∇f, the derivative", TRUTH_COLOR, "solid"),
        _arrow_trace(fields["answer"], top, cell, "your answer", ANSWER_COLOR, "solid"),
        point_trace(center[0, 0], center[1, 0], "the point", COLORS["point"]),
    ]
    annotations = []
    reach = half / 2
    for value, color, label in ((at_truth, TRUTH_COLOR, "∇f"), (at_answer, ANSWER_COLOR, "yours")):
        if value is None or value.shape != (2, 1):
            continue
        norm = math.hypot(value[0, 0], value[1, 0])
        if norm == 0:
            continue
        shown = reach * math.sqrt(norm / top) / norm
        start = (center[0, 0], center[1, 0])
        tip = (start[0] + value[0, 0] * shown, start[1] + value[1, 0] * shown)
        note = arrow(start, tip, color, label)
        if label == "yours":  # labels on either side, so the two never cover each other
            note["xanchor"] = "right"
        annotations.append(note)
    layout = base_layout(
        xaxis={
            "range": [float(axis_x[0]), float(axis_x[-1])],
            "title": {"text": f"{wrt}<sub>1</sub>"},
            "fixedrange": True,
            "constrain": "domain",
        },
        yaxis={
            "range": [float(axis_y[0]), float(axis_y[-1])],
            "title": {"text": f"{wrt}<sub>2</sub>"},
            "fixedrange": True,
            "scaleanchor": "x",
            "constrain": "domain",
        },
        annotations=annotations,
        uirevision="comparison",
    )
    return {"data": traces, "layout": layout}


def _arrow_trace(
    field: list[tuple[float, float, float, float]],
    top: float,
    cell: float,
    name: str,
    color: str,
    dash: str,
) -> dict[str, Any]:
    """Arrows of one field as one trace; lengths grow like sqrt(|g|), one scale for both
    fields so the longer arrow is the larger gradient."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for x0, y0, gx, gy in field:
        norm = math.hypot(gx, gy)
        if not math.isfinite(norm) or norm == 0:
            continue
        length = 0.85 * cell * math.sqrt(norm / top)
        dx, dy = gx / norm, gy / norm
        x1, y1 = x0 + dx * length, y0 + dy * length
        head = 0.3 * length
        left = (x1 + head * (-dx + 0.5 * dy), y1 + head * (-dy - 0.5 * dx))
        right = (x1 + head * (-dx - 0.5 * dy), y1 + head * (-dy + 0.5 * dx))
        xs += [x0, x1, left[0], None, x1, right[0], None]
        ys += [y0, y1, left[1], None, y1, right[1], None]
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": [None if v is None else round(float(v), 4) for v in xs],
        "y": [None if v is None else round(float(v), 4) for v in ys],
        "line": {"color": color, "width": 1.6, "dash": dash},
        "hoverinfo": "skip",
    }


def patch_figure(
    f: Expr,
    jacobian: Array,
    answer: Array,
    values: Mapping[str, Array],
    sizes: Mapping[str, int],
    wrt: str,
) -> Figure | None:
    """A square around the point (in the plane of ``wrt``) mapped by f, by the true
    linearisation ``f(p) + J d`` and by the answer's ``f(p) + A d`` (both numerator layout:
    one row per output). ``None`` unless f maps the plane to the plane."""
    p = values[wrt]
    if p.shape != (2, 1) or jacobian.shape != (2, 2) or answer.shape != (2, 2):
        return None

    def f_at(d: Array) -> Array | None:
        return value_of(Evaluator({**values, wrt: p + d}, sizes), f)

    centre = f_at(np.zeros((2, 1)))
    if centre is None or centre.shape != (2, 1):
        return None
    ticks = np.linspace(-PATCH_RADIUS, PATCH_RADIUS, PATCH_LINES)
    along = np.linspace(-PATCH_RADIUS, PATCH_RADIUS, PATCH_SAMPLES)
    lines = [np.array([[t] * PATCH_SAMPLES, along]) for t in ticks]
    lines += [np.array([along, [t] * PATCH_SAMPLES]) for t in ticks]
    curved: list[tuple[Array, Array]] = []
    for line in lines:
        images = [f_at(line[:, [k]]) for k in range(PATCH_SAMPLES)]
        if any(image is None or image.shape != (2, 1) for image in images):
            return None
        points = np.hstack([image for image in images if image is not None])
        curved.append((points[0], points[1]))

    def linear(matrix: Array) -> list[tuple[Array, Array]]:
        mapped = [centre + matrix @ line for line in lines]
        return [(m[0], m[1]) for m in mapped]

    traces = [
        line_trace(polylines(curved), "f of the square", COLORS["grid"], width=1.5),
        line_trace(polylines(linear(jacobian)), "the true linearisation", TRUTH_COLOR),
        line_trace(polylines(linear(answer)), "yours", ANSWER_COLOR, dash="dot"),
        point_trace(centre[0, 0], centre[1, 0], "f at the point", COLORS["point"]),
    ]
    layout = base_layout(
        xaxis={"title": {"text": "f<sub>1</sub>"}, "fixedrange": True, "constrain": "domain"},
        yaxis={
            "title": {"text": "f<sub>2</sub>"},
            "fixedrange": True,
            "scaleanchor": "x",
            "constrain": "domain",
        },
        uirevision="comparison",
    )
    return {"data": traces, "layout": layout}
