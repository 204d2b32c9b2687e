"""The optional visual maths editor: MathLive's field in place of a maths box, its LaTeX in the box.

A learner turns it on with the "Visual editor" toggle, types in the field with the keyboard
(MathLive's keys: ^ for a superscript, → out of it, / for a fraction), and the preview,
Differentiate and Check read what the field wrote into the box. Every page here runs under the
site's CSP (script-src 'self'); a CSP violation is logged as a console error, and none may be.
With $MC_SCREENSHOT_DIR set, the phone pages are photographed there, light and dark.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect

from tests.e2e.conftest import patient
from tests.e2e.test_accessibility import FAILING_IMPACTS, axe_violations, start_axe
from tests.web.test_visual_editor_latex import MATHLIVE, Step

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}
PROBLEM = "e2e-least-squares"  # tests/e2e/conftest.py PRACTICE_PROBLEMS
# A securitypolicyviolation is an event, not a console message: log it as an error.
REPORT_CSP = (
    "document.addEventListener('securitypolicyviolation', (event) =>"
    " console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));"
)


def watch(page: Page, errors: list[str]) -> Page:
    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url')})")

    page.add_init_script(REPORT_CSP)
    page.on("console", record)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    return page


@pytest.fixture
def desktop(page: Page, console_errors: list[str]) -> Page:
    return watch(page, console_errors)


def turn_on(page: Page, holder: Locator) -> Locator:
    """Press the toggle of the maths box in ``holder``; the field, once it has the focus."""
    toggle = holder.get_by_role("button", name="Visual editor")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(holder).to_have_attribute("data-visual", "on")
    field = holder.locator("math-field")
    expect(field).to_be_visible()
    expect(holder.locator("input[type=text]")).to_be_hidden()
    has_focus(field)
    return field


def has_focus(field: Locator) -> None:
    # MathLive moves the focus into its field's shadow root a moment after asking for it.
    field.page.wait_for_function(
        "(field) => document.activeElement === field && field.shadowRoot.activeElement !== null",
        arg=field.element_handle(),
    )


def clear(field: Locator) -> None:
    """Empty the field and give it the focus (Differentiate moves the focus to the result)."""
    field.evaluate("(field) => { field.setValue(''); field.blur(); field.focus(); }")
    has_focus(field)


def make(page: Page, field: Locator, steps: list[Step]) -> None:
    for kind, text in steps:
        if kind == "type":
            page.keyboard.type(text)
        elif kind == "press":
            page.keyboard.press(text)
        else:
            field.evaluate("(field, latex) => field.insert(latex)", text)


def latex_of(field: Locator) -> str:
    value: str = field.evaluate("(field) => field.getValue('latex')")
    return value


def test_on_the_calculator_the_field_writes_latex_the_preview_and_differentiate_read(
    live_server: str, desktop: Page, console_errors: list[str]
) -> None:
    page = desktop
    page.goto(f"{live_server}/calculator")
    holder = page.locator(".math-input").first
    box = page.locator("#expression")
    preview = page.locator("#expression-preview")
    expect(preview).to_have_attribute("data-state", "ready")
    assert page.locator('script[src*="mathlive"]').count() == 0
    field = turn_on(page, holder)
    # The box's plain text shows in the field as the reader read it.
    assert latex_of(field).replace(" ", "") == r"x^{\top}Ax"
    expect(holder.locator(".symbol-bar")).to_be_hidden()

    page.keyboard.press("Control+a")
    make(page, field, [("type", "x^T"), ("press", "ArrowRight"), ("type", "Bx")])
    expect(box).to_have_value("x^{T}Bx")
    expect(preview).to_have_attribute("data-state", "ready")
    expect(preview.locator("annotation")).to_have_text(r"x^{\top} B x")

    page.keyboard.press("Enter")  # from the field, as from the box: Differentiate
    expect(page.locator("#calc-form")).to_have_attribute("data-state", "ready")
    expect(page.locator("#result-math annotation")).to_have_text(r"\left(B + B^{\top}\right) x")

    # What each symbol-bar item inserts, made in the field, is the LaTeX the table test reads.
    for name, (steps, latex, _, _) in MATHLIVE.items():
        clear(field)
        make(page, field, steps)
        assert latex_of(field) == latex, name
        expect(box).to_have_value(latex)
        expect(preview).to_have_attribute("data-state", "ready")

    # Off: the plain box is back, with the field's last text, and the symbol bar with it.
    toggle = holder.get_by_role("button", name="Visual editor")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(box).to_be_visible()
    expect(box).to_be_focused()
    expect(field).to_be_hidden()
    expect(holder.locator(".symbol-bar")).to_be_visible()
    box.fill("x^T x")
    expect(preview.locator("annotation")).to_have_text(r"x^{\top} x")

    # The choice is remembered: on after a reload, and off again.
    toggle.click()
    expect(holder).to_have_attribute("data-visual", "on")
    page.reload()
    expect(holder).to_have_attribute("data-visual", "on")
    expect(page.locator("#expression")).to_be_hidden()
    holder.get_by_role("button", name="Visual editor").click()
    page.reload()
    expect(holder.get_by_role("button", name="Visual editor")).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(page.locator("#expression")).to_be_visible()
    assert console_errors == []


def test_on_a_practice_problem_the_field_s_answer_is_checked(
    practice_server: str, desktop: Page, console_errors: list[str]
) -> None:
    page = desktop
    page.goto(f"{practice_server}/practice/{PROBLEM}")
    holder = page.locator(".math-input").first
    field = turn_on(page, holder)
    make(page, field, [("type", "2X^T"), ("press", "ArrowRight"), ("type", "(Xw-y)")])
    box = page.locator(f"#answer-{PROBLEM}")
    expect(box).to_have_value(r"2X^{T}\left(Xw-y\right)")
    expect(page.locator(f"#answer-{PROBLEM}-preview .katex")).to_be_visible()
    page.get_by_role("button", name="Check").click()
    expect(page.locator(f"#problem-{PROBLEM}")).to_have_attribute("data-state", "ready")
    expect(page.locator(".verdict [data-kind=correct]")).to_be_visible()
    assert console_errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_field_follows_the_theme_and_passes_axe_at_1280(
    live_server: str, browser: Browser, scheme: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    errors: list[str] = []
    page = watch(patient(context.new_page()), errors)
    try:
        page.goto(f"{live_server}/calculator")
        holder = page.locator(".math-input").first
        field = turn_on(page, holder)
        # The field's text and background are the site's, as the box's were.
        colours = field.evaluate(
            "(field) => [getComputedStyle(field).color, getComputedStyle(field).backgroundColor]"
        )
        page.get_by_text("Expression", exact=True).click()  # the label: the field keeps the focus
        has_focus(field)
        assert colours == holder.evaluate(
            "(holder) => { const box = holder.querySelector('input[type=text]');"
            " box.hidden = false; const style = getComputedStyle(box);"
            " const found = [style.color, style.backgroundColor]; box.hidden = true; return found; }"
        )
        page.evaluate("document.fonts.ready.then(() => true)")
        start_axe(page)
        serious = [rule for rule in axe_violations(page) if rule["impact"] in FAILING_IMPACTS]
        assert serious == []
        shots = os.environ.get("MC_SCREENSHOT_DIR")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            suffix = "-dark" if scheme == "dark" else ""
            page.screenshot(path=str(Path(shots) / f"visual-editor-1280{suffix}.png"))
        assert errors == []
    finally:
        context.close()


@pytest.fixture(params=["light", "dark"])
def phone(request: pytest.FixtureRequest, browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(
        viewport=PHONE, has_touch=True, is_mobile=True, color_scheme=request.param
    )
    errors: list[str] = []
    yield watch(patient(context.new_page()), errors), errors
    context.close()


def test_on_a_phone_the_toggle_and_the_field_work_by_touch(
    live_server: str, phone: tuple[Page, list[str]]
) -> None:
    page, errors = phone
    page.goto(f"{live_server}/calculator")
    holder = page.locator(".math-input").first
    toggle = holder.get_by_role("button", name="Visual editor")
    toggle.tap()
    expect(holder).to_have_attribute("data-visual", "on")
    field = holder.locator("math-field")
    expect(field).to_be_visible()
    box = field.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["height"] >= 44, "the field is too small for a fingertip"
    field.tap()
    has_focus(field)
    page.keyboard.press("Control+a")
    make(page, field, [("type", "x^T"), ("press", "ArrowRight"), ("type", "x")])
    expect(page.locator("#expression")).to_have_value("x^{T}x")
    expect(page.locator("#expression-preview")).to_have_attribute("data-state", "ready")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    # MathLive's keyboard, up for a touch screen, leaves the field and its preview in sight.
    keyboard = page.locator(".ML__keyboard .MLK__backdrop")
    expect(keyboard).to_be_visible()
    page.wait_for_function(
        "([holder, keys]) => holder.getBoundingClientRect().bottom <= keys.getBoundingClientRect().top",
        arg=[holder.element_handle(), keyboard.element_handle()],
    )
    # axe-core with the field (and MathLive's keyboard, up for a touch screen) on the page.
    page.evaluate("document.fonts.ready.then(() => true)")
    start_axe(page)
    serious = [rule for rule in axe_violations(page) if rule["impact"] in FAILING_IMPACTS]
    assert serious == []
    shots = os.environ.get("MC_SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        page.screenshot(path=str(Path(shots) / f"visual-editor-375{'-dark' if dark else ''}.png"))
    toggle.tap()
    expect(page.locator("#expression")).to_be_visible()
    assert errors == []
