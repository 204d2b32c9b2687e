"""A bug of ours becomes a 500 in the site's style with a request id, logged with its traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings


def explode() -> None:
    raise RuntimeError("a bug in a route")


@pytest.fixture
def crashing_client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    app.add_api_route("/api/explode", explode)
    app.add_api_route("/explode", explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_an_api_bug_is_a_json_500_with_the_request_id(
    crashing_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="app.errors"):
        response = crashing_client.get("/api/explode")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["kind"] == "internal" and "a bug in a route" not in error["message"]
    assert error["request_id"] == response.headers["x-request-id"]
    logged = [r for r in caplog.records if error["request_id"] in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert "RuntimeError: a bug in a route" in caplog.text


def test_a_page_bug_is_an_html_500_in_the_site_style(crashing_client: TestClient) -> None:
    response = crashing_client.get("/explode")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("h1").get_text() == "Something went wrong"
    assert page.select_one("nav") is not None  # the site's own layout, not a bare body
    assert response.headers["x-request-id"] in page.get_text()


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first.headers["x-request-id"]) == 16
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
