"""Feedback on a practice problem in the browser: a wrong gradient shown beside the truth (a
table and the two gradient fields), the "did you mean" button, no stale preview beside an
error, and the keyboard focus brought to the verdict.

One server for the module, with problems of its own (a gradient that says what it is the
derivative of); every answer waits for the card's ``data-state="ready"``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from app.settings import Settings
from tests.conftest import write_fixture_lessons
from tests.e2e.conftest import REPO_ROOT, patient, serving

pytestmark = pytest.mark.e2e

PROBLEM = "feedback-quadratic"
PROBLEMS = r"""
problems:
  - id: feedback-quadratic
    title: The gradient of a quadratic form
    prompt: |
      Find $\nabla_x f$ for $f(x) = x^\top A x$, where $A$ is any square matrix.
    variables:
      x: {shape: [n]}
      A: {shape: [n, n]}
    answer: (A + A^T) x
    derivative_of: {f: x^T A x, wrt: x}
    solution: |
      $\mathrm{d}f = \mathrm{d}x^\top A x + x^\top A\,\mathrm{d}x$, so $\nabla f = (A + A^\top) x$.
  - id: feedback-jacobian
    title: The Jacobian of an entrywise product
    prompt: |
      Find the Jacobian of $g(x) = x \odot (A x)$.
    variables:
      x: {shape: [n]}
      A: {shape: [n, n]}
    answer: diag(A x) + diag(x) A
    derivative_of: {f: x .* (A x), wrt: x}
    solution: |
      By the product rule, $J = \operatorname{diag}(Ax) + \operatorname{diag}(x) A$.
