"""On a phone (375 px, a touch screen): drag p with a finger, and type maths with the symbol bar.

Touches are sent through the DevTools protocol (Input.dispatchTouchEvent), which goes through
Chromium's real input path: touch-action, scrolling and the pointer events a page sees.
With $MC_SCREENSHOT_DIR set, the pages are photographed there, light and dark.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, CDPSession, Locator, Page, expect

from tests.e2e.conftest import patient

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module", params=["light", "dark"])
def phone(request: pytest.FixtureRequest, browser: Browser) -> Iterator[BrowserContext]:
    """One touch-screen phone context per theme, shared by the module's tests."""
    context = browser.new_context(
        viewport=PHONE, has_touch=True, is_mobile=True, color_scheme=request.param
    )
    yield context
    context.close()


@pytest.fixture
def page(phone: BrowserContext) -> Iterator[Page]:
    new_page = patient(phone.new_page())
    errors: list[str] = []
    new_page.on("pageerror", lambda error: errors.append(str(error)))
    yield new_page
    new_page.close()
    assert errors == []


def screenshot(page: Page, name: str) -> None:
    shots = os.environ.get("MC_SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        page.screenshot(path=str(Path(shots) / f"{name}-375{'-dark' if dark else ''}.png"))


def swipe(page: Page, start: tuple[float, float], end: tuple[float, float], steps: int = 8) -> None:
    """One finger from ``start`` to ``end`` (viewport pixels), then lifted."""
    cdp: CDPSession = page.context.new_cdp_session(page)
    try:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point(start)]})
        for i in range(1, steps + 1):
            t = i / steps
            at = (start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t)
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point(at)]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    finally:
        cdp.detach()


def point(at: tuple[float, float]) -> dict[str, float]:
    return {"x": at[0], "y": at[1]}


def ready(widget: Locator) -> Locator:
    expect(widget).to_have_attribute("data-state", "ready")
    return widget


def js_number(value: float) -> str:
    """What the readout shows for ``value`` (common.js format: 4 significant digits)."""
    return f"{float(f'{value:.4g}'):g}"


def test_a_finger_drags_p_on_the_plot_and_scrolls_the_page_elsewhere(
    live_server: str, page: Page
) -> None:
    page.goto(f"{live_server}/explore/gradient")
    widget = page.locator('.widget[data-widget="gradient"]')
    expect(ready(widget)).to_have_attribute("data-figure", "drawn")
    surface = widget.locator(".widget-plot .draglayer .xy .nsewdrag").first
    surface.scroll_into_view_if_needed()
    box = surface.bounding_box()
    assert box is not None
    scrolled = page.evaluate("scrollY")

    # f = x^2 + 2 y^2 on the square [-3, 3]²: a vertical swipe, the gesture a phone scrolls by.
    swipe(
        page,
        (box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.4),
        (box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.7),
    )
    ready(widget)
    x = float(widget.get_by_label("p: x").input_value())
    y = float(widget.get_by_label("p: y").input_value())
    assert x == pytest.approx(-3 + 6 * 0.6, abs=0.1)
    assert y == pytest.approx(3 - 6 * 0.7, abs=0.1)
    gradient = widget.locator('[data-name="gradient"] annotation')
    expect(gradient).to_have_text(
        f"\\begin{{bmatrix}}{js_number(2 * x)} \\\\ {js_number(4 * y)}\\end{{bmatrix}}"
    )
    assert page.evaluate("scrollY") == scrolled, "the swipe on the plot scrolled the page"
    screenshot(page, "explore-gradient-touch")

    # The same swipe on the widget's title scrolls the page (and leaves p alone).
    title = widget.locator(".widget-title").bounding_box()
    assert title is not None
    swipe(page, (title["x"] + 40, title["y"] + 10), (title["x"] + 40, title["y"] + 10 - 200))
    page.wait_for_function(f"scrollY > {scrolled}")
    assert float(widget.get_by_label("p: x").input_value()) == x


def test_a_diverging_descent_says_why_on_a_phone(live_server: str, page: Page) -> None:
    page.goto(f"{live_server}/explore/descent")
    widget = page.locator('.widget[data-widget="descent"]')
    expect(ready(widget).locator('[data-name="status"]')).to_contain_text("stopped after")
    widget.get_by_label("step size").fill("0.6")
    status = ready(widget).locator('[data-name="status"]')
    expect(status).to_contain_text("diverged")
    expect(status).to_contain_text("step × λₘₐₓ = 0.6 × 4 = 2.4 > 2")
    expect(widget).to_have_attribute("data-figure", "drawn")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    status.scroll_into_view_if_needed()
    screenshot(page, "explore-descent-diverged")


