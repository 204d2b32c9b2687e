"""Every lesson of the course, opened in the browser: its maths typesets without a KaTeX
error, its widgets fill their readouts, its "check yourself" answers open on request, and
nothing is logged to the console."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.content.lessons import LessonLibrary
from tests.e2e.conftest import REPO_ROOT, settled_widgets

pytestmark = pytest.mark.e2e

LESSONS = [lesson.slug for lesson in LessonLibrary(REPO_ROOT / "content" / "lessons").all()]


@pytest.mark.parametrize("slug", LESSONS)
def test_the_lesson_typesets_and_logs_no_error(
    slug: str, page: Page, live_server: str, console_errors: list[str]
) -> None:
    page.goto(f"{live_server}/lessons/{slug}")
    maths = page.locator(".lesson-body .math")
    if maths.count():
        # math.js typesets the whole page in one go: once the last formula is, all are
        expect(maths.last.locator(".katex")).to_have_count(1)
    assert page.locator(".katex-error").count() == 0, page.locator(
        ".katex-error"
    ).first.inner_text()
    assert page.locator(".math").count() == page.locator(".math[data-tex]").count()
    checks = page.locator("details.check-yourself")
    for index in range(checks.count()):
        check = checks.nth(index)
        answer = check.locator(".check-answer")
        expect(answer).to_be_hidden()
        check.locator("summary").click()
        expect(answer).to_be_visible()
    settled_widgets(page, figures=False)
    assert console_errors == []
