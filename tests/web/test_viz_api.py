"""The visualisation API: numbers, figures, typed 422s, and JSON without NaN."""

from __future__ import annotations

import json
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.conftest import REPO_ROOT

OK_CASES = [
    (
        "/api/viz/jacobian",
        {"f": ["x + sin(y)", "y + sin(x)"], "point": [0, 0]},
        {"value", "jacobian", "det", "figure"},
    ),
    (
        "/api/viz/gradient",
        {"f": "x^2 + 2 y^2", "point": [0, 0], "direction": [1, 0]},
        {"value", "gradient", "hessian", "eigenvalues", "critical", "classification", "figure"},
    ),
    (
        "/api/viz/finite-differences",
        {"f": "exp(x)", "x": 1},
        {"h", "forward", "backward", "central", "best_h", "figure"},
    ),
    (
        "/api/viz/descent",
        {"f": "x^2 + 2 y^2", "start": [2, 1], "method": "gradient", "step": 0.1},
        {"path", "figure"},
    ),
]


def strict_json(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(("url", "body", "keys"), OK_CASES)
def test_each_endpoint_answers_numbers_and_a_plotly_figure(
    client: TestClient, url: str, body: dict[str, Any], keys: set[str]
) -> None:
    response = client.post(url, json=body)
    assert response.status_code == 200, response.text
    data = strict_json(response.text)
    assert keys <= set(data)
    assert isinstance(data["figure"]["data"], list) and data["figure"]["data"]
    assert "layout" in data["figure"]
    assert len(response.content) < 300_000


def test_jacobian_of_the_default_map_at_the_origin(client: TestClient) -> None:
    data = client.post(
        "/api/viz/jacobian", json={"f": "[x + sin(y), y + sin(x)]", "point": [0, 0]}
    ).json()
    assert data["jacobian"] == [[1.0, 1.0], [1.0, 1.0]]
    assert data["det"] == 0.0
    assert data["value"] == [0.0, 0.0]


def test_saddle_of_x2_minus_y2(client: TestClient) -> None:
    data = client.post("/api/viz/gradient", json={"f": "x^2 - y^2", "point": [0, 0]}).json()
    assert data["critical"] is True
    assert data["classification"] == "saddle"
    assert data["eigenvalues"] == [-2.0, 2.0]


def test_descent_path_starts_at_the_start(client: TestClient) -> None:
    data = client.post(
        "/api/viz/descent", json={"f": "x^2 + 2 y^2", "start": [2, 1], "method": "newton"}
    ).json()
    assert data["path"][0] == [2.0, 1.0]
    assert data["path"][1] == [0.0, 0.0]


def test_a_diverging_descent_says_why(client: TestClient) -> None:
    body = {"f": "x^2 + 2 y^2", "start": [2, 1], "method": "gradient", "step": 0.6}
    data = client.post("/api/viz/descent", json=body).json()
    assert data["status"] == "diverged"
    assert "step × λₘₐₓ = 0.6 × 4 = 2.4 > 2" in data["reason"]
    calm = client.post("/api/viz/descent", json={**body, "step": 0.1}).json()
    assert calm["status"] == "max_iterations" and calm["reason"] is None


def test_the_hessian_eigenvectors_are_labelled_by_eigenvalue(client: TestClient) -> None:
    data = client.post("/api/viz/gradient", json={"f": "x^2 - y^2", "point": [0, 0]}).json()
    names = [t["name"] for t in data["figure"]["data"] if t["name"].startswith("eigenvector")]
    assert names == ["eigenvector of λ₁ = −2", "eigenvector of λ₂ = 2"]


def test_undefined_points_give_null_in_figures_not_nan(client: TestClient) -> None:
    # log(x) is undefined on half of the window: those samples must be null in the JSON.
    response = client.post("/api/viz/gradient", json={"f": "log(x) + y^2", "point": [1, 1]})
    assert response.status_code == 200
    contour = strict_json(response.text)["figure"]["data"][0]
    assert None in contour["z"][0]


@pytest.mark.parametrize(
    ("url", "body", "kind", "words"),
    [
        ("/api/viz/gradient", {"f": "x + z", "point": [0, 0]}, "syntax", "unknown variable z"),
        ("/api/viz/gradient", {"f": "x +", "point": [0, 0]}, "syntax", ""),
        ("/api/viz/gradient", {"f": "1/x", "point": [0, 1]}, "unsupported", "not defined"),
        (
            "/api/viz/gradient",
            {"f": "x", "point": [0, 0], "direction": [0, 0]},
            "shape",
            "non-zero",
        ),
        ("/api/viz/gradient", {"f": "x", "point": [0]}, "syntax", "point"),
        ("/api/viz/jacobian", {"f": ["x", "y", "x"], "point": [0, 0]}, "shape", "two components"),
        ("/api/viz/jacobian", {"f": "[x, y", "point": [0, 0]}, "syntax", ""),
        (
            "/api/viz/jacobian",
            {"f": ["log(x)", "y"], "point": [-1, 0]},
            "unsupported",
            "not defined",
        ),
        ("/api/viz/finite-differences", {"f": "x y", "x": 1}, "syntax", "unknown variable y"),
        ("/api/viz/finite-differences", {"f": "sqrt(x)", "x": -1}, "unsupported", "not defined"),
        (
            "/api/viz/descent",
            {"f": "x^2", "start": [1, 1], "iterations": 5000},
            "limit",
            "iterations",
        ),
        ("/api/viz/descent", {"f": "x^2", "start": [1, 1], "step": -1}, "limit", "step"),
    ],
)
def test_bad_input_is_a_422_with_the_maths_error_body(
    client: TestClient, url: str, body: dict[str, Any], kind: str, words: str
) -> None:
    response = client.post(url, json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["kind"] == kind
    assert words in error["message"]


def test_non_finite_numbers_in_the_request_are_refused(client: TestClient) -> None:
    response = client.post(
        "/api/viz/gradient",
        content='{"f": "x", "point": [NaN, 1]}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["kind"] == "syntax"


def test_the_endpoints_are_in_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for url, _, _ in OK_CASES:
        assert "post" in paths[url]


@pytest.mark.parametrize(
    ("path", "widgets"),
    [
        ("/explore/jacobian", ["jacobian"]),
        ("/explore/gradient", ["gradient", "hessian"]),
        ("/explore/finite-differences", ["finite-differences"]),
        ("/explore/descent", ["descent"]),
    ],
)
def test_explore_pages_hold_their_widgets_and_load_the_mounting_module(
    client: TestClient, path: str, widgets: list[str]
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert [w["data-widget"] for w in soup.select("div.widget")] == widgets
    assert soup.select_one('script[src$="/js/widgets/mount.js"]') is not None


def test_explore_index_links_every_page_and_the_nav_marks_it(client: TestClient) -> None:
    soup = BeautifulSoup(client.get("/explore").text, "html.parser")
    links = {a["href"] for a in soup.select(".explore-list a")}
    assert links == {
        f"/explore/{s}" for s in ("jacobian", "gradient", "finite-differences", "descent")
    }
    assert soup.select_one('.site-nav-links a[href="/explore"][aria-current="page"]') is not None


def test_an_explore_page_opens_on_the_learners_function(client: TestClient) -> None:
    soup = BeautifulSoup(client.get("/explore/gradient", params={"f": "x y"}).text, "html.parser")
    assert soup.select("div.widget")[0]["data-f"] == "x y"
    assert client.get("/explore/nothing").status_code == 404


def test_the_widgets_recolour_the_servers_ink_for_the_theme() -> None:
    # static/js/widgets/common.js swaps this exact colour for the page's text colour, so the
    # points and the level-set tangent stay visible in the dark theme.
    from app.viz.plotting import COLORS

    common = (REPO_ROOT / "static" / "js" / "widgets" / "common.js").read_text()
    assert f'export const INK = "{COLORS["point"]}";' in common