def tap(page: Page, target: Locator) -> None:
    box = target.bounding_box()
    assert box is not None
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_the_symbol_bar_types_maths_by_touch_and_the_box_keeps_the_focus(
    live_server: str, page: Page
) -> None:
    page.goto(f"{live_server}/calculator")
    box = page.locator("#expression")
    bar = page.get_by_role("toolbar", name="Maths symbols")
    preview = page.locator("#expression-preview")
    expect(bar).to_have_attribute("data-ready", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    box.fill("A")
    tap(page, bar.get_by_role("button", name="transpose"))
    expect(box).to_have_value("A^T")
    expect(box).to_be_focused()
    expect(preview.locator("annotation")).to_have_text("A^{\\top}")

    tap(page, bar.get_by_role("button", name="elementwise product"))
    page.keyboard.type("B")
    expect(box).to_have_value("A^T .* B")
    expect(preview.locator("annotation")).to_contain_text("\\odot")

    # A fraction: the caret lands in the numerator; three steps right reach the denominator.
    box.fill("")
    tap(page, bar.get_by_role("button", name="fraction"))
    expect(box).to_have_value("()/()")
    page.keyboard.type("x^T x")
    for _ in range(3):
        tap(page, bar.get_by_role("button", name="move the caret right"))
    page.keyboard.type("2")
    expect(box).to_have_value("(x^T x)/(2)")
    expect(box).to_be_focused()
    expect(preview.locator("annotation")).to_contain_text("\\frac")

    # The matrix grid, filled cell by cell with the caret moved by the arrows.
    box.fill("")
    tap(page, bar.get_by_role("button", name="2 by 2 matrix"))
    expect(box).to_have_value("[, ; , ]")  # rows split by ";", as the prompts write them
    page.keyboard.type("1")
    for cell in ("2", "3", "4"):
        for _ in range(2):
            tap(page, bar.get_by_role("button", name="move the caret right"))
        page.keyboard.type(cell)
    expect(box).to_have_value("[1, 2; 3, 4]")
    expect(preview).to_contain_text("2×2")
    screenshot(page, "calculator-symbol-bar")


def test_the_symbol_bar_is_one_tab_stop_and_arrows_move_along_it(
    live_server: str, page: Page
) -> None:
    page.goto(f"{live_server}/calculator")
    bar = page.get_by_role("toolbar", name="Maths symbols")
    expect(bar).to_have_attribute("data-ready", "true")
    toggle = page.get_by_role("button", name="Visual editor")
    expect(toggle).to_be_visible()
    page.locator("#expression").focus()
    page.keyboard.press("Shift+Tab")  # the visual editor's toggle sits between bar and box
    expect(toggle).to_be_focused()
    page.keyboard.press("Shift+Tab")  # the whole bar is one stop: its first button
    expect(bar.get_by_role("button", name="transpose")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(bar.get_by_role("button", name="inverse, power −1")).to_be_focused()
    page.keyboard.press("End")
    expect(bar.get_by_role("button", name="move the caret right")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#expression")).to_be_focused()


def test_lesson_objectives_and_questions_show_typeset_maths(live_server: str, page: Page) -> None:
    page.goto(f"{live_server}/")
    hrefs = page.locator(".lesson-card-title a").evaluate_all("links => links.map(a => a.href)")
    places = {
        "objectives": [".objectives .math"],
        "titles": [".callout-title .math", ".check-yourself summary .math"],
    }
    seen = dict.fromkeys(places, 0)
    for href in hrefs:
        page.goto(href)
        expect(page.locator(".math").first).to_have_attribute("data-tex", re.compile("."))
        for kind, selectors in places.items():
            for selector in selectors:
                count = page.locator(selector).count()
                seen[kind] += count
                assert page.locator(f"{selector} .katex").count() == count, selector
                assert page.locator(f"{selector} .katex-error").count() == 0, selector
        if all(seen.values()):
            screenshot(page, "lesson-objectives")
            break
    if not all(seen.values()):
        pytest.skip(f"no lesson writes maths in its objectives and titles: {seen}")


def test_the_hessian_eigenvectors_show_in_two_colours_labelled_by_eigenvalue(
    live_server: str, page: Page
) -> None:
    page.goto(f"{live_server}/explore/gradient")
    widget = page.locator('.widget[data-widget="hessian"]')  # x^2 - y^2 at (0, 0)
    expect(ready(widget)).to_have_attribute("data-figure", "drawn")
    widget.scroll_into_view_if_needed()
    legend = widget.locator(".legend .traces")
    entries = legend.filter(has_text="eigenvector")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_have_text("eigenvector of λ₁ = −2")
    expect(entries.nth(1)).to_have_text("eigenvector of λ₂ = 2")
    strokes = entries.evaluate_all(
        "items => items.map(i => getComputedStyle(i.querySelector('.legendlines path')).stroke)"
    )
    assert len(set(strokes)) == 2, strokes
    # each is drawn on the plot in its legend's colour
    drawn = widget.locator(".scatterlayer .trace path.js-line").evaluate_all(
        "paths => paths.map(p => getComputedStyle(p).stroke)"
    )
    assert all(stroke in drawn for stroke in strokes)
    screenshot(page, "explore-hessian-eigenvectors")
