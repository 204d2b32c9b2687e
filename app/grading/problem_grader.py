"""Grading one attempt at a problem of any answer type.

An answer that does not parse, or has a shape conflict, is a *format error*: the learner
sees it with a caret and it is not counted as an attempt. So is an answer of the wrong
type: a formula (or a word such as ``twelve``) where a number is asked, a choice that is
not one of the listed indices.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.content.problems import Problem
from app.grading.comparison import DerivativeOf, compare_answer
from app.grading.derivation import LineError, StepResult, check_derivation
from app.grading.equivalence import declared_with, grade_expression
from app.grading.numbers import NUMBER_EXPECTED, exact_value, has_names, numbers_equal
from app.grading.numeric import SEED
from app.grading.verdict import Feedback, KnownMistake, distinct
from app.mathcore.errors import MathError, point_to_error
from app.mathcore.evaluate import Array
from app.mathcore.parse import parse
from app.mathcore.printing import to_latex
from app.mathcore.suggest import suggest


@dataclass(frozen=True)
class AttemptResult:
    correct: bool
    feedback: list[Feedback]
    counted: bool
    answer_latex: str | None = None
    steps: list[StepResult] = field(default_factory=list)
    suggestion: str | None = None
    """For an answer that cannot be read: the one most likely fix, which reads
    (:func:`app.mathcore.suggest.suggest`)."""

    def __post_init__(self) -> None:
        # one place for every result: a feedback box never repeats a message
        object.__setattr__(self, "feedback", distinct(self.feedback))

    @property
    def kinds(self) -> list[str]:
        return [f.kind for f in self.feedback]


def _format_error(
    text: str, error: MathError, prefix: str = "", variables: Mapping[str, Any] | None = None
) -> AttemptResult:
    message = prefix + point_to_error(text, error)
    feedback = Feedback("limit" if error.kind == "limit" else "format", message)
    return AttemptResult(
        False, [feedback], counted=False, suggestion=suggest(text, error, variables)
    )


def _answer_declarations(problem: Problem) -> Mapping[str, Any]:
    """The names an answer is read with: the problem's, and those its answer uses."""
    declared = problem.declarations()
    try:
        return declared_with(parse(problem.answer, declared), declared)
    except MathError:
        return declared


def explain_attempt(
    problem: Problem, answer: str, values: Mapping[str, Array] | None = None
) -> dict[str, Any] | None:
    """A wrong answer beside the problem's answer at one point (see
    :mod:`app.grading.comparison`), as JSON; the point is the problem's own, the same for
    every attempt, so attempts can be compared. ``None`` for other answer types."""
    if problem.type != "expression" or not problem.answer:
        return None
    spec = problem.derivative_of
    comparison = compare_answer(
        problem.answer,
        answer,
        problem.declarations(),
        derivative_of=DerivativeOf(spec.f, spec.wrt, spec.kind) if spec else None,
        layout=problem.layout,
        fixed=values or None,
        seed=SEED + zlib.crc32(problem.id.encode()),
    )
    return None if comparison is None else comparison.to_json()


def grade_attempt(
    problem: Problem,
    answer: str | None,
    lines: Sequence[str] | None,
    values: Mapping[str, Array] | None = None,
) -> AttemptResult:
    """Grade ``answer`` (or the derivation ``lines``) against ``problem``; ``values`` are
    the randomised parameters of the learner's variant."""
    if problem.type == "derivation":
        return _grade_derivation(problem, list(lines or ([answer] if answer else [])))
    if answer is None or not answer.strip():
        return AttemptResult(False, [Feedback("format", "Type an answer first.")], counted=False)
    if problem.type == "choice":
        return _grade_choice(problem, answer)
    if problem.type in ("number", "matrix"):
        numbers = _grade_numbers(problem, answer, values or {})
        if numbers is not None:
            return numbers
    mistakes = [KnownMistake(m.answer, m.message) for m in problem.mistakes]
    try:
        grade = grade_expression(
            problem.answer,
            answer,
            problem.declarations(),
            layout=problem.layout,
            mistakes=mistakes,
            fixed=values,
        )
    except MathError as error:
        return _format_error(answer, error, variables=_answer_declarations(problem))
    feedback = list(grade.verdict.feedback)
    if "format" in grade.verdict.kinds:  # a word where a number is asked: not an attempt
        return AttemptResult(False, feedback, counted=False)
    if grade.equivalent:
        feedback.insert(0, Feedback("correct", "Correct."))
    return AttemptResult(grade.equivalent, feedback, True, grade.answer_latex)


