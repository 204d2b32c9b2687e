"""Pieces shared by the figures: JSON-safe numbers, the plotting window, line traces, arrows.

Figures are plain dicts in Plotly's JSON format, built by pure functions. JSON has no NaN or
infinity, so every number passes through :func:`clean` (non-finite becomes ``None``, which
Plotly draws as a gap).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

Figure = dict[str, Any]
Number = float | None

COLORS = {
    "grid": "#9aa5b1",
    "patch": "#1f6feb",
    "linear": "#d9480f",
    "point": "#111827",
    "second": "#2b8a3e",
    "path": "#d9480f",
    "newton": "#7048e8",
    # The Hessian's two eigenvectors, smaller eigenvalue first: a magenta and a green that
    # tell apart with any colour vision, each at least 3.3:1 against the page and the card of
    # both themes (tests/viz/test_eigenvector_figure.py), and about 3:1 on the contours' navy.
    "eigen1": "#be4bdb",
    "eigen2": "#2f9e44",
}
EIGEN_STYLES = (("eigen1", "solid"), ("eigen2", "dash"))
"""Colour and dash of the eigenvectors of λ₁ ≤ λ₂, so they differ by more than colour."""
SUBSCRIPTS = "₁₂"
FONT = {"family": "system-ui, sans-serif", "size": 13}


def clean(values: Iterable[float] | np.ndarray, digits: int = 6) -> list[Number]:
    """Numbers for JSON: rounded to ``digits`` significant digits, non-finite as None.

    >>> clean([1.23456789, float("nan"), float("inf"), 0.0], 3)
    [1.23, None, None, 0.0]
    """
    array = np.asarray(values, dtype=float).ravel()
    out: list[Number] = []
    for value in array.tolist():
        if not math.isfinite(value):
            out.append(None)
        elif value == 0.0:
            out.append(0.0)
        else:
            out.append(float(f"{value:.{digits}g}"))
    return out


def clean_number(value: float) -> Number:
    return clean([value], 12)[0]


def window_half_width(*points: Sequence[float]) -> float:
    """Half the side of the square view centred at 0: 3, or enough to show every point.

    Whole numbers only, so nearby points share one cached background.
    """
    reach = max((abs(c) for point in points for c in point), default=0.0)
    return float(max(3, math.ceil(reach + 1)))


def polylines(lines: Iterable[tuple[np.ndarray, np.ndarray]], digits: int = 6) -> dict[str, Any]:
    """Many polylines as one trace's x and y, separated by None (one trace draws fast)."""
    xs: list[Number] = []
    ys: list[Number] = []
    for x, y in lines:
        xs.extend(clean(x, digits))
        ys.extend(clean(y, digits))
        xs.append(None)
        ys.append(None)
    return {"x": xs, "y": ys}


def line_trace(
    lines: dict[str, Any],
    name: str,
    color: str,
    *,
    width: float = 1.5,
    dash: str = "solid",
    axes: str = "",
    showlegend: bool = True,
) -> dict[str, Any]:
    trace: dict[str, Any] = {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "line": {"color": color, "width": width, "dash": dash},
        "hoverinfo": "skip",
        "showlegend": showlegend,
        **lines,
    }
    if axes:
        trace["xaxis"], trace["yaxis"] = f"x{axes}", f"y{axes}"
    return trace


def point_trace(
    x: float,
    y: float,
    name: str,
    color: str,
    *,
    axes: str = "",
    symbol: str = "circle",
    size: int = 11,
) -> dict[str, Any]:
    trace: dict[str, Any] = {
        "type": "scatter",
        "mode": "markers",
        "name": name,
        "x": [clean_number(x)],
        "y": [clean_number(y)],
        "marker": {
            "color": color,
            "size": size,
            "symbol": symbol,
            "line": {"color": "white", "width": 1.5},
        },
        "hovertemplate": f"{name} (%{{x:.3g}}, %{{y:.3g}})<extra></extra>",
    }
    if axes:
        trace["xaxis"], trace["yaxis"] = f"x{axes}", f"y{axes}"
    return trace


def arrow(
    start: Sequence[float], end: Sequence[float], color: str, text: str = "", *, axes: str = ""
) -> dict[str, Any]:
    """A Plotly annotation drawing an arrow from ``start`` to ``end`` in data coordinates."""
    return {
        "x": clean_number(end[0]),
        "y": clean_number(end[1]),
        "ax": clean_number(start[0]),
        "ay": clean_number(start[1]),
        "xref": f"x{axes}",
        "yref": f"y{axes}",
        "axref": f"x{axes}",
        "ayref": f"y{axes}",
        "showarrow": True,
        "arrowhead": 2,
        "arrowsize": 1.2,
        "arrowwidth": 2.2,
        "arrowcolor": color,
        "text": text,
        "font": {"color": color, "size": 13},
        "xanchor": "left",
        "yanchor": "bottom",
    }


def base_layout(**extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "margin": {"l": 40, "r": 10, "t": 50, "b": 40},
        "font": FONT,
        "legend": {"orientation": "h", "x": 0, "y": 1.01, "yanchor": "bottom"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "dragmode": False,
        "hovermode": "closest",
    }
    layout.update(extra)
    return layout


def square_axis(half: float, scale_with: str = "", **extra: Any) -> dict[str, Any]:
    axis: dict[str, Any] = {
        "range": [-half, half],
        "zeroline": True,
        "zerolinecolor": "#c7ccd1",
        "gridcolor": "rgba(150,150,150,0.2)",
        "fixedrange": True,
        # Keep the square window and shrink the drawing area instead (equal scales).
        "constrain": "domain",
    }
    if scale_with:
        axis["scaleanchor"] = scale_with
    axis.update(extra)
    return axis
