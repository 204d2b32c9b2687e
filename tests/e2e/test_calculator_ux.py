"""The calculator's defects a learner met (issue 14), each seen in a browser: on a phone an
error wraps and a long result scrolls inside its box, the keyboard focus follows a result or
an error, and a share link reopens the same question with the same answer.

Every wait is on the page's own state: ``data-state`` on the preview and on the form.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import patient

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}
# A long result: regularised logistic loss, whose steps hold formulas wider than a phone.
LOGISTIC = "sum(log(1 + exp(-y .* (X w)))) + lambda norm(w)^2"


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    yield patient(context.new_page())
    context.close()


def type_expression(page: Page, text: str, state: str = "ready") -> None:
    page.locator("#expression").fill(text)
    expect(page.locator("#expression-preview")).to_have_attribute("data-state", state)


def page_overflow(page: Page) -> int:
    """How far the page scrolls sideways (0 when it fits its window)."""
    overflow: int = page.evaluate(
        "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )
    return overflow


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("MC_SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def test_on_a_phone_a_long_result_scrolls_inside_its_box(live_server: str, phone: Page) -> None:
    phone.goto(f"{live_server}/calculator?{urlencode({'expr': LOGISTIC, 'wrt': 'w'})}")
    expect(phone.locator("#calc-form")).to_have_attribute("data-state", "ready")
    expect(phone.locator("#expression")).to_have_value(LOGISTIC)
    phone.evaluate("document.fonts.ready.then(() => true)")
    widest_step = phone.evaluate(
        "Math.max(...[...document.querySelectorAll('#steps .step-math')]"
        ".map((box) => box.scrollWidth))"
    )
    assert widest_step > PHONE["width"], "the steps are no longer wide: pick a longer example"
    assert page_overflow(phone) == 0
    screenshot(phone, "calculator-result-375.png")


def test_on_a_phone_an_error_message_wraps_inside_its_box(live_server: str, phone: Page) -> None:
    phone.goto(f"{live_server}/calculator")
    type_expression(phone, "x^T A x + 2 x x + norm(A x - b)^2", state="error")
    error = phone.locator("#expression-error")
    expect(error).to_be_visible()
    message = error.locator(".error-message")
    expect(message).to_contain_text("cannot multiply")
    fits = message.evaluate(
        "(line) => line.scrollWidth <= line.clientWidth && "
        "line.getBoundingClientRect().right <= document.documentElement.clientWidth"
    )
    assert fits, "the message runs out of its box"
    lines = message.evaluate(
        "(line) => line.getBoundingClientRect().height / parseFloat(getComputedStyle(line).lineHeight)"
    )
    assert lines > 1.5, "a message longer than the phone is wide shows on one line"
    # The typed text and its caret keep their columns: the caret still points at the operator.
    source = error.locator(".error-source").inner_text().split("\n")
    assert source[0] == "x^T A x + 2 x x + norm(A x - b)^2"
    assert source[1].index("^") == source[0].index("x x") + 2
    assert page_overflow(phone) == 0
    screenshot(phone, "calculator-error-375.png")


def test_differentiate_from_the_keyboard_moves_the_focus_to_the_result(
    live_server: str, page: Page
) -> None:
    page.goto(f"{live_server}/calculator")
    type_expression(page, "x^T A x")
    page.locator("#differentiate").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#calc-form")).to_have_attribute("data-state", "ready")
    expect(page.locator("#result-title")).to_be_focused()
    expect(page.locator("#calc-status")).to_have_text(
        "Gradient (numerator layout): ✓ verified numerically"
    )
    # From the box too: Enter submits, and a refusal takes the focus and is announced.
    type_expression(page, "2 x x", state="error")
    page.locator("#expression").press("Enter")
    expect(page.locator("#calc-form")).to_have_attribute("data-state", "error")
    expect(page.locator("#result-error")).to_be_focused()
    expect(page.locator("#calc-status")).to_contain_text("Not differentiated: ")
    expect(page.locator("#calc-status")).to_contain_text("cannot multiply")


def test_a_share_link_reopens_the_same_question_and_result(
    live_server: str, page: Page, browser: Browser
) -> None:
    page.goto(f"{live_server}/calculator")
    type_expression(page, "x^T A x")
    # x and A of k entries, a symmetric A, a Hessian, in denominator layout: each setting
    # changes the answer or its shape.
    for name, shape in (("x", "k"), ("A", "k, k")):
        page.locator(f"input.shape-input[data-name={name}]").fill(shape)
        page.locator(f"input.shape-input[data-name={name}]").dispatch_event("change")
        expect(page.locator("#expression-preview")).to_have_attribute("data-state", "ready")
    page.locator("input[type=checkbox][data-name=A][value=symmetric]").check()
    expect(page.locator("#expression-preview")).to_have_attribute("data-state", "ready")
    page.locator("input[name=kind][value=hessian]").check()
    page.locator("input[name=layout][value=denominator]").check()
    page.get_by_role("button", name="Differentiate").click()
    expect(page.locator("#calc-form")).to_have_attribute("data-state", "ready")
    latex = page.locator("#result-math annotation").text_content()
    title = page.locator("#result-title").text_content()
    assert latex == "2 A" and title == "Hessian (denominator layout)"
    expect(page.locator("#result-shape")).to_contain_text("shape k×k ·")
    link = page.url

    fresh = patient(browser.new_context().new_page())
    try:
        fresh.goto(link)
        expect(fresh.locator("#calc-form")).to_have_attribute("data-state", "ready")
        expect(fresh.locator("#result-math annotation")).to_have_text(latex)
        expect(fresh.locator("#result-title")).to_have_text(title)
        # (the rest of the line is the numerical check's error, which may differ in its digits)
        expect(fresh.locator("#result-shape")).to_contain_text("shape k×k ·")
        expect(fresh.locator("input.shape-input[data-name=A]")).to_have_value("k, k")
        expect(fresh.locator("#expression")).to_have_value("x^T A x")
        expect(fresh.locator("input[name=kind][value=hessian]")).to_be_checked()
        expect(fresh.locator("input[name=layout][value=denominator]")).to_be_checked()
        expect(fresh.locator("input[type=checkbox][data-name=A][value=symmetric]")).to_be_checked()
    finally:
        fresh.context.close()


def test_denominator_layout_shows_no_numerator_layout_note(live_server: str, page: Page) -> None:
    page.goto(f"{live_server}/calculator")
    type_expression(page, "x^T A x")
    page.locator("input[name=layout][value=denominator]").check()
    page.get_by_role("button", name="Differentiate").click()
    expect(page.locator("#calc-form")).to_have_attribute("data-state", "ready")
    expect(page.locator("#result-title")).to_have_text("Gradient (denominator layout)")
    notes = page.locator("#result-notes li").all_inner_texts()
    assert not [note for note in notes if "numerator layout" in note]


def test_a_misspelt_function_offers_its_fix_as_a_button(live_server: str, page: Page) -> None:
    page.goto(f"{live_server}/calculator")
    type_expression(page, "sigmod(W x)", state="error")
    error = page.locator("#expression-error")
    expect(error).to_be_visible()
    fix = error.get_by_role("button", name="Did you mean sigmoid(W x)? Use it")
    fix.click()
    expect(page.locator("#expression")).to_have_value("sigmoid(W x)")
    expect(page.locator("#expression-preview")).to_have_attribute("data-state", "ready")
    expect(error).to_be_hidden()
    expect(page.locator("#expression")).to_be_focused()
