"""Accounts in a browser: progress made anonymously survives sign-up, shows up in a fresh
browser after sign-in, and an instructor sees the class's common mistake on /insight.

A server of its own with the browser tests' practice problems (as ``practice_server``), so
the test can make an instructor in its database. Every wait is on page state: a verdict's
``data-state="ready"``, a heading, a header text, never a fixed time.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.settings import Settings
from app.store.accounts import set_role
from tests.e2e.conftest import DESKTOP, REPO_ROOT, patient, serving, write_practice_content

pytestmark = pytest.mark.e2e

PROBLEM = "e2e-least-squares"
# One mistake, the numerator-layout row, typed two ways by two learners.
MISTAKE, SAME_MISTAKE = "2 (X w - y)^T X", "2 (w^T X^T - y^T) X"
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The base URL and the database URL of a live server with the practice problems."""
    database = f"sqlite:///{tmp_path_factory.mktemp('accounts-data') / 'e2e.db'}"
    settings = Settings(
        base_dir=REPO_ROOT,
        content_root=write_practice_content(tmp_path_factory.mktemp("accounts-content")),
        database_url=database,
    )
    with serving(settings) as base_url:
        yield base_url, database


def fresh_page(browser: Browser) -> Page:
    return patient(browser.new_context(viewport=DESKTOP).new_page())


def answer(page: Page, text: str) -> None:
    page.locator(f"#answer-{PROBLEM}").fill(text)
    page.get_by_role("button", name="Check").click()
    expect(page.locator(f"#problem-{PROBLEM}")).to_have_attribute("data-state", "ready")


def fill_account_form(page: Page, username: str, button: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=button).click()
    expect(page.locator(".site-account-name")).to_have_text(username)


def test_progress_follows_the_account_and_the_instructor_sees_the_mistake(
    server: tuple[str, str], browser: Browser, page: Page, console_errors: list[str]
) -> None:
    base_url, database = server
    learner = f"ada_{secrets.token_hex(3)}"

    # Anonymous: one wrong answer.
    page.goto(f"{base_url}/practice/{PROBLEM}")
    answer(page, MISTAKE)
    expect(page.locator(".attempt-count")).to_have_text("1 attempt")

    # Sign up from the header's link: the attempt is kept.
    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
    fill_account_form(page, learner, "Sign up")
    page.goto(f"{base_url}/practice/{PROBLEM}")
    expect(page.locator(".attempt-count")).to_have_text("1 attempt")

    # A fresh browser signs in and sees it; its own mistake, typed otherwise, adds to it.
    other = fresh_page(browser)
    other.goto(f"{base_url}/signin")
    fill_account_form(other, learner, "Sign in")
    other.goto(f"{base_url}/practice/{PROBLEM}")
    expect(other.locator(".attempt-count")).to_have_text("1 attempt")
    answer(other, SAME_MISTAKE)
    expect(other.locator(".attempt-count")).to_have_text("2 attempts")

    # An instructor sees both texts as one mistake given twice.
    teacher = f"teacher_{secrets.token_hex(3)}"
    staff = fresh_page(browser)
    staff.goto(f"{base_url}/signup")
    fill_account_form(staff, teacher, "Sign up")
    staff.goto(f"{base_url}/insight")
    expect(staff.get_by_role("heading", name="Insight")).to_be_visible()
    expect(staff.locator("main")).to_contain_text("for instructors")  # not yet one
    engine = create_engine(database)
    with Session(engine) as session:
        assert set_role(session, teacher, "instructor")
        session.commit()
    engine.dispose()
    staff.reload()
    expect(staff.get_by_role("link", name="Insight")).to_be_visible()  # the nav entry
    mistake = staff.locator(f"article[data-problem={PROBLEM}] tr.insight-group").first
    expect(mistake.locator("[data-stat=times]")).to_have_text("2")
    expect(mistake).to_contain_text(MISTAKE)
    expect(mistake).to_contain_text(SAME_MISTAKE)

    # Signing out leaves an anonymous learner with nothing.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.goto(f"{base_url}/practice/{PROBLEM}")
    expect(page.locator(".attempt-count")).to_have_text("0 attempts")
    other.context.close()
    staff.context.close()
    assert console_errors == []


def test_the_account_pages_fit_a_phone(server: tuple[str, str], page: Page) -> None:
    base_url, _ = server
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/signup", "/signin"):
        page.goto(f"{base_url}{path}")
        expect(page.get_by_label("Username")).to_be_visible()
        assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
