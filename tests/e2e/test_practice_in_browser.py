"""A learner answers a practice problem wrongly (transposed), sees why, then answers right.

The problems are the browser tests' own (``practice_server``), never those in content/; each
answer waits for the card's ``data-state="ready"``, set once the verdict for it is shown.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PROBLEM = "e2e-least-squares"


def answer(page: Page, text: str) -> None:
    page.locator(f"#answer-{PROBLEM}").fill(text)
    page.get_by_role("button", name="Check").click()
    expect(page.locator(f"#problem-{PROBLEM}")).to_have_attribute("data-state", "ready")


def test_a_transposed_answer_is_diagnosed_then_a_right_one_is_accepted(
    practice_server: str, page: Page, console_errors: list[str]
) -> None:
    page.goto(f"{practice_server}/practice/{PROBLEM}")
    page.locator(f"#answer-{PROBLEM}").fill("2 (X w - y)^T X")
    expect(page.locator(f"#answer-{PROBLEM}-preview .katex")).to_be_visible()

    answer(page, "2 (X w - y)^T X")
    verdict = page.locator(".verdict")
    expect(verdict.locator("[data-kind=transpose]")).to_contain_text("transpose")
    expect(page.locator(".attempt-count")).to_have_text("1 attempt")

    answer(page, "2 X^T (X w - y)")
    expect(verdict.locator("[data-kind=correct]")).to_be_visible()
    expect(page.locator(".attempt-count")).to_have_text("2 attempts")
    expect(page.locator(".solution")).to_be_visible()
    assert console_errors == []


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshot_practice_page(
    practice_server: str, page: Page, tmp_path: Path, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{practice_server}/practice/{PROBLEM}")
    answer(page, "2 (X w - y)^T X")
    expect(page.locator(".verdict [data-kind=transpose]")).to_be_visible()
    page.get_by_role("button", name="Hint").click()
    expect(page.locator(".hints li").first).to_be_visible()
    folder = Path(os.environ.get("MC_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"practice-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow
