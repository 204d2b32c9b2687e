"""A reader opens the site, follows a lesson and sees typeset maths, by mouse or keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def open_first_lesson(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/")
    first = page.locator(".lesson-list .lesson-card-title a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(f"{live_server}/lessons/*")
    expect(page.locator("h1")).to_have_text(title)


def test_following_a_lesson_link_shows_typeset_maths(
    page: Page, live_server: str, console_errors: list[str]
) -> None:
    open_first_lesson(page, live_server)
    # math.js typesets the whole page in one go: once one formula is typeset, all are.
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
    href = following.get_attribute("href")
    following.click()
    page.wait_for_url(f"{live_server}{href}")
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".pager a[rel=prev]")).to_have_count(1)
    assert console_errors == []


def test_toc_link_scrolls_to_its_heading(page: Page, live_server: str) -> None:
    open_first_lesson(page, live_server)
    links = page.locator("nav.toc a")
    if links.count() == 0:
        pytest.skip("the first lesson has no h2/h3 headings")
    target = links.last.get_attribute("href")
    assert target is not None and target.startswith("#")
    links.last.click()
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))
    expect(page.locator(f"[id='{target[1:]}']")).to_be_in_viewport()


def test_keyboard_reaches_the_skip_link_first_and_it_moves_focus_to_main(
    page: Page, live_server: str
) -> None:
    page.goto(f"{live_server}/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # the focused skip link must be on screen
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


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
