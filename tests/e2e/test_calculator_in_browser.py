"""The calculator as a learner uses it: type, see the preview, differentiate, read the steps.

The page announces when it has caught up: ``data-state="ready"`` on the preview once it shows
the text typed last, and on the form once the result of the last request is shown.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_quadratic_form_gives_a_plus_a_transpose_x_with_steps(
    live_server: str, page: Page, console_errors: list[str]
) -> None:
    page.goto(f"{live_server}/calculator")
    box = page.get_by_label("Expression")
    box.fill("")
    box.type("x^T A x")
    preview = page.locator("#expression-preview")
    expect(preview).to_have_attribute("data-state", "ready")
    expect(preview.locator(".katex")).to_have_count(1)
    expect(page.locator("#wrt")).to_have_value("x")

    page.get_by_role("button", name="Differentiate").click()

    expect(page.locator("#calc-form")).to_have_attribute("data-state", "ready")
    result = page.locator("#result-math")
    expect(result.locator(".katex")).to_be_visible()
    # KaTeX's MathML carries the formula as text a screen reader (and this test) can read.
    annotation = result.locator("annotation")
    expect(annotation).to_have_text(r"\left(A + A^{\top}\right) x")
    expect(page.locator("#verified-badge")).to_have_text("✓ verified numerically")
    steps = page.locator("#steps li")
    assert steps.count() >= 4
    expect(steps.first.locator(".step-rule")).to_have_text("Take the differential")
    expect(page.locator("#steps .step-rule", has_text="Product rule")).to_have_count(1)
    expect(page.locator("#numpy-code")).to_contain_text("def grad_f(x, A):")
    assert page.locator(".katex-error").count() == 0
    assert console_errors == []
    shots = os.environ.get("MC_SCREENSHOT_DIR")
    if shots:
        page.screenshot(path=str(Path(shots) / "calculator.png"), full_page=True)


def test_a_shape_error_points_at_the_operator(live_server: str, page: Page) -> None:
    page.goto(f"{live_server}/calculator")
    box = page.get_by_label("Expression")
    box.fill("2 x x")
    expect(page.locator("#expression-preview")).to_have_attribute("data-state", "error")
    error = page.locator("#expression-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("cannot multiply")
    caret_line = error.inner_text().split("\n")[1]
    assert caret_line.index("^") == 4


def test_a_gallery_example_runs_with_its_declarations(live_server: str, page: Page) -> None:
    page.goto(f"{live_server}/calculator")
    page.get_by_role("button", name="Quadratic form, A symmetric").click()
    expect(page.locator("#calc-form")).to_have_attribute("data-state", "ready")
    annotation = page.locator("#result-math annotation")
    expect(annotation).to_have_text("2 A x")
    expect(page.locator("#verified-badge")).to_have_text("✓ verified numerically")


@pytest.mark.parametrize(
    ("typed", "reading"),
    [("x'Ax", "read `Ax` as A x"), ("\\sigma(Wx + b)", "read `Wx` as W x")],
)
def test_letters_run_together_are_read_as_a_product_and_the_reading_is_shown(
    live_server: str, page: Page, typed: str, reading: str
) -> None:
    page.goto(f"{live_server}/calculator")
    box = page.get_by_label("Expression")
    box.fill(typed)
    preview = page.locator("#expression-preview")
    expect(preview).to_have_attribute("data-state", "ready")
    expect(preview.locator(".preview-reading")).to_have_text(f" · {reading}")
    expect(preview.locator(".katex")).to_have_count(1)
