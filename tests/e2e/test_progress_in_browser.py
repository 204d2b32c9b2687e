"""A learner solves a problem, reloads and sees it solved, follows "Next problem", misses that
one, and finds it in the review queue on /progress.

The problems are the browser tests' own (``practice_server``, PRACTICE_PROBLEMS), never those
in content/. Each answer waits for the card's ``data-state="ready"``, set once the verdict for
it shows; the page's own text and attributes are waited on, never a pause.
"""

from __future__ import annotations

import pytest
import yaml
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PRACTICE_PROBLEMS

pytestmark = pytest.mark.e2e

WRONG_MATRIX = "[100, 100, 100; 100, 100, 100]"
"""Wrong for every variant of e2e-weight-gradient: its entries are at most 30 in size."""


def problems() -> list[dict[str, str]]:
    listed: list[dict[str, str]] = yaml.safe_load(PRACTICE_PROBLEMS)["problems"]
    return listed


def answer(page: Page, problem: str, text: str) -> None:
    page.locator(f"#answer-{problem}").fill(text)
    page.get_by_role("button", name="Check").click()
    expect(page.locator(f"#problem-{problem}")).to_have_attribute("data-state", "ready")


def test_progress_shows_solved_problems_and_queues_a_miss_for_review(
    practice_server: str, page: Page, console_errors: list[str]
) -> None:
    first, second = problems()[:2]
    assert "type" not in first and second.get("type") == "matrix"  # typed, then a grid

    page.goto(f"{practice_server}/practice/{first['id']}")
    expect(page.locator(".solved-state")).to_have_attribute("data-solved", "false")
    answer(page, first["id"], first["answer"])
    expect(page.locator(".verdict [data-kind=correct]")).to_be_visible()
    expect(page.locator(".solved-state")).to_have_attribute("data-solved", "true")  # at once

    page.reload()
    expect(page.locator(".solved-state")).to_have_attribute("data-solved", "true")
    expect(page.locator(".solved-state")).to_contain_text("Solved")
    page.get_by_role("link", name=f"Next problem: {second['title']}").click()
    expect(page).to_have_url(f"{practice_server}/practice/{second['id']}")

    answer(page, second["id"], WRONG_MATRIX)
    expect(page.locator(".verdict")).to_have_class("verdict bad")

    page.get_by_role("navigation", name="Site").get_by_role("link", name="Progress").click()
    expect(page.locator(".attempt-total")).to_have_text("2 counted attempts")
    lesson = page.locator(".progress-lesson").first
    expect(lesson.locator(".lesson-solved")).to_contain_text("1 of 2 solved")
    expect(page.locator(".streak")).to_have_text("Streak: 1 day")
    due = page.locator(".review-list a")
    expect(due).to_have_count(1)
    expect(due).to_have_text(second["title"])
    page.set_viewport_size({"width": 375, "height": 800})  # a phone: nothing runs off the side
    expect(page.locator(".progress-lesson").first).to_be_visible()
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 800})
    due.click()
    expect(page).to_have_url(f"{practice_server}/practice/{second['id']}")
    expect(page.locator(".solved-state")).to_have_attribute("data-solved", "false")
    assert console_errors == []
