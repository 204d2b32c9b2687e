"""The tensor view on the calculator: the three forms of a matrix-by-matrix derivative and the
slice explorer, with symbols (the index form at chosen indices) and with numbers.

The calculator announces each result with an ``mc:derivative`` event; the numeric slices
come from a response with values (``at``), dispatched the same way.
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

DOC_EXAMPLE = {
    "expression": "A X B",
    "wrt": "X",
    "variables": {"A": {"shape": [2, 2]}, "X": {"shape": [2, 3]}, "B": {"shape": [3, 2]}},
    "at": {
        "A": [[1.0, 2.0], [3.0, 4.0]],
        "X": [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
        "B": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
    },
}


def differentiate(page: Page, live_server: str, expression: str) -> None:
    page.goto(f"{live_server}/calculator")
    page.locator("#expression").fill(expression)
    expect(page.locator("#expression-preview")).to_have_attribute("data-state", "ready")
    page.locator("#wrt").select_option("X")
    page.get_by_role("button", name="Differentiate").click()
    expect(page.locator("#calc-form")).to_have_attribute("data-state", "ready")


def test_forms_and_symbolic_slices_of_a_x_b(
    live_server: str, page: Page, console_errors: list[str]
) -> None:
    differentiate(page, live_server, "A X B")
    view = page.locator("#tensor-view")
    expect(view).to_be_visible()
    for form, tex in [
        ("differential", r"\mathrm{d}F = A \mathrm{d}X B"),
        ("kronecker", r"B^{\top} \otimes A"),
        ("index", r"A_{ik} B_{lj}"),
    ]:
        expect(view.locator(f'[data-form="{form}"] annotation')).to_contain_text(tex)
    expect(view.locator(".tensor-convention")).to_contain_text("column-major")

    slice_ = view.get_by_test_id("tensor-slice")
    # entry (k, l) = (1, 1) first: the matrix dF/dX_11 has entries A_i1 B_1j
    expect(slice_.locator("annotation")).to_contain_text(r"A_{11} B_{11} & A_{11} B_{12}")
    view.get_by_label("index l").select_option("2")
    expect(slice_).to_have_attribute("data-slice", "1,2")
    expect(slice_.locator("annotation")).to_contain_text(r"A_{11} B_{21} & A_{11} B_{22}")
    expect(view.locator(".tensor-note")).to_contain_text("shown as 3")

    view.get_by_label("Fix an entry of F").check()
    view.get_by_label("index j").select_option("3")
    expect(slice_).to_have_attribute("data-slice", "1,3")
    # the gradient of F_13: entries A_1k B_l3
    expect(slice_.locator("annotation")).to_contain_text(r"A_{11} B_{13} & A_{11} B_{23}")
    expect(view.locator("details.tensor-code summary").first).to_contain_text("einsum")
    assert page.locator(".katex-error").count() == 0
    assert console_errors == []
    shots = os.environ.get("MC_SCREENSHOT_DIR")
    if shots:
        view.screenshot(path=str(Path(shots) / "tensor-view.png"))


def post(live_server: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{live_server}/api/derivative",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our own server
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def test_numeric_slices_from_a_response_with_values(
    live_server: str, page: Page, console_errors: list[str]
) -> None:
    differentiate(page, live_server, "A X B")  # shows the result section the view lives in
    response = post(live_server, DOC_EXAMPLE)
    assert response["slices"] is not None
    page.evaluate(
        "detail => document.dispatchEvent(new CustomEvent('mc:derivative', { detail }))",
        {"request": DOC_EXAMPLE, "response": response},
    )
    view = page.locator("#tensor-view")
    expect(view).to_be_visible()
    slice_ = view.get_by_test_id("tensor-slice")
    # dF/dX_11 = A_i1 B_1j: rows (1, 3) times (1, 0)
    expect(slice_.locator("annotation")).to_contain_text(
        r"\begin{bmatrix} 1 & 0 \\ 3 & 0 \end{bmatrix}"
    )
    view.get_by_label("Fix an entry of F").check()
    view.get_by_label("index j").select_option("2")
    # the gradient of F_12 = A_1k B_l2: (1, 2) times (0, 1, 1)
    expect(slice_.locator("annotation")).to_contain_text(
        r"\begin{bmatrix} 0 & 1 & 1 \\ 0 & 2 & 2 \end{bmatrix}"
    )
    expect(view.locator(".tensor-note")).to_contain_text("Numbers at A = [[1, 2], [3, 4]]")

    page.evaluate(
        "() => document.dispatchEvent(new CustomEvent('mc:derivative', { detail: null }))"
    )
    expect(view).to_be_hidden()
    assert console_errors == []


def test_the_hessian_by_a_matrix(live_server: str, page: Page, console_errors: list[str]) -> None:
    page.goto(f"{live_server}/calculator")
    page.locator("#expression").fill("tr(X^T A X)")
    expect(page.locator("#expression-preview")).to_have_attribute("data-state", "ready")
    page.locator("#wrt").select_option("X")
    page.locator('input[name="kind"][value="hessian"]').check()
    page.get_by_role("button", name="Differentiate").click()
    expect(page.locator("#calc-form")).to_have_attribute("data-state", "ready")
    expect(page.locator("#verified-badge")).to_have_text("✓ verified numerically")
    view = page.locator("#tensor-view")
    expect(view.locator('[data-form="kronecker"] annotation')).to_contain_text(r"\otimes")
    expect(view.locator('[data-form="index"] annotation')).to_contain_text(r"\delta_{jl}")
    # the einsum code's t_0 is A + A^T, listed under the code
    expect(view.locator('.tensor-names [data-name="t_0"] annotation')).to_have_text(
        r"t_{0} = A + A^{\top}"
    )
    view.get_by_label("Fix an entry of the gradient").check()
    expect(view.get_by_test_id("tensor-slice").locator("annotation")).to_contain_text(
        r"\partial^2 f"
    )
    assert page.locator(".katex-error").count() == 0
    assert console_errors == []


def test_numbers_at_sample_values_replace_the_symbols(
    live_server: str, page: Page, console_errors: list[str]
) -> None:
    differentiate(page, live_server, "A X B")
    view = page.locator("#tensor-view")
    requests: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda r: (
            requests.append(json.loads(r.post_data or "{}"))
            if r.url.endswith("/api/derivative")
            else None
        ),
    )
    view.get_by_role("button", name="Show numbers at sample values").click()
    expect(view.locator(".tensor-note")).to_contain_text("Numbers at")
    at = requests[-1]["at"]
    A, B = at["A"], at["B"]
    # dF/dX_11 = A e_1 e_1^T B: row i, column j is A_i1 B_1j (named sizes shown as 3).
    tex = view.get_by_test_id("tensor-slice").locator("annotation").text_content() or ""
    body = tex.split(r"\begin{bmatrix}")[1].split(r"\end{bmatrix}")[0]
    shown = [[float(cell) for cell in row.split("&")] for row in body.split(r"\\")]
    expected = [[A[i][0] * B[0][j] for j in range(len(B[0]))] for i in range(len(A))]
    assert len(shown) == len(expected)
    for got, want in zip(shown, expected, strict=True):
        assert got == pytest.approx(want, rel=1e-3, abs=1e-3)
    assert console_errors == []
