"""Feedback a new learner met that read wrong: a near miss called "1 times" the answer, a word
called a wrong shape, one message twice in a box."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.content.problems import Problem
from app.grading.diagnosis import factor_feedback, nice_number
from app.grading.equivalence import grade_expression
from app.grading.problem_grader import grade_attempt
from app.grading.verdict import Feedback, Verdict, distinct

SCALAR: dict[str, Any] = {"x": {"shape": []}}
VECTOR: dict[str, Any] = {"x": {"shape": ["n"]}}

# (expected, answer, variables, the ratio the message must show)
NEAR_MISSES = [
    ("12", "12.0001", None, "1.0000083"),
    ("12", "11.9999", None, "0.99999167"),
    ("2 x", "2.0001 x", SCALAR, "1.00005"),
    ("3 x", "3.000003 x", VECTOR, "1.000001"),
    ("x", "2.00001 x", VECTOR, "2.00001"),
    ("x", "0.50001 x", VECTOR, "0.50001"),
]


@pytest.mark.parametrize(("expected", "answer", "variables", "ratio"), NEAR_MISSES)
def test_a_ratio_that_rounds_to_a_simple_number_is_shown_with_enough_digits(
    expected: str, answer: str, variables: dict[str, Any] | None, ratio: str
) -> None:
    grade = grade_expression(expected, answer, variables)
    assert not grade.equivalent
    (feedback,) = grade.verdict.feedback
    assert feedback.kind == "factor"
    assert f"it is {ratio} times the expected one" in feedback.message
    shown = re.search(r"it is (\S+) times", feedback.message)
    assert shown is not None
    # the number shown is not the simple one it is near: the verdict said they differ
    assert shown[1] not in {"1", "2", "1/2"}


@pytest.mark.parametrize("factor", [1 + 1e-8, 1 - 1e-7, 1.0000083, 0.9995, 1.0004])
def test_no_ratio_near_one_is_called_one_or_a_wrong_coefficient(factor: float) -> None:
    message = factor_feedback(factor).message
    assert "close to the expected one but not equal" in message
    assert " 1 times" not in message


@pytest.mark.parametrize(
    ("factor", "shown"), [(0.5, "1/2"), (2.0, "2"), (-3 / 4, "-3/4"), (1.37, "1.37")]
)
def test_simple_factors_still_read_as_fractions(factor: float, shown: str) -> None:
    assert nice_number(factor) == shown


def number_problem(**fields: Any) -> Problem:
    base = {"id": "p", "title": "A count", "prompt": "?", "solution": "!", "type": "number"}
    return Problem.model_validate({**base, **fields})


# (expected, a word where a number is asked): a format message, never "wrong shape"
WORDS = [("12", "twelve"), ("1/2", "half"), ("3", "x"), ("0", "zero")]


@pytest.mark.parametrize(("expected", "word"), WORDS)
def test_a_word_for_a_number_is_a_format_message_in_check(expected: str, word: str) -> None:
    grade = grade_expression(expected, word)
    assert grade.verdict.kinds == ["format"]
    assert "a number such as 12, 1/2" in grade.verdict.feedback[0].message


@pytest.mark.parametrize(("expected", "word"), WORDS)
def test_a_word_for_a_number_is_not_an_attempt(expected: str, word: str) -> None:
    result = grade_attempt(number_problem(answer=expected), word, None)
    assert (result.kinds, result.counted) == (["format"], False)
    assert "a number such as 12, 1/2" in result.feedback[0].message


def test_a_declared_formula_that_is_the_number_is_still_right() -> None:
    assert grade_expression("0", "x - x", SCALAR).equivalent


def test_a_message_is_said_once_however_many_checks_found_it() -> None:
    same = "Check the sign."
    verdict = Verdict(
        False,
        "numeric",
        [Feedback("sign", same), Feedback("known_mistake", same), Feedback("wrong", "Other.")],
    )
    assert [f.message for f in verdict.feedback] == [same, "Other."]
    assert distinct([Feedback("wrong", "a  b"), Feedback("wrong", "a b")]) == [
        Feedback("wrong", "a  b")
    ]


def test_two_authored_mistakes_with_one_message_show_it_once() -> None:
    problem = Problem.model_validate(
        {
            "id": "p",
            "title": "A gradient",
            "prompt": "?",
            "solution": "!",
            "answer": "(A + A^T) x",
            "variables": {"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"]}},
            "mistakes": [
                {"answer": "2 A x", "message": "A is not symmetric."},
                {"answer": "A x + A x", "message": "A is not symmetric."},
            ],
        }
    )
    result = grade_attempt(problem, "2 A x", None)
    messages = [f.message for f in result.feedback]
    assert messages.count("A is not symmetric.") == 1
    assert len(messages) == len(set(messages))
