"""A reader opens the site, follows a lesson and sees typeset maths, by mouse or keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.e2e


def open_first_lesson(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/")
    first = page.locator(".lesson-list .lesson-card-title a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(f"{live_server}/lessons/*")
    assert page.locator("h1").inner_text() == title


def test_following_a_lesson_link_shows_typeset_maths(
    page: Page, live_server: str, console_errors: list[str]
) -> None:
    open_first_lesson(page, live_server)
    page.wait_for_selector(".katex")
    assert page.locator(".katex").count() > 0
    assert page.locator(".katex-error").count() == 0
    # Every maths element was typeset, each with MathML for screen readers.
    maths = page.locator(".math")
    assert maths.count() == page.locator(".math[data-tex]").count()
    assert page.locator(".math .katex-mathml math").count() == maths.count()
    assert console_errors == []


def test_next_link_leads_to_the_next_lesson(
    page: Page, live_server: str, console_errors: list[str]
) -> None:
    open_first_lesson(page, live_server)
    following = page.locator(".pager a[rel=next]")
    if following.count() == 0:
        pytest.skip("only one lesson")
    title = following.locator(".pager-title").inner_text()
    following.click()
    assert page.locator("h1").inner_text() == title
    assert page.locator(".pager a[rel=prev]").count() == 1
    assert console_errors == []


def test_toc_link_scrolls_to_its_heading(page: Page, live_server: str) -> None:
    open_first_lesson(page, live_server)
    links = page.locator("nav.toc a")
    if links.count() == 0:
        pytest.skip("the first lesson has no h2/h3 headings")
    target = links.last.get_attribute("href")
    links.last.click()
    assert page.evaluate("location.hash") == target
    assert page.locator(f"[id='{target[1:]}']").is_visible()


def test_keyboard_reaches_the_skip_link_first_and_it_moves_focus_to_main(
    page: Page, live_server: str
) -> None:
    page.goto(f"{live_server}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0, "the focused skip link must be on screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_long_display_maths_scrolls_inside_its_box_on_a_phone(
    page: Page, live_server: str, console_errors: list[str]
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    open_first_lesson(page, live_server)
    long_sum = " + ".join(f"a_{{{i}}} x_{{{i}}}" for i in range(1, 40))
    page.evaluate(
        """async (tex) => {
            const block = document.createElement("div");
            block.className = "math block";
            block.id = "long-maths";
            block.textContent = tex;
            document.querySelector(".lesson-body").prepend(block);
            const { typeset } = await import("/static/js/math.js");
            typeset(document.querySelector(".lesson-body"));
        }""",
        long_sum,
    )
    block = page.locator("#long-maths")
    assert block.locator(".katex-display").count() == 1
    widths = block.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert widths[0] > widths[1], "the formula should be wider than its box and scroll"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert console_errors == []
