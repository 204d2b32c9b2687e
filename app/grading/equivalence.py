"""Is the answer equal to the expected expression? With shapes and non-commuting matrices.

Both are evaluated at the same random instances (see :mod:`app.grading.numeric`); scalar
expressions of scalar variables are also compared with SymPy objects built from our tree.
A wrong answer is diagnosed by :mod:`app.grading.diagnosis`.

>>> grade = grade_expression("(A + A^T) x", "2 A x", {"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"]}})
>>> grade.equivalent, grade.verdict.kinds
(False, ['symmetric_only'])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import sympy

from app.grading.diagnosis import Comparison, diagnose, matches
from app.grading.numeric import all_close, evaluate_together
from app.grading.verdict import Feedback, Grade, KnownMistake, Method, Verdict
from app.mathcore.errors import MathError
from app.mathcore.evaluate import Array
from app.mathcore.parse import Parsed, parse
from app.mathcore.printing import to_latex, to_text
from app.mathcore.sympy_bridge import to_sympy
from app.mathcore.tree import Expr
from app.mathcore.variables import Variable, parse_declarations

MAX_SYMPY_OPS = 120


def grade_expression(
    expected: str,
    answer: str,
    variables: Mapping[str, Any] | None = None,
    *,
    layout: str | None = None,
    mistakes: Sequence[KnownMistake] = (),
    fixed: Mapping[str, Array] | None = None,
) -> Grade:
    """Parse both texts (expected first, so its variables fix the answer's) and judge.

    Raises :class:`MathError` when either does not parse or has a shape conflict: the
    caller decides whether that is a format error (the answer) or a content bug.
    """
    expected_parsed = parse(expected, variables)
    declared = declared_with(expected_parsed, variables)
    answer_parsed = parse(answer, declared)
    known = _parse_mistakes(mistakes, declared)
    verdict = judge(
        expected_parsed.expr,
        answer_parsed.expr,
        merged_variables(expected_parsed, answer_parsed),
        layout=layout,
        mistakes=known,
        fixed=fixed,
    )
    return Grade(verdict, to_text(answer_parsed.expr), to_latex(answer_parsed.expr))


def _parse_mistakes(
    mistakes: Sequence[KnownMistake], declared: dict[str, Variable]
) -> list[tuple[Expr, str]]:
    """The authored mistakes that parse (one that does not is reported by check-content:
    a learner typing it would see a format error, never its message)."""
    parsed: list[tuple[Expr, str]] = []
    for mistake in mistakes:
        try:
            parsed.append((parse(mistake.answer, declared).expr, mistake.message))
        except MathError:
            continue
    return parsed


def declared_with(parsed: Parsed, variables: Mapping[str, Any] | None) -> dict[str, Variable]:
    """The variables of ``parsed`` and every other declared one (an answer may use those)."""
    declared = dict(parsed.variables)
    for name, variable in parse_declarations(variables).items() if variables else ():
        declared.setdefault(name, variable)
    return declared


def merged_variables(*parsed: Parsed) -> dict[str, Variable]:
    merged: dict[str, Variable] = {}
    for item in parsed:
        for name, variable in item.variables.items():
            merged.setdefault(name, variable)
    return merged


def judge(
    expected: Expr,
    answer: Expr,
    variables: Mapping[str, Variable],
    *,
    layout: str | None = None,
    mistakes: Sequence[tuple[Expr, str]] = (),
    differentials: frozenset[str] = frozenset(),
    fixed: Mapping[str, Array] | None = None,
) -> Verdict:
    """The verdict on ``answer`` against ``expected`` (both typed trees over ``variables``)."""
    table = evaluate_together(
        [expected, answer, *(m for m, _ in mistakes)],
        variables,
        differentials=differentials,
        fixed=fixed,
    )
    if table.empty:
        symbolic = sympy_equal(expected, answer)
        if symbolic is not None:
            return Verdict(symbolic, "sympy", [] if symbolic else [_wrong()])
        return Verdict(
            False,
            "numeric",
            [Feedback("wrong", "The expected answer has no value at random inputs.")],
        )
    comparison = Comparison(expected, answer, variables, table, differentials, fixed)
    if all_close(table.column(1), table.column(0)):
        method: Method = "sympy" if sympy_equal(expected, answer) else "numeric"
        return Verdict(True, method, _property_notes(comparison))
    method = "shape" if expected.shape != answer.shape else "numeric"
    feedback = [
        Feedback("known_mistake", message)
        for index, (_, message) in enumerate(mistakes)
        if matches(table, 2 + index)
    ]
    automatic = diagnose(replace(comparison, table=_first_two(comparison)), layout)
    feedback.extend(automatic or ([] if feedback else [_wrong()]))
    return Verdict(False, method, feedback)


def _first_two(comparison: Comparison) -> Any:
    table = comparison.table
    trimmed = type(table)([row[:2] for row in table.rows], table.instances)
    return trimmed


def _wrong() -> Feedback:
    return Feedback(
        "wrong",
        "Not equal to the expected answer: the two differ at random values of the variables.",
    )


def _property_notes(comparison: Comparison) -> list[Feedback]:
    """Say so when the answer is right only thanks to a declared property."""
    with_properties = [name for name, v in comparison.variables.items() if v.properties]
    if not with_properties:
        return []
    plain = {
        name: Variable(v.name, v.shape, frozenset()) for name, v in comparison.variables.items()
    }
    table = evaluate_together(
        [comparison.expected, comparison.answer],
        plain,
        differentials=comparison.differentials,
        fixed=comparison.fixed,
    )
    if table.empty or all_close(table.column(1), table.column(0)):
        return []
    described = ", ".join(
        f"{name} is {' and '.join(sorted(comparison.variables[name].properties))}"
        for name in with_properties
    )
    return [
        Feedback(
            "uses_property",
            f"Correct here because {described}; without that the two would differ.",
        )
    ]


def sympy_equal(expected: Expr, answer: Expr) -> bool | None:
    """``True``/``False`` when SymPy decides (scalar expressions of scalars), else ``None``.

    The SymPy objects come from our tree (``to_sympy``), never from text.
    """
    try:
        difference = to_sympy(expected) - to_sympy(answer)
    except (MathError, TypeError):
        return None
    if isinstance(difference, sympy.MatrixBase):
        return None
    if sympy.expand(difference) == 0:
        return True
    if sympy.count_ops(difference) > MAX_SYMPY_OPS:
        return None
    return True if sympy.simplify(difference) == 0 else None
