"""Browser-test fixtures: a live app server, Debian's Chromium, and a page that records errors.

Reuse them in any test under tests/e2e/:

    pytestmark = pytest.mark.e2e

    def test_something(live_server: str, page: Page, console_errors: list[str]) -> None:
        page.goto(f"{live_server}/calculator")
        ...
        assert console_errors == []

``live_server`` serves the real templates, static files and content/lessons (or fixture
lessons while content/lessons is empty) against a throwaway SQLite file.

No assertion may depend on the machine being fast. Wait for what the page announces (each
explore widget sets ``data-state="ready"`` once its readouts show the latest input, and
``data-figure="drawn"`` once Plotly drew), never for a fixed time; every wait, ``expect``
included, gets ``TIMEOUT_MS``, set once here, generous enough for a slow, busy machine.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from app.main import create_app
from app.settings import Settings
from tests.conftest import write_fixture_lessons

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Playwright cannot download its own browsers here, so it drives Debian's chromium package.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
# One limit for every wait: locators, navigation and expect (set_default_timeout does not
# reach expect). The slowest wait, the gradient widget's 3D surface in software WebGL, took
# 11 s on 2 cores under load 13 (two CPU hogs beside the suite): 60 s leaves a wide margin.
# A test only needs it never to be hit; a passing test never waits for it.
TIMEOUT_MS = 60_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# Practice problems of the browser tests' own, beside the fixture lessons, so the tests never
# depend on the problems in content/problems, which the content writers change freely.
PRACTICE_PROBLEMS = r"""
problems:
  - id: e2e-least-squares
    title: Least squares
    prompt: |
      Find $\nabla_w L$ for $L(w) = \lVert Xw - y \rVert^2$.
    variables:
      X: {shape: [m, n]}
      w: {shape: [n]}
      y: {shape: [m]}
    answer: 2 X^T (X w - y)
    hints:
      - "Write $L = r^\\top r$ with $r = Xw - y$."
      - "$\\mathrm{d}L = 2 r^\\top \\mathrm{d}r$ and $\\mathrm{d}r = X\\,\\mathrm{d}w$."
    solution: |
      With $r = Xw - y$: $\mathrm{d}L = 2r^\top X\,\mathrm{d}w$, so $\nabla_w L = 2X^\top(Xw - y)$.
  - id: e2e-weight-gradient
    title: A weight gradient in numbers
    type: matrix
    prompt: |
      With $W = {{W}}$, $x = {{x}}$ and $y = {{y}}$, compute $\nabla_W \tfrac12 \lVert Wx - y \rVert^2$.
    parameters:
      W: {shape: [2, 3], low: -2, high: 2}
      x: {shape: [3], low: -2, high: 2}
      y: {shape: [2], low: -3, high: 3}
    answer: (W x - y) x^T
    hints:
      - "First compute the output error $g = Wx - y$."
    solution: |
      $\nabla_W L = g\,x^\top$ with $g = Wx - y$.
"""


def write_practice_content(content_dir: Path) -> Path:
    """The fixture lessons plus PRACTICE_PROBLEMS as the problems of one of them."""
    write_fixture_lessons(content_dir)
    lesson = sorted((content_dir / "lessons").glob("*.md"))[0].stem
    (content_dir / "problems").mkdir(exist_ok=True)
    (content_dir / "problems" / f"{lesson}.yaml").write_text(PRACTICE_PROBLEMS, encoding="utf-8")
    return content_dir


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """Run the real app on a free port in a background thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    # Start-up warms the maths workers: generous, as every wait here.
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start; see the log above")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, session_fixture_content_dir: Path
) -> Iterator[str]:
    """The base URL (no trailing slash) of the real app running in a background thread."""
    real_content = REPO_ROOT / "content"
    has_lessons = any((real_content / "lessons").glob("*.md"))
    settings = Settings(
        base_dir=REPO_ROOT,
        content_root=real_content if has_lessons else session_fixture_content_dir,
        database_url=f"sqlite:///{tmp_path_factory.mktemp('data') / 'e2e.db'}",
    )
    with serving(settings) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def practice_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Like ``live_server``, with the fixture lessons and PRACTICE_PROBLEMS as content."""
    settings = Settings(
        base_dir=REPO_ROOT,
        content_root=write_practice_content(tmp_path_factory.mktemp("practice-content")),
        database_url=f"sqlite:///{tmp_path_factory.mktemp('practice-data') / 'e2e.db'}",
    )
    with serving(settings) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; `make test` installs it when run as root")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors and uncaught exceptions logged by ``page``; assert it is empty."""
    return []


@pytest.fixture
def page(browser: Browser, console_errors: list[str]) -> Iterator[Page]:
    """A fresh desktop-sized page in its own context; errors go to ``console_errors``."""
    context = browser.new_context(viewport=DESKTOP)
    new_page = context.new_page()
    patient(new_page)

    def record_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(f"console: {message.text} ({message.location.get('url')})")

    new_page.on("console", record_console)
    new_page.on("pageerror", lambda error: console_errors.append(f"page error: {error}"))
    yield new_page
    context.close()


def patient(page: Page) -> Page:
    """Give ``page`` the suite's one timeout, for pages made outside the ``page`` fixture."""
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    return page


def settled_widgets(page: Page, figures: bool = True) -> Locator:
    """Wait until every widget on ``page`` shows its readouts (and, with ``figures``, its
    figures) for the current inputs; returns the widgets."""
    widgets = page.locator(".widget[data-widget]")
    for index in range(widgets.count()):
        widget = widgets.nth(index)
        expect(widget).to_have_attribute("data-state", "ready")
        if figures:
            expect(widget).to_have_attribute("data-figure", "drawn")
    return widgets
