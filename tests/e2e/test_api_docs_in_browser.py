"""/docs and /redoc in Chromium: the vendored viewers render the API with no other host.

Every request to a host other than the live server is aborted, so a CDN copy the page still
asked for would show up as a missing viewer and a console error. The pages are also served
under the strict Content-Security-Policy below (added to the page's response here, so the test
does not depend on the app's own header), which reports any inline script or eval it blocks
as a console error.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.e2e

# The policy each page runs under: `script-src 'self'` (no inline script, no eval) for both,
# plus only what each viewer was seen to need (docs/development.md, "API reference pages").
STRICT_CSP = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'"
CSP = {
    # Swagger UI draws its icons as data: SVG images.
    "/docs": f"{STRICT_CSP}; img-src 'self' data:",
    # ReDoc (styled-components) adds <style> elements, draws data: images, and runs its search
    # index in a worker made from a blob: URL.
    "/redoc": f"{STRICT_CSP}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "worker-src blob:",
}


def offline_under_csp(page: Page, live_server: str, path: str) -> list[str]:
    """Abort requests to other hosts, add ``CSP[path]`` to the page; list what was aborted."""
    local = urlsplit(live_server).netloc
    blocked: list[str] = []

    def handle(route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in {"http", "https"} and url.netloc != local:
            blocked.append(route.request.url)
            route.abort()
        elif url.path == path:
            response = route.fetch()
            headers = {**response.headers, "content-security-policy": CSP[path]}
            route.fulfill(response=response, headers=headers)
        else:
            route.continue_()

    page.context.route("**/*", handle)
    return blocked


def test_swagger_ui_lists_the_operations_offline(
    live_server: str, page: Page, console_errors: list[str]
) -> None:
    blocked = offline_under_csp(page, live_server, "/docs")
    response = page.goto(f"{live_server}/docs")
    assert response is not None and response.status == 200
    derivative = page.locator(".opblock-post", has=page.locator('[data-path="/api/derivative"]'))
    expect(derivative).to_be_visible()
    derivative.locator(".opblock-summary").click()  # the operation opens on its schema
    expect(derivative.locator(".opblock-body")).to_be_visible()
    expect(derivative.locator(".opblock-body")).to_contain_text("expression")
    assert blocked == []
    assert console_errors == []


def test_redoc_renders_the_operations_offline(
    live_server: str, page: Page, console_errors: list[str]
) -> None:
    blocked = offline_under_csp(page, live_server, "/redoc")
    response = page.goto(f"{live_server}/redoc")
    assert response is not None and response.status == 200
    expect(page.locator("h1").first).to_contain_text("Matrix Calculus")
    expect(page.get_by_text("/api/derivative").first).to_be_attached()
    # The search runs in ReDoc's worker: a result shows that the worker started.
    page.get_by_placeholder("Search...").fill("derivative")
    expect(page.locator("[data-role='search:results'] li").first).to_be_visible()
    assert blocked == []
    assert console_errors == []