def _grade_numbers(
    problem: Problem, answer: str, values: Mapping[str, Array]
) -> AttemptResult | None:
    """A number problem accepts only a number; a matrix problem typed as numbers is
    compared exactly too (``None``: a matrix answer written as a formula, or an expected
    value with no exact form, graded as an expression)."""
    try:
        typed = parse(answer, problem.declarations()).expr
    except MathError as error:
        return _format_error(answer, error, variables=problem.declarations())
    if has_names(typed):
        if problem.type == "matrix":
            return None
        return _format_only(NUMBER_EXPECTED)
    if problem.type == "number" and not typed.is_scalar:
        return _format_only("This asks for one number, not a vector or a matrix.")
    expected = exact_value(parse(problem.answer, problem.declarations()).expr, values)
    if expected is None:
        return None  # no exact value to compare with: graded numerically, as an expression
    value = exact_value(typed, {})
    latex = to_latex(typed)
    if value is None:
        return _format_only(
            "This number cannot be worked out (it is undefined, or far too large); type its value."
        )
    if numbers_equal(value, expected, problem.tolerance):
        return AttemptResult(True, [Feedback("correct", "Correct.")], True, latex)
    feedback = [
        Feedback("known_mistake", mistake.message)
        for mistake in problem.mistakes
        if numbers_equal(value, _mistake_value(problem, mistake.answer, values), problem.tolerance)
    ]
    if value.shape != expected.shape:
        shape = f"{expected.shape[0]}×{expected.shape[1]}"
        feedback.append(Feedback("shape", f"The answer is {shape}; yours is not."))
    elif numbers_equal(-value, expected, problem.tolerance):
        feedback.append(Feedback("sign", "Check the sign."))
    if not feedback:
        feedback.append(Feedback("wrong", "That is not the expected value."))
    return AttemptResult(False, feedback, True, latex)


def _mistake_value(problem: Problem, text: str, values: Mapping[str, Array]) -> Any:
    try:
        return exact_value(parse(text, problem.declarations()).expr, values)
    except MathError:
        return None


def _format_only(message: str) -> AttemptResult:
    return AttemptResult(False, [Feedback("format", message)], counted=False)


CHOICE_INDEX = re.compile(r"0|[1-9][0-9]*")


def _grade_choice(problem: Problem, answer: str) -> AttemptResult:
    if not CHOICE_INDEX.fullmatch(answer) or int(answer) >= len(problem.choices):
        return _format_only("Pick one of the choices.")
    choice = problem.choices[int(answer)]
    if choice.correct:
        return AttemptResult(True, [Feedback("correct", choice.why or "Correct.")], True)
    return AttemptResult(False, [Feedback("wrong", choice.why or "Not this one.")], True)


def _grade_derivation(problem: Problem, lines: list[str]) -> AttemptResult:
    lines = [line for line in lines if line.strip()]
    if not lines:
        return AttemptResult(False, [Feedback("format", "Write at least one line.")], counted=False)
    try:
        result = check_derivation(
            lines,
            problem.declarations(),
            problem.wrt or "",
            problem.answer,
            problem.layout,
            from_differential=problem.start == "differential",
        )
    except LineError as error:
        return _format_error(lines[error.line], error, f"Line {error.line + 1}:\n")
    except MathError as error:
        return AttemptResult(False, [Feedback("format", error.message)], counted=False)
    feedback = list(result.feedback)
    feedback += [Feedback("wrong", step.message) for step in result.steps if not step.ok][:1]
    if result.correct:
        feedback.insert(0, Feedback("correct", f"Correct: the gradient is {result.gradient}."))
    return AttemptResult(result.correct, feedback, True, result.gradient_latex, result.steps)
