"""A result that fails its own check is refused on the page, not presented as the answer.

The engine's table never produces one (tests/mathcore/test_derivative_cases.py), so the real
API response for ``x^T A x`` is altered in flight to the shape a failed check has.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.e2e


def fail_the_check(route: Route) -> None:
    response = route.fetch()
    body = response.json()
    body.update(verified=False, status="failed-check")
    body["check"] = {"passed": False, "max_error": 0.5, "message": "differs by 5.0e-01"}
    route.fulfill(response=response, body=json.dumps(body))


def test_a_failed_result_is_refused_and_a_report_asked_for(
    live_server: str, page: Page, console_errors: list[str]
) -> None:
    page.route("**/api/derivative", fail_the_check)
    page.goto(f"{live_server}/calculator")
    box = page.get_by_label("Expression")
    box.fill("x^T A x")
    expect(page.locator("#expression-preview")).to_have_attribute("data-state", "ready")
    page.get_by_role("button", name="Differentiate").click()

    expect(page.locator("#calc-form")).to_have_attribute("data-state", "ready")
    failed = page.locator("#result-failed")
    expect(failed).to_be_visible()
    expect(failed).to_contain_text("This result failed its check; please report it.")
    expect(page.locator("#result-math")).to_be_hidden()
    expect(page.locator("#verified-badge")).to_have_text("✗ failed its check")
    assert console_errors == []


def test_a_verified_result_shows_no_refusal(
    live_server: str, page: Page, console_errors: list[str]
) -> None:
    page.goto(f"{live_server}/calculator")
    page.get_by_label("Expression").fill("x^T A x")
    expect(page.locator("#expression-preview")).to_have_attribute("data-state", "ready")
    page.get_by_role("button", name="Differentiate").click()
    expect(page.locator("#calc-form")).to_have_attribute("data-state", "ready")
    expect(page.locator("#result-math")).to_be_visible()
    expect(page.locator("#result-failed")).to_be_hidden()
    assert console_errors == []
