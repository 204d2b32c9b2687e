"""The calculator page holds the refusal a failed result gets, hidden until the API says so
(tests/e2e/test_calculator_failed_check.py shows it in the browser)."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient


def test_the_page_has_a_hidden_failed_check_message_beside_the_result(client: TestClient) -> None:
    response = client.get("/calculator")
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    failed = page.select_one("#result #result-failed[role=alert]")
    assert failed is not None and failed.has_attr("hidden")
    assert "this result failed its check; please report it" in failed.get_text(" ").lower()
    assert page.select_one("#result #result-math") is not None
