"""Pages fit a phone (375 px) and a desktop (1280 px), in light and dark; screenshots for review.

Screenshots go to a temporary folder, or to $MC_SCREENSHOT_DIR (`make screenshots` uses
docs/screenshots/, which the README shows).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import patient, settled_widgets

pytestmark = pytest.mark.e2e

SIZES = {"375": {"width": 375, "height": 812}, "1280": {"width": 1280, "height": 900}}


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("MC_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", sorted(SIZES))
def test_screenshot_pages_fit_without_sideways_scrolling(
    browser: Browser, live_server: str, screenshot_dir: Path, width: str, scheme: str
) -> None:
    context = browser.new_context(viewport=SIZES[width], color_scheme=scheme)
    page = patient(context.new_page())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{live_server}/")
        lesson_href = page.locator(".lesson-card-title a").first.get_attribute("href")
        suffix = "" if scheme == "light" else "-dark"
        for name, path in (("home", "/"), ("lesson", lesson_href)):
            page.goto(f"{live_server}{path}")
            # Measure the page as it ends up: widgets drawn, web fonts in.
            settled_widgets(page)
            page.evaluate("document.fonts.ready.then(() => true)")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} at {width}px scrolls sideways by {overflow}px"
            page.screenshot(path=str(screenshot_dir / f"{name}-{width}{suffix}.png"))
        if width == "1280" and scheme == "light":
            page.goto(f"{live_server}/")
            page.screenshot(path=str(screenshot_dir / "home.png"))
    finally:
        context.close()
    assert errors == []
