"""The Hessian widget's eigenvectors: one colour each, labelled by the eigenvalue they belong to."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.viz.functions import scalar_function
from app.viz.gradient import gradient_view

SITE_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"
LABEL = re.compile(r"eigenvector of λ([₁₂]) = (−?[\d.]+(?:e[−+]\d+)?)\Z")
H = 1e-4


def eigen_traces(f: str, point: tuple[float, float]) -> list[dict[str, Any]]:
    figure = gradient_view(f, point).figure
    return [t for t in figure["data"] if str(t.get("name", "")).startswith("eigenvector")]


def hessian_by_differences(f: str, x: float, y: float) -> np.ndarray:
    fn = scalar_function(f)
    columns = [
        (np.array(fn.gradient_at(x + dx, y + dy)) - np.array(fn.gradient_at(x - dx, y - dy)))
        / (2 * H)
        for dx, dy in ((H, 0.0), (0.0, H))
    ]
    return np.column_stack(columns)


CASES = [
    ("x^2 + 2 y^2", (1.0, 1.0)),  # both positive: once drawn in one colour
    ("x^2 - y^2", (0.0, 0.0)),
    ("-x^2 - 3 y^2 + x y", (0.5, -0.5)),
    ("sin(x) exp(y)", (0.4, -0.3)),
    ("x^3 - 3 x y^2", (0.7, 0.2)),
]


@pytest.mark.parametrize(("f", "point"), CASES)
def test_each_eigenvector_has_its_own_colour_and_its_eigenvalue_in_the_legend(
    f: str, point: tuple[float, float]
) -> None:
    traces = eigen_traces(f, point)
    assert len(traces) == 2
    colours = [t["line"]["color"] for t in traces]
    dashes = [t["line"]["dash"] for t in traces]
    assert colours[0] != colours[1] and dashes[0] != dashes[1]
    assert all(t["showlegend"] for t in traces)
    hessian = hessian_by_differences(f, *point)
    expected = np.linalg.eigvalsh(hessian)
    for index, trace in enumerate(traces):
        found = LABEL.match(trace["name"])
        assert found is not None, trace["name"]
        assert found.group(1) == "₁₂"[index]
        shown = float(found.group(2).replace("−", "-"))
        assert shown == pytest.approx(expected[index], rel=5e-3, abs=1e-6)
        # the segment drawn is that eigenvalue's eigenvector: H d = λ d
        d = np.array([trace["x"][1] - trace["x"][0], trace["y"][1] - trace["y"][0]])
        np.testing.assert_allclose(hessian @ d, expected[index] * d, atol=1e-4 * (1 + abs(d).max()))


def test_the_colours_do_not_depend_on_the_signs_of_the_eigenvalues() -> None:
    """λ₁ keeps its colour as p moves from a saddle to a bowl or a cap."""
    colours = {
        tuple(t["line"]["color"] for t in eigen_traces(f, (0.0, 0.0)))
        for f in ("x^2 + 2 y^2", "x^2 - y^2", "-x^2 - 2 y^2")
    }
    assert len(colours) == 1


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def theme_colours(name: str) -> list[str]:
    """``--name`` in each theme of site.css (light first, then dark)."""
    return re.findall(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", SITE_CSS.read_text(encoding="utf-8"))


def test_the_eigenvector_colours_stand_out_in_both_themes() -> None:
    """WCAG's 3:1 for graphics, against the page and the card in the light and dark theme."""
    backgrounds = theme_colours("bg") + theme_colours("surface")
    assert len(backgrounds) == 4
    for trace in eigen_traces("x^2 - y^2", (0.0, 0.0)):
        for background in backgrounds:
            assert contrast(trace["line"]["color"], background) >= 3, (trace["name"], background)
