"""POST /api/check and /api/check-derivation: verdicts, diagnoses, 422s and the time limit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.grading.worker import GradingPool
from app.main import create_app
from app.settings import Settings
from app.web.deps import get_grading_pool
from tests.conftest import REPO_ROOT, write_fixture_lessons

VECTOR = {"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"]}}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app (and one pool of grading workers) for the module: workers take a while to start."""
    folder = tmp_path_factory.mktemp("grading-api")
    settings = Settings(
        base_dir=REPO_ROOT,
        content_root=write_fixture_lessons(folder / "content"),
        database_url=f"sqlite:///{folder / 'test.db'}",
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_transposed_answer_is_diagnosed_as_a_layout_mix_up(api: TestClient) -> None:
    body = {
        "expected": "(A + A^T) x",
        "answer": "x^T (A + A^T)",
        "variables": VECTOR,
        "layout": "denominator",
    }
    response = api.post("/api/check", json=body)
    assert response.status_code == 200
    data = response.json()
    assert data["equivalent"] is False
    assert data["feedback"][0]["kind"] == "transpose"
    assert "denominator layout" in data["feedback"][0]["message"]
    assert data["answer_latex"].startswith("x^{\\top}")


def test_an_equal_answer_says_how_it_was_decided(api: TestClient) -> None:
    data = api.post(
        "/api/check", json={"expected": "(A + A^T) x", "answer": "A x + A^T x", "variables": VECTOR}
    ).json()
    assert data == {**data, "equivalent": True, "method": "numeric", "feedback": []}
    scalar = api.post(
        "/api/check",
        json={
            "expected": "2 x cos(x^2)",
            "answer": "cos(x^2) x 2",
            "variables": {"x": {"shape": []}},
        },
    ).json()
    assert scalar["equivalent"] is True and scalar["method"] == "sympy"


@pytest.mark.parametrize("field", ["answer", "expected"])
def test_text_that_does_not_parse_is_a_422_with_a_position(api: TestClient, field: str) -> None:
    body = {"expected": "2 x", "answer": "2 x", field: "x + (x"}
    response = api.post("/api/check", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["kind"] == "syntax"
    assert response.json()["error"]["position"] is not None


def test_a_shape_conflict_is_a_422(api: TestClient) -> None:
    response = api.post(
        "/api/check", json={"expected": "A x", "answer": "x A", "variables": VECTOR}
    )
    assert response.status_code == 422 and response.json()["error"]["kind"] == "shape"


def test_a_derivation_points_at_the_first_wrong_line(api: TestClient) -> None:
    body = {
        "lines": ["d(x^T A x) = dx^T A x + x^T A dx", "= x^T A dx + x^T A dx", "= (2 A x)^T dx"],
        "variables": VECTOR,
        "wrt": "x",
        "expected": "(A + A^T) x",
    }
    data = api.post("/api/check-derivation", json=body).json()
    assert data["correct"] is False
    assert [step["ok"] for step in data["steps"]][:2] == [True, False]
    assert "symmetric" in data["steps"][1]["message"]


def test_a_right_derivation_returns_the_gradient(api: TestClient) -> None:
    body = {
        "lines": ["d(x^T A x) = dx^T A x + x^T A dx", "= ((A + A^T) x)^T dx"],
        "variables": VECTOR,
        "wrt": "x",
    }
    data = api.post("/api/check-derivation", json=body).json()
    assert data["correct"] is True and data["gradient"] == "(A + A^T) x"


def test_a_derivation_line_that_does_not_parse_names_the_line(api: TestClient) -> None:
    body = {"lines": ["d(x^T A x) = dx^T A x", "= (A x"], "variables": VECTOR, "wrt": "x"}
    response = api.post("/api/check-derivation", json=body)
    assert response.status_code == 422 and response.json()["error"]["line"] == 1


def test_a_runaway_answer_is_a_limit_error_and_the_server_keeps_serving(api: TestClient) -> None:
    slow_pool = GradingPool(time_limit=1.5, workers=1)
    api.app.dependency_overrides[get_grading_pool] = lambda: slow_pool  # type: ignore[attr-defined]
    try:
        api.post("/api/check", json={"expected": "1", "answer": "1"})  # start the worker
        scalars = {"x": {"shape": []}, "y": {"shape": []}}
        response = api.post(
            "/api/check",
            json={
                "expected": "(1 + x)^90 (1 + y)^90",
                "answer": "(1 + x + y + x y)^90",
                "variables": scalars,
            },
        )
        assert response.status_code == 422 and response.json()["error"]["kind"] == "limit"
        after = api.post("/api/check", json={"expected": "2 x", "answer": "x + x"})
        assert after.json()["equivalent"] is True
    finally:
        api.app.dependency_overrides.clear()  # type: ignore[attr-defined]
        slow_pool.close()


def test_the_grading_endpoints_are_in_the_openapi_schema(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    assert "/api/check" in paths and "/api/check-derivation" in paths