"""


@pytest.fixture(scope="module")
def feedback_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    content = write_fixture_lessons(tmp_path_factory.mktemp("feedback-content"))
    lesson = sorted((content / "lessons").glob("*.md"))[0].stem
    (content / "problems").mkdir()
    (content / "problems" / f"{lesson}.yaml").write_text(PROBLEMS, encoding="utf-8")
    settings = Settings(
        base_dir=REPO_ROOT,
        content_root=content,
        database_url=f"sqlite:///{tmp_path_factory.mktemp('feedback-data') / 'e2e.db'}",
    )
    with serving(settings) as base_url:
        yield base_url


def card(page: Page) -> Locator:
    return page.locator(f"#problem-{PROBLEM}")


def check(page: Page, text: str) -> None:
    page.locator(f"#answer-{PROBLEM}").fill(text)
    page.get_by_role("button", name="Check").click()
    expect(card(page)).to_have_attribute("data-state", "ready")


def test_a_wrong_gradient_is_shown_beside_the_truth(
    feedback_server: str, page: Page, console_errors: list[str], tmp_path: Path
) -> None:
    page.goto(f"{feedback_server}/practice/{PROBLEM}")
    check(page, "2 A x")
    verdict = card(page).locator(".verdict")
    expect(verdict.locator("[data-kind=symmetric_only]")).to_be_visible()
    comparison = verdict.locator(".comparison")
    expect(comparison).to_be_visible()
    table = comparison.locator(".comparison-table")
    expect(table.get_by_role("rowheader", name="at x =")).to_be_visible()
    expect(table.get_by_role("rowheader", name="at A =")).to_be_visible()
    expect(table.locator(".comparison-answer .katex")).to_be_visible()
    expect(table.locator(".comparison-expected .katex")).to_be_visible()
    expect(table.locator(".comparison-first td")).to_contain_text("entry (")
    expect(table.locator(".comparison-check .katex")).to_be_visible()
    expect(comparison).to_contain_text("central differences of f (h = 1e-5)")
    plot = comparison.locator(".comparison-plot")
    expect(plot).to_have_attribute("data-figure", "drawn")
    expect(plot.locator(".legendtext", has_text="your answer")).to_be_visible()
    expect(plot.locator(".legendtext", has_text="∇f, the derivative")).to_be_visible()
    folder = Path(os.environ.get("MC_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    card(page).screenshot(path=str(folder / "comparison.png"))
    assert console_errors == []


def test_the_preview_is_cleared_beside_a_syntax_error_and_the_fix_is_one_click(
    feedback_server: str, page: Page, console_errors: list[str]
) -> None:
    page.goto(f"{feedback_server}/practice/{PROBLEM}")
    field = page.locator(f"#answer-{PROBLEM}")
    preview = page.locator(f"#answer-{PROBLEM}-preview")
    error = card(page).locator(".input-error")
    field.fill("(A + A^T) x")
    expect(preview).to_have_attribute("data-state", "ready")
    expect(preview.locator(".katex")).to_be_visible()
    field.fill("(A + A^T) (x")
    expect(preview).to_have_attribute("data-state", "error")
    expect(preview.locator(".katex")).to_have_count(0)  # not the reading of the older text
    expect(error).to_be_visible()
    fix = error.get_by_role("button", name="Did you mean (A + A^T) (x)? Use it")
    fix.click()
    expect(field).to_have_value("(A + A^T) (x)")
    expect(preview).to_have_attribute("data-state", "ready")
    expect(error).to_be_hidden()
    # the browser logs the preview's expected 422; nothing else may fail
    assert [e for e in console_errors if "status of 422" not in e] == []


def test_an_unreadable_answer_offers_the_fix_and_checks_it(
    feedback_server: str, page: Page, console_errors: list[str]
) -> None:
    page.goto(f"{feedback_server}/practice/{PROBLEM}")
    check(page, "A x + A^T x)")
    verdict = card(page).locator(".verdict")
    expect(verdict.locator("[data-kind=format]")).to_be_visible()
    expect(card(page).locator(".attempt-count")).to_have_text("0 attempts")
    verdict.get_by_role("button", name="Did you mean A x + A^T x? Use it").click()
    expect(verdict.locator("[data-kind=correct]")).to_be_visible()
    expect(page.locator(f"#answer-{PROBLEM}")).to_have_value("A x + A^T x")
    assert [e for e in console_errors if "status of 422" not in e] == []


def test_checking_from_the_keyboard_brings_the_focus_to_the_verdict(
    feedback_server: str, page: Page, console_errors: list[str]
) -> None:
    page.goto(f"{feedback_server}/practice/{PROBLEM}")
    page.locator(f"#answer-{PROBLEM}").fill("2 A x")
    button = page.get_by_role("button", name="Check")
    button.focus()
    page.keyboard.press("Enter")
    expect(card(page)).to_have_attribute("data-state", "ready")
    verdict = card(page).locator(".verdict")
    expect(verdict).to_be_focused()
    expect(verdict).to_have_attribute("aria-live", "polite")
    # typing and pressing Enter in the field keeps the focus there, to type again
    page.locator(f"#answer-{PROBLEM}").press("Enter")
    expect(card(page).locator(".attempt-count")).to_have_text("2 attempts")
    expect(card(page)).to_have_attribute("data-state", "ready")
    expect(page.locator(f"#answer-{PROBLEM}")).to_be_focused()
    assert console_errors == []


def test_the_comparison_fits_a_phone(
    feedback_server: str, page: Page, console_errors: list[str]
) -> None:
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{feedback_server}/practice/{PROBLEM}")
    check(page, "2 A x")
    plot = card(page).locator(".comparison-plot")
    expect(plot).to_have_attribute("data-figure", "drawn")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the practice page scrolls sideways by {overflow}px"
    assert console_errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_comparison_and_the_fix_have_no_serious_accessibility_violation(
    feedback_server: str, browser: Browser, scheme: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = patient(context.new_page())
    try:
        page.goto(f"{feedback_server}/practice/{PROBLEM}")
        check(page, "2 A x")
        expect(card(page).locator(".comparison-plot")).to_have_attribute("data-figure", "drawn")
        page.locator(f"#answer-{PROBLEM}").fill("(A + A^T) (x")
        expect(card(page).locator(".input-error .suggestion-apply")).to_be_visible()
        page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
        violations = page.evaluate(
            # only what this feature adds: the verdict with its comparison, and the error box
            """() => axe.run({ include: [[".verdict"], [".input-error"]] },
                             { resultTypes: ["violations"] }).then((results) =>
                 results.violations
                   .filter((v) => v.impact === "serious" || v.impact === "critical")
                   .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`))"""
        )
        assert violations == []
    finally:
        context.close()


def test_a_wrong_jacobian_shows_both_linearisations_of_a_square(
    feedback_server: str, page: Page, console_errors: list[str]
) -> None:
    page.goto(f"{feedback_server}/practice/feedback-jacobian")
    page.locator("#answer-feedback-jacobian").fill("diag(A x)")
    page.get_by_role("button", name="Check").click()
    problem = page.locator("#problem-feedback-jacobian")
    expect(problem).to_have_attribute("data-state", "ready")
    plot = problem.locator(".comparison-plot")
    expect(plot).to_have_attribute("data-figure", "drawn")
    expect(plot.locator(".legendtext", has_text="the true linearisation")).to_be_visible()
    expect(problem.locator(".comparison-caption")).to_contain_text("true linearisation")
    assert console_errors == []
