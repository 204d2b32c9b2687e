"""Attempts at problems: answer types mean what they say, numbers are compared exactly."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pytest

from app.content.problems import Problem
from app.grading.problem_grader import grade_attempt


def problem(**fields: Any) -> Problem:
    base: dict[str, Any] = {"id": "p", "title": "A problem", "prompt": "?", "solution": "!"}
    return Problem.model_validate({**base, **fields})


COUNT = problem(
    type="number",
    answer="15",
    mistakes=[{"answer": "8", "message": "multiply, do not add"}],
)
FRACTION = problem(type="number", answer="2.1")
ROOT = problem(type="number", answer="sqrt(8)/2")
LOOSE = problem(type="number", answer="3.01", tolerance=0.01)
TRACE = problem(
    type="number", answer="tr(A)", parameters={"A": {"shape": [2, 2], "low": -3, "high": 3}}
)
HALVES = problem(
    type="matrix",
    answer="A / 2",
    parameters={"A": {"shape": [2], "low": 1, "high": 3}},
)
CHOICE = problem(
    type="choice",
    choices=[{"text": "a"}, {"text": "b", "correct": True}, {"text": "c"}],
)
SPLIT = problem(
    answer="x yz",
    variables={
        "x": {"shape": []},
        "y": {"shape": []},
        "z": {"shape": []},
        "xy": {"shape": []},
        "yz": {"shape": []},
    },
)
DERIVATION = problem(
    type="derivation",
    answer="(A + A^T) x",
    wrt="x",
    variables={"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"]}},
    example=["d(x^T A x) = ((A + A^T) x)^T dx"],
)
FREE_START = DERIVATION.model_copy(update={"start": "any"})
# a known mistake may name variables the expected answer does not (the gradient for a Hessian)
HESSIAN = problem(
    answer="2 A^T A",
    variables={"A": {"shape": ["m", "n"]}, "x": {"shape": ["n"]}, "b": {"shape": ["m"]}},
    mistakes=[{"answer": "2 A^T (A x - b)", "message": "That is the gradient."}],
)
# an answer that is a differential: every dX takes random values, as X does
D_GRAM = problem(answer="dX^T X + X^T dX", variables={"X": {"shape": ["n", "n"]}})
D_INVERSE = problem(answer="-X^-1 dX X^-1", variables={"X": {"shape": ["n", "n"]}})
TRACE_VALUES = {"A": np.array([[2.0, 1.0], [-3.0, 5.0]])}
HALVES_VALUES = {"A": np.array([[1.0], [3.0]])}


class Attempt(NamedTuple):
    problem: Problem
    answer: str | None
    lines: list[str] | None
    correct: bool
    counted: bool
    kind: str
    values: dict[str, Any] | None = None


ATTEMPTS = [
    # a number problem accepts only numbers, compared exactly
    Attempt(COUNT, "15", None, True, True, "correct"),
    Attempt(COUNT, "5*3", None, True, True, "correct"),
    Attempt(COUNT, "15.0", None, True, True, "correct"),
    Attempt(COUNT, "15.0000001", None, False, True, "wrong"),
    Attempt(COUNT, "14.9999999999", None, False, True, "wrong"),
    Attempt(COUNT, "8", None, False, True, "known_mistake"),
    Attempt(COUNT, "-15", None, False, True, "sign"),
    Attempt(COUNT, "twelve", None, False, False, "format"),
    Attempt(COUNT, "3 x", None, False, False, "format"),
    Attempt(COUNT, "[15, 15]", None, False, False, "format"),
    Attempt(COUNT, "1e1 + 5", None, True, True, "correct"),
    Attempt(COUNT, "10^(10^8)", None, False, False, "format"),
    Attempt(COUNT, "1/0", None, False, False, "limit"),
    Attempt(FRACTION, "2.1", None, True, True, "correct"),
    Attempt(FRACTION, "21/10", None, True, True, "correct"),
    Attempt(FRACTION, "2.1000001", None, False, True, "wrong"),
    Attempt(ROOT, "sqrt(2)", None, True, True, "correct"),
    Attempt(ROOT, "2^(1/2)", None, True, True, "correct"),
    Attempt(ROOT, "1.41421356237", None, True, True, "correct"),
    Attempt(ROOT, "1.4142", None, False, True, "wrong"),
    Attempt(LOOSE, "3", None, True, True, "correct"),
    Attempt(LOOSE, "2.9", None, False, True, "wrong"),
    Attempt(TRACE, "7", None, True, True, "correct", TRACE_VALUES),
    Attempt(TRACE, "tr(A)", None, False, False, "format", TRACE_VALUES),
    Attempt(TRACE, "7.00000001", None, False, True, "wrong", TRACE_VALUES),
    Attempt(HALVES, "[1/2, 3/2]", None, True, True, "correct", HALVES_VALUES),
    Attempt(HALVES, "[0.5, 1.5]", None, True, True, "correct", HALVES_VALUES),
    Attempt(HALVES, "[0.5, 1.5000001]", None, False, True, "wrong", HALVES_VALUES),
    Attempt(HALVES, "A / 2", None, True, True, "correct", HALVES_VALUES),
    # a choice is one of the listed indices, read strictly
    Attempt(CHOICE, "1", None, True, True, "correct"),
    Attempt(CHOICE, "0", None, False, True, "wrong"),
    Attempt(CHOICE, "3", None, False, False, "format"),
    Attempt(CHOICE, " 1", None, False, False, "format"),
    Attempt(CHOICE, "01", None, False, False, "format"),
    Attempt(CHOICE, "²", None, False, False, "format"),
    Attempt(CHOICE, "1.0", None, False, False, "format"),
    # letters that split two ways are a question, not a counted attempt
    Attempt(SPLIT, "xyz", None, False, False, "format"),
    Attempt(SPLIT, "x yz", None, True, True, "correct"),
    # every expression judged gets values for its variables, a mistake's included
    Attempt(HESSIAN, "2 A^T A", None, True, True, "correct"),
    Attempt(HESSIAN, "2 A^T (A x - b)", None, False, True, "known_mistake"),
    Attempt(HESSIAN, "x", None, False, True, "shape"),
    Attempt(HESSIAN, "2 A^T A + x^T x", None, False, True, "extra_term"),
    Attempt(HESSIAN, "2 A^T A + b^T b", None, False, True, "extra_term"),
    # differentials are variables too: dX never drops out of the comparison
    Attempt(D_GRAM, "X^T dX + dX^T X", None, True, True, "correct"),
    Attempt(D_GRAM, "2 X^T dX", None, False, True, "not_symmetrised"),
    Attempt(D_GRAM, "2 dX^T X", None, False, True, "not_symmetrised"),
    Attempt(D_GRAM, "X^T dX", None, False, True, "missing_term"),
    Attempt(D_INVERSE, "-inv(X) dX inv(X)", None, True, True, "correct"),
    Attempt(D_INVERSE, "-X^-2 dX", None, False, True, "wrong"),
    Attempt(D_INVERSE, "-dX X^-2", None, False, True, "wrong"),
    Attempt(D_INVERSE, "X^-1 dX X^-1", None, False, True, "sign"),
    # a derivation starts from d(f) unless the problem says otherwise
    Attempt(DERIVATION, None, ["((A + A^T) x)^T dx"], False, True, "wrong"),
    Attempt(FREE_START, None, ["((A + A^T) x)^T dx"], True, True, "correct"),
    Attempt(DERIVATION, None, ["d(x^T A x) = dx^T (A + A^T) x"], True, True, "correct"),
    Attempt(DERIVATION, None, ["d(x^T A x) = dx^T A x + x^T A dx"], False, True, "not_canonical"),
    # lines that never mention A get a verdict (the gradient differs), not an error
    Attempt(DERIVATION, None, ["d(x^T x) = 2 x^T dx"], False, True, "wrong"),
]


@pytest.mark.parametrize(
    "attempt",
    ATTEMPTS,
    ids=[f"{a.problem.type}: {a.answer or ' / '.join(a.lines or [])}" for a in ATTEMPTS],
)
def test_attempt(attempt: Attempt) -> None:
    result = grade_attempt(attempt.problem, attempt.answer, attempt.lines, attempt.values)
    assert (result.correct, result.counted) == (attempt.correct, attempt.counted), result.feedback
    assert result.kinds[0] == attempt.kind, result.feedback


def test_a_formula_for_a_number_says_what_to_type() -> None:
    result = grade_attempt(COUNT, "3 x", None)
    assert "asks for a number" in result.feedback[0].message


def test_an_ambiguous_split_suggests_a_reading() -> None:
    result = grade_attempt(SPLIT, "xyz", None)
    assert "did you mean" in result.feedback[0].message


def test_a_tolerance_is_only_for_numbers() -> None:
    with pytest.raises(ValueError, match="tolerance"):
        problem(answer="x", variables={"x": {"shape": []}}, tolerance=0.1)
