"""The grading table: every (expected, answer) pair gets the right verdict and diagnosis."""

from __future__ import annotations

import pytest

from app.grading.equivalence import grade_expression
from tests.grading.grading_cases import CASES, Case


@pytest.mark.parametrize("case", CASES, ids=[f"{c.expected} | {c.answer}" for c in CASES])
def test_verdict_and_first_diagnosis(case: Case) -> None:
    grade = grade_expression(case.expected, case.answer, case.variables, layout="denominator")
    assert grade.equivalent is case.equivalent, grade.verdict.feedback
    kinds = grade.verdict.kinds
    assert (kinds[0] if kinds else None) == case.kind, grade.verdict.feedback


def test_the_table_covers_every_diagnosis() -> None:
    kinds = {c.kind for c in CASES}
    assert {
        "transpose",
        "shape",
        "symmetric_only",
        "factor",
        "sign",
        "missing_term",
        "extra_term",
        "uses_property",
        "wrong",
    } <= kinds
    assert len(CASES) >= 100
