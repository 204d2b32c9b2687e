"""The explore widgets as a learner uses them: move the point, type a function, read a lesson.

Each step waits for the state the widget announces (``data-state`` for its readouts,
``data-figure`` for its Plotly figures), so a slow machine only makes the test slower.
With $MC_SCREENSHOT_DIR set, each widget is photographed there (docs/screenshots/ in the README).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import settled_widgets

pytestmark = pytest.mark.e2e


def screenshot(page: Page, name: str) -> None:
    shots = os.environ.get("MC_SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)


def jacobian_tex(page: Page) -> str:
    return page.locator('[data-name="jacobian"] annotation').text_content() or ""


def ready(widget: Locator) -> Locator:
    """Wait until ``widget`` shows the readouts for its latest input."""
    expect(widget).to_have_attribute("data-state", "ready")
    return widget


def test_moving_the_point_changes_the_jacobian(
    live_server: str, page: Page, console_errors: list[str]
) -> None:
    page.goto(f"{live_server}/explore/jacobian")
    widget = page.locator('.widget[data-widget="jacobian"]')
    # The default map at p = (1, 0.5): J = [[1, cos 0.5], [cos 1, 1]].
    expect(ready(widget).locator('[data-name="jacobian"] annotation')).to_contain_text("0.8776")
    expect(widget).to_have_attribute("data-figure", "drawn")
    expect(widget.locator(".main-svg").first).to_be_visible()
    screenshot(page, "explore-jacobian")

    page.get_by_label("p: x").fill("0")
    page.get_by_label("p: y").fill("0")
    ready(widget)
    expect(page.locator('[data-name="jacobian"] annotation')).to_contain_text("1 & 1 \\\\ 1 & 1")
    expect(page.locator('[data-name="det"] annotation')).to_have_text("0")

    # Dragging on the input panel moves p to where the pointer is (pixels → data coordinates).
    before = jacobian_tex(page)
    box = page.locator(".widget-plot .nsewdrag").first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.3)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.35, steps=4)
    page.mouse.up()
    expect(page.get_by_label("p: x")).not_to_have_value("0")
    ready(widget)
    expect(page.locator('[data-name="jacobian"] annotation')).not_to_have_text(before)
    assert console_errors == []


def test_typing_a_new_function_redraws_and_a_bad_one_points_at_the_error(
    live_server: str, page: Page, console_errors: list[str]
) -> None:
    page.goto(f"{live_server}/explore/gradient")
    gradient = page.locator('.widget[data-widget="gradient"]')
    expect(ready(gradient).locator('[data-name="gradient"] annotation')).to_contain_text("2 \\\\ 4")
    hessian = page.locator('.widget[data-widget="hessian"]')
    expect(ready(hessian).locator('[data-name="classification"]')).to_contain_text("saddle")
    if os.environ.get("MC_SCREENSHOT_DIR"):
        settled_widgets(page)
        screenshot(page, "explore-gradient")

    box = gradient.get_by_label("f(x, y) =")
    box.fill("x^2 + 2 y^2 + z")
    expect(gradient).to_have_attribute("data-state", "error")
    error = gradient.locator(".widget-error").first
    expect(error).to_contain_text("unknown variable z")
    box.fill("x^3 + y^2")
    ready(gradient)
    expect(error).to_be_hidden()
    expect(gradient.locator('[data-name="gradient"] annotation')).to_contain_text("3 \\\\ 2")
    hessian.get_by_label("f(x, y) =").fill("x^2 + 2 y^2")
    expect(ready(hessian).locator('[data-name="classification"]')).to_contain_text("minimum")
    # The figures follow the readouts: both panels of the gradient widget end up drawn.
    expect(gradient).to_have_attribute("data-figure", "drawn")
    expect(gradient.locator(".widget-plot .main-svg")).not_to_have_count(0)
    # The browser logs the expected 422 for the bad function; nothing else may fail.
    assert [e for e in console_errors if "status of 422" not in e] == []


def test_finite_differences_and_descent_pages_draw(
    live_server: str, page: Page, console_errors: list[str]
) -> None:
    page.goto(f"{live_server}/explore/finite-differences")
    widget = page.locator('.widget[data-widget="finite-differences"]')
    expect(ready(widget).locator('[data-name="central"]')).to_contain_text("h ≈")
    expect(widget).to_have_attribute("data-figure", "drawn")
    expect(widget.locator(".widget-plot .main-svg").first).to_be_visible()
    screenshot(page, "explore-finite-differences")

    page.goto(f"{live_server}/explore/descent")
    widget = page.locator('.widget[data-widget="descent"]')
    expect(ready(widget).locator('[data-name="status"]')).to_contain_text("stopped after")
    page.get_by_label("Method").select_option("newton")
    ready(widget)
    expect(page.locator('[data-name="status"]')).to_contain_text("converged")
    expect(page.locator('[data-name="last"]')).to_contain_text("after 1 of 1 steps")
    expect(widget).to_have_attribute("data-figure", "drawn")
    screenshot(page, "explore-descent")
    assert console_errors == []


@pytest.mark.parametrize(
    ("page_path", "widget_name", "point_label"),
    [
        ("/explore/gradient", "gradient", "p: x"),
        ("/explore/descent", "descent", "start: x"),
    ],
)
def test_a_kink_at_the_point_is_said_in_the_readout(
    live_server: str,
    page: Page,
    console_errors: list[str],
    page_path: str,
    widget_name: str,
    point_label: str,
) -> None:
    page.goto(f"{live_server}{page_path}")
    widget = page.locator(f'.widget[data-widget="{widget_name}"]')
    expect(ready(widget).locator('[data-name="note"]')).to_have_count(0)
    widget.get_by_label("f(x, y) =").fill("abs(x) + y^2")
    widget.get_by_label(point_label).fill("0")
    expect(ready(widget).locator('[data-name="note"]').first).to_contain_text("differentiable")
    assert console_errors == []


def test_widgets_embedded_in_a_lesson_render(
    live_server: str, page: Page, console_errors: list[str]
) -> None:
    page.goto(f"{live_server}/")
    hrefs = page.locator(".lesson-card-title a").evaluate_all("links => links.map(a => a.href)")
    found = 0
    for href in hrefs:
        page.goto(href)
        widgets = page.locator(".lesson-body .widget[data-widget]")
        for index in range(widgets.count()):
            widget = widgets.nth(index)
            widget.scroll_into_view_if_needed()
            ready(widget)
            expect(widget).to_have_attribute("data-figure", "drawn")
            expect(widget.locator(".main-svg").first).to_be_visible()
            for error in widget.locator(".widget-error").all():
                expect(error).to_be_hidden()
            found += 1
    if found == 0:
        pytest.skip("no lesson embeds a widget")
    shots = os.environ.get("MC_SCREENSHOT_DIR")
    if shots:
        page.goto(next((h for h in hrefs if "shapes-and-layouts" in h), hrefs[0]))
        widget = page.locator(".lesson-body .widget[data-widget]").first
        widget.scroll_into_view_if_needed()
        expect(ready(widget)).to_have_attribute("data-figure", "drawn")
        widget.screenshot(path=str(Path(shots) / "explore-in-lesson.png"))
    assert console_errors == []
