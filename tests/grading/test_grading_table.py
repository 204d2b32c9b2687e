"""The grading table: every (expected, answer) pair gets the right verdict and diagnosis."""

from __future__ import annotations

import pytest

from app.grading.equivalence import grade_expression
from tests.grading.grading_cases import CASES, Case


@pytest.mark.parametrize("case", CASES, ids=[f"{c.expected} | {c.answer}" for c in CASES])
def test_verdict_and_first_diagnosis(case: Case) -> None:
    grade = grade_expression(case.expected, case.answer, case.variables)
    assert grade.equivalent is case.equivalent, grade.verdict.feedback
    kinds = grade.verdict.kinds
    assert (kinds[0] if kinds else None) == case.kind, grade.verdict.feedback


def test_the_table_covers_every_diagnosis() -> None:
    kinds = {c.kind for c in CASES}
    assert {
        "transpose",
        "shape",
        "symmetric_only",
        "not_symmetrised",
        "factor",
        "sign",
        "missing_term",
        "extra_term",
        "term_factor",
        "uses_property",
        "wrong",
    } <= kinds
    assert len(CASES) >= 100


TRANSPOSED = [c for c in CASES if c.kind == "transpose"]


@pytest.mark.parametrize("layout", [None, "numerator"])
@pytest.mark.parametrize("case", TRANSPOSED, ids=[f"{c.expected} | {c.answer}" for c in TRANSPOSED])
def test_a_layout_mix_up_is_explained_in_the_course_convention(
    case: Case, layout: str | None
) -> None:
    message = grade_expression(case.expected, case.answer, case.variables, layout=layout)
    text = message.verdict.feedback[0].message
    assert "denominator layout" not in text
    assert "a gradient has the shape of its variable" in text


def test_a_problem_in_the_other_convention_says_so() -> None:
    grade = grade_expression("b", "b^T", {"b": {"shape": ["n"]}}, layout="denominator")
    assert "this problem uses the denominator layout" in grade.verdict.feedback[0].message
