"""The tensor view shows the forms of a derivative by a vector: differential, matrix and index
form, typeset without errors, and no slice explorer (a Jacobian of a vector is one matrix)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("expression", "kind", "forms"),
    [
        (
            "sigmoid(W x + b)",
            None,
            [
                ("differential", r"\mathrm{d}f = \sigma"),
                ("kronecker", r"\operatorname{diag}"),
                ("index", r"W_{ij}"),
            ],
        ),
        (
            "x^T A x",
            "hessian",
            [
                ("differential", r"\mathrm{d}(\nabla f) = "),
                ("kronecker", r"= A + A^{\top}"),
                ("index", r"\left(A + A^{\top}\right)_{ij}"),
            ],
        ),
    ],
    ids=["jacobian", "hessian"],
)
def test_forms_of_a_derivative_by_a_vector(
    live_server: str,
    page: Page,
    console_errors: list[str],
    expression: str,
    kind: str | None,
    forms: list[tuple[str, str]],
) -> None:
    page.goto(f"{live_server}/calculator")
    page.locator("#expression").fill(expression)
    expect(page.locator("#expression-preview")).to_have_attribute("data-state", "ready")
    page.locator("#wrt").select_option("x")
    if kind is not None:
        page.locator(f'input[name="kind"][value="{kind}"]').check()
    page.get_by_role("button", name="Differentiate").click()
    expect(page.locator("#calc-form")).to_have_attribute("data-state", "ready")
    expect(page.locator("#verified-badge")).to_have_text("✓ verified numerically")
    view = page.locator("#tensor-view")
    expect(view).to_be_visible()
    for form, tex in forms:
        expect(view.locator(f'[data-form="{form}"] annotation')).to_contain_text(tex)
    expect(view.get_by_test_id("tensor-slice")).to_have_count(0)
    expect(view.locator(".tensor-convention")).to_have_count(0)
    if any(form == "kronecker" for form, _ in forms):  # no vec here: the Jacobian matrix itself
        expect(view.locator('[data-form="kronecker"] h4')).to_have_text("Matrix form")
    assert page.locator(".katex-error").count() == 0
    assert console_errors == []
