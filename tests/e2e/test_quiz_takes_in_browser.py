"""A learner takes a quiz, reloads and still sees their score, then retakes it afresh.

The quiz is the one of tests/web/test_quiz_takes.py, served by an app of this module's own,
never content/. Each answer waits for its card's ``data-state="ready"`` (set once the verdict
for that answer shows); the score is read from the page's live region, never after a pause.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from app.settings import Settings
from tests.conftest import write_fixture_lessons
from tests.e2e.conftest import REPO_ROOT, serving
from tests.web.test_quiz_takes import LESSON, PROBLEMS, RIGHT, quiz_ids

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def quiz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    content = write_fixture_lessons(tmp_path_factory.mktemp("quiz-content"))
    (content / "problems").mkdir()
    (content / "problems" / f"{LESSON}.yaml").write_text(
        textwrap.dedent(PROBLEMS), encoding="utf-8"
    )
    settings = Settings(
        base_dir=REPO_ROOT,
        content_root=content,
        database_url=f"sqlite:///{tmp_path_factory.mktemp('quiz-data') / 'e2e.db'}",
    )
    with serving(settings) as base_url:
        yield base_url


def check(page: Page, problem: str) -> None:
    """Press the question's Check button and wait until its verdict shows."""
    card = page.locator(f"#problem-{problem}")
    card.get_by_role("button", name="Check").click()
    expect(card).to_have_attribute("data-state", "ready")


def answer(page: Page, problem: str, text: str) -> None:
    card = page.locator(f"#problem-{problem}")
    if card.get_attribute("data-type") == "choice":
        card.locator(f"input[type=radio][value='{text}']").check()
    else:
        page.locator(f"#answer-{problem}").fill(text)
    check(page, problem)


def shown_numbers(page: Page) -> list[str | None]:
    """The TeX of take-product's prompt (its matrices among it), once KaTeX typeset it."""
    maths = page.locator("#problem-take-product .problem-prompt .math")
    expect(maths.first).to_have_attribute("data-tex", re.compile("."))
    return [maths.nth(i).get_attribute("data-tex") for i in range(maths.count())]


def test_a_quiz_keeps_its_score_across_a_reload_and_a_retake_is_fresh(
    quiz_server: str, page: Page, console_errors: list[str]
) -> None:
    total = len(quiz_ids())
    page.goto(f"{quiz_server}/practice/quiz/{LESSON}")
    quiz = page.locator("[data-quiz]")
    score = page.locator(".quiz-score")
    expect(score).to_have_text(f"0 of {total} answered")
    expect(page.get_by_role("button", name="Retake the quiz")).to_be_hidden()
    first_take = quiz.get_attribute("data-take")
    first_numbers = shown_numbers(page)
    assert any("bmatrix" in (tex or "") for tex in first_numbers)

    # An answer the grader cannot read does not use the question up.
    answer(page, "take-slope", "6 +")
    expect(page.locator("#problem-take-slope .verdict")).to_have_class("verdict format")
    expect(score).to_have_text(f"0 of {total} answered")

    answer(page, "take-slope", RIGHT["take-slope"])
    expect(score).to_have_text(f"1 of {total} answered")
    slope = page.locator("#problem-take-slope")
    expect(slope.get_by_role("button", name="Answered")).to_be_disabled()
    answer(page, "take-kink", "0")  # wrong on purpose
    answer(page, "take-linear", RIGHT["take-linear"])
    expect(score).to_have_text(f"3 of {total} answered")
    answer(page, "take-product", "[0; 0]")
    # Right or not, as the server judged each answer (the product's numbers are random).
    right = page.locator(".practice-problem[data-correct=true]").count()
    expect(score).to_have_text(f"You scored {right} of {total}")
    assert right >= 2  # take-slope and take-linear, answered right
    expect(quiz).to_have_attribute("data-finished", "true")
    expect(page.get_by_role("button", name="Retake the quiz")).to_be_visible()

    page.reload()
    expect(score).to_have_text(f"You scored {right} of {total}")
    expect(quiz).to_have_attribute("data-take", first_take or "")
    expect(page.locator(".practice-problem[data-answered=true]")).to_have_count(total)
    expect(page.locator("#problem-take-kink .verdict")).to_contain_text("Not correct")
    expect(page.get_by_role("button", name="Check")).to_have_count(0)

    page.get_by_role("button", name="Retake the quiz").click()
    expect(quiz).not_to_have_attribute("data-take", first_take or "")
    expect(score).to_have_text(f"0 of {total} answered")
    expect(page.get_by_role("button", name="Check")).to_have_count(total)
    expect(page.locator(".practice-problem[data-answered=true]")).to_have_count(0)
    assert shown_numbers(page) != first_numbers  # new numbers for the new take
    answer(page, "take-slope", RIGHT["take-slope"])
    expect(score).to_have_text(f"1 of {total} answered")
    # The live preview may log the expected 422 for "6 +"; nothing else may fail.
    assert [e for e in console_errors if "status of 422" not in e] == []
