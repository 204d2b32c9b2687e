"""Browser-test fixtures: a live app server, Debian's Chromium, and a page that records errors.

Reuse them in any test under tests/e2e/:

    pytestmark = pytest.mark.e2e

    def test_something(live_server: str, page: Page, console_errors: list[str]) -> None:
        page.goto(f"{live_server}/calculator")
        ...
        assert console_errors == []

``live_server`` serves the real templates, static files and content/lessons (or fixture
lessons while content/lessons is empty) against a throwaway SQLite file.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

from app.main import create_app
from app.settings import Settings

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


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
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start; see the log above")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
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
    context.set_default_timeout(10_000)
    new_page = context.new_page()

    def record_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(f"console: {message.text} ({message.location.get('url')})")

    new_page.on("console", record_console)
    new_page.on("pageerror", lambda error: console_errors.append(f"page error: {error}"))
    yield new_page
    context.close()
