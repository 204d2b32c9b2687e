"""Grading one attempt at a problem of any answer type.

An answer that does not parse, or has a shape conflict, is a *format error*: the learner
sees it with a caret and it is not counted as an attempt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.content.problems import Problem
from app.grading.derivation import LineError, StepResult, check_derivation
from app.grading.equivalence import grade_expression
from app.grading.verdict import Feedback, KnownMistake
from app.mathcore.errors import MathError, point_to_error
from app.mathcore.evaluate import Array


@dataclass(frozen=True)
class AttemptResult:
    correct: bool
    feedback: list[Feedback]
    counted: bool
    answer_latex: str | None = None
    steps: list[StepResult] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return [f.kind for f in self.feedback]


def _format_error(text: str, error: MathError, prefix: str = "") -> AttemptResult:
    message = prefix + point_to_error(text, error)
    feedback = Feedback("limit" if error.kind == "limit" else "format", message)
    return AttemptResult(False, [feedback], counted=False)


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
        return _format_error(answer, error)
    feedback = list(grade.verdict.feedback)
    if grade.equivalent:
        feedback.insert(0, Feedback("correct", "Correct."))
    return AttemptResult(grade.equivalent, feedback, True, grade.answer_latex)


def _grade_choice(problem: Problem, answer: str) -> AttemptResult:
    if not answer.isdigit() or int(answer) >= len(problem.choices):
        return AttemptResult(False, [Feedback("format", "Pick one of the choices.")], counted=False)
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
            lines, problem.declarations(), problem.wrt or "", problem.answer, problem.layout
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
