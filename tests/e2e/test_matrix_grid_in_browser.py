"""A matrix answer can be typed cell by cell: the grid writes the literal the grader reads.

The problem is the browser tests' own (``practice_server``), not one from content/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_grid_cells_become_a_matrix_literal(
    practice_server: str, page: Page, console_errors: list[str]
) -> None:
    page.goto(f"{practice_server}/practice/e2e-weight-gradient")
    grid = page.locator("[data-grid]")
    grid.locator(".grid-cols").fill("3")
    grid.locator(".grid-cols").dispatch_event("change")
    cells = grid.locator(".grid-cells input")
    expect(cells).to_have_count(6)
    for index, value in enumerate(["1", "2", "3", "4", "5", "-6"]):
        cells.nth(index).fill(value)
    answer = page.locator(".math-input input")
    expect(answer).to_have_value("[1, 2, 3; 4, 5, -6]")
    expect(page.locator(".math-input .preview .katex")).to_have_count(1)
    page.get_by_role("button", name="Check").click()
    expect(page.locator(".practice-problem")).to_have_attribute("data-state", "ready")
    expect(page.locator(".verdict")).to_be_visible()
    expect(page.locator(".attempt-count")).to_have_text("1 attempt")
    assert console_errors == []
