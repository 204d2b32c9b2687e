"""JSON endpoints: the lesson list, health, and JSON (not HTML) errors under /api."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_api_lessons_lists_slug_title_summary_order_sorted_by_order(client: TestClient) -> None:
    response = client.get("/api/lessons")
    assert response.status_code == 200
    assert response.json() == [
        {
            "slug": "01-scalars",
            "title": "Scalars first",
            "summary": "Derivatives of $f(x) = x^2$ and friends.",
            "order": 1,
        },
        {
            "slug": "02-vectors",
            "title": "Vectors next",
            "summary": "Gradients of functions of a vector.",
            "order": 2,
        },
        {
            "slug": "10-matrices",
            "title": "Matrices last",
            "summary": "Jacobians and beyond.",
            "order": 3,
        },
    ]


def test_unknown_api_path_is_a_json_404(client: TestClient) -> None:
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "Not Found"}


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
