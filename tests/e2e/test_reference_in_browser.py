"""The reference page in Chromium: every formula typesets, and a phone never scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import patient

pytestmark = pytest.mark.e2e

SIZES = {"375": {"width": 375, "height": 812}, "1280": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", sorted(SIZES))
def test_the_reference_typesets_and_fits_the_screen(
    browser: Browser, live_server: str, width: str, scheme: str
) -> None:
    context = browser.new_context(viewport=SIZES[width], color_scheme=scheme)
    page = patient(context.new_page())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        response = page.goto(f"{live_server}/reference")
        assert response is not None and response.status == 200
        expect(page.locator(".math:not([data-tex])")).to_have_count(0)  # all typeset
        assert page.locator("tr.identity").count() > 0
        expect(page.locator(".katex-error")).to_have_count(0)  # and none is broken TeX
        page.evaluate("document.fonts.ready.then(() => true)")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the reference at {width}px scrolls sideways by {overflow}px"
    finally:
        context.close()
    assert errors == []
