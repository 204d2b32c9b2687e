"""Forward, backward and central differences against the exact derivative, over h.

Truncation error falls with h (like h for one-sided, h² for central differences) while
round-off error grows like ε/h; the best h sits where they cross.

>>> study = finite_difference_study("exp(x)", 1.0)
>>> 1e-9 < study.best_h["forward"]["h"] < 1e-7, 1e-6 < study.best_h["central"]["h"] < 1e-4
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.viz.functions import DomainError, finite, finite_point, scalar_function
from app.viz.plotting import COLORS, Figure, base_layout, clean, point_trace

METHODS = ("forward", "backward", "central")
STEPS = np.logspace(-16, 0, 97)  # six per decade
_COLORS = {"forward": COLORS["patch"], "backward": COLORS["second"], "central": COLORS["linear"]}


@dataclass(frozen=True)
class FiniteDifferenceStudy:
    x: float
    exact: float
    h: list[float]
    errors: dict[str, list[float | None]]
    """Absolute errors per method; None where the difference is exact (0 has no log) or not
    finite."""
    best_h: dict[str, dict[str, float]]
    latex: str
    figure: Figure


def finite_difference_study(f: str, x: float) -> FiniteDifferenceStudy:
    """Errors of the three difference quotients of f (a function of x alone) at ``x``."""
    (x,) = finite_point([x], "x")
    fn = scalar_function(f, ("x",))
    exact = finite(fn.gradient_at(x, 0.0)[0], "f'(x)", (x,))
    fx = fn.value(x, 0.0)
    zeros = np.zeros_like(STEPS)
    ahead = fn.values(x + STEPS, zeros)
    behind = fn.values(x - STEPS, zeros)
    with np.errstate(all="ignore"):
        estimates = {
            "forward": (ahead - fx) / STEPS,
            "backward": (fx - behind) / STEPS,
            "central": (ahead - behind) / (2 * STEPS),
        }
    errors: dict[str, np.ndarray] = {}
    best: dict[str, dict[str, float]] = {}
    for method in METHODS:
        error = np.abs(estimates[method] - exact)
        error[error == 0] = np.nan  # exact at this h: no point on a log axis
        errors[method] = error
        if not np.isfinite(error).any():
            if np.isnan(error).all() and np.isfinite(estimates[method]).all():
                best[method] = {"h": 1.0, "error": 0.0}
                continue
            raise DomainError(f"f is not defined near x = {x:g}")
        index = int(np.nanargmin(np.where(np.isfinite(error), error, np.nan)))
        best[method] = {"h": float(STEPS[index]), "error": float(error[index])}
    return FiniteDifferenceStudy(
        x=x,
        exact=exact,
        h=[float(h) for h in STEPS],
        errors={method: clean(errors[method], 4) for method in METHODS},
        best_h=best,
        latex=fn.latex,
        figure=_figure(errors, best),
    )


def _figure(errors: dict[str, np.ndarray], best: dict[str, dict[str, float]]) -> Figure:
    traces: list[dict[str, Any]] = []
    for method in METHODS:
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": method,
                "x": clean(STEPS, 4),
                "y": clean(errors[method], 4),
                "line": {"color": _COLORS[method], "width": 2},
                "hovertemplate": f"{method}: h = %{{x:.1e}}, error = %{{y:.2e}}<extra></extra>",
            }
        )
    for method in METHODS:
        if best[method]["error"] > 0:
            marker = point_trace(
                best[method]["h"],
                best[method]["error"],
                f"best h, {method}",
                _COLORS[method],
                symbol="star",
                size=15,
            )
            marker["showlegend"] = False
            traces.append(marker)
    axis = {
        "type": "log",
        "exponentformat": "power",
        "gridcolor": "rgba(150,150,150,0.2)",
        "fixedrange": True,
    }
    layout = base_layout(
        xaxis={**axis, "title": {"text": "step h"}},
        yaxis={**axis, "title": {"text": "|error|"}},
        margin={"l": 70, "r": 10, "t": 50, "b": 40},
        uirevision="finite-differences",
    )
    return {"data": traces, "layout": layout}
