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

from app.grading.diagnosis import Comparison, diagnose, matches
from app.grading.numbers import NUMBER_EXPECTED, exact_value, has_names, numbers_equal
from app.grading.numeric import MORE_INSTANCES, SEED, agree, evaluate_together, kink_instances
from app.grading.symbolic import symbolic_verdict
from app.grading.verdict import Feedback, Grade, KnownMistake, Method, Verdict
from app.mathcore.errors import MathError
from app.mathcore.evaluate import Array
from app.mathcore.parse import Parsed, parse
from app.mathcore.printing import to_latex, to_text
from app.mathcore.tree import Differential, Expr
from app.mathcore.variables import Variable, parse_declarations


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
    exprs = [expected_parsed.expr, answer_parsed.expr, *(parsed.expr for parsed, _ in known)]
    verdict = judge(
        expected_parsed.expr,
        answer_parsed.expr,
        # a mistake may name a variable that neither the expected answer nor the answer has
        # (2 A^T (A x - b) for the Hessian 2 A^T A): every expression judged gets its values
        merged_variables(expected_parsed, answer_parsed, *(parsed for parsed, _ in known)),
        layout=layout,
        mistakes=[(parsed.expr, message) for parsed, message in known],
        # dX in an answer (d(X^T X) = dX^T X + X^T dX) takes random values, as X does: left
        # at zero, every differential would agree with every other
        differentials=frozenset(
            node.name for expr in exprs for node in expr.walk() if isinstance(node, Differential)
        ),
        fixed=fixed,
    )
    if not verdict.equivalent and _number_for_a_word(expected_parsed, answer_parsed, variables):
        # `twelve` for 12 is not a shape mistake: it is not a number at all
        verdict = Verdict(False, "exact", [Feedback("format", NUMBER_EXPECTED)])
    return Grade(verdict, to_text(answer_parsed.expr), to_latex(answer_parsed.expr))


def _number_for_a_word(
    expected: Parsed, answer: Parsed, variables: Mapping[str, Any] | None
) -> bool:
    """Whether a number is expected and the answer names something nobody declared."""
    if has_names(expected.expr) or not has_names(answer.expr):
        return False
    declared = set(variables or {})
    return any(name not in declared for name in answer.variables)


def _parse_mistakes(
    mistakes: Sequence[KnownMistake], declared: dict[str, Variable]
) -> list[tuple[Parsed, str]]:
    """The authored mistakes that parse (one that does not is reported by check-content:
    a learner typing it would see a format error, never its message)."""
    parsed: list[tuple[Parsed, str]] = []
    for mistake in mistakes:
        try:
            parsed.append((parse(mistake.answer, declared), mistake.message))
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
    """The verdict on ``answer`` against ``expected`` (both typed trees over ``variables``).

    Equal means equal at every instance (more are drawn once the first agree, and more
    beside every kink), entry by entry, confirmed in high precision where floats differ;
    for scalar questions SymPy may still veto with a point where the two differ.
    """
    exprs = [expected, answer, *(m for m, _ in mistakes)]
    table = evaluate_together(exprs, variables, differentials=differentials, fixed=fixed)
    exact = _exactly_equal(expected, answer)
    if exact is not None and not table.empty:
        if exact:
            return Verdict(True, "exact")
        if agree(table, expected, answer):  # equal to 1e-9 but not exactly: 15.0000001
            return Verdict(False, "exact", [_wrong()])
    if table.empty:
        symbolic = symbolic_verdict(expected, answer)
        if symbolic.equal is not None:
            return Verdict(symbolic.equal, "sympy", [] if symbolic.equal else [_wrong()])
        return Verdict(
            False,
            "numeric",
            [Feedback("wrong", "The expected answer has no value at random inputs.")],
        )
    equal = agree(table, expected, answer)
    if equal and not (fixed and len(fixed) >= len(variables)):
        more = evaluate_together(
            exprs,
            variables,
            differentials=differentials,
            fixed=fixed,
            count=MORE_INSTANCES,
            seed=SEED + 1,
        )
        more.extend(kink_instances(exprs, variables, table, fixed))
        equal = agree(more, expected, answer)
        table.extend(more)
    comparison = Comparison(expected, answer, variables, table, differentials, fixed)
    veto: list[Feedback] = []
    if equal:
        base = table.instances[0]
        positive = [n for n, v in variables.items() if v.properties & {"positive", "spd"}]
        symbolic = symbolic_verdict(expected, answer, base, positive)
        if symbolic.equal is not False:
            method: Method = "sympy" if symbolic.equal else "numeric"
            return Verdict(True, method, _property_notes(comparison))
        veto = [_differs_at(symbolic.witness)]
    method = "shape" if expected.shape != answer.shape else "sympy" if veto else "numeric"
    feedback = [
        Feedback("known_mistake", message)
        for index, (_, message) in enumerate(mistakes)
        if matches(table, 2 + index)
    ]
    automatic = veto or diagnose(replace(comparison, table=_first_two(comparison)), layout)
    feedback.extend(automatic or ([] if feedback else [_wrong()]))
    return Verdict(False, method, feedback)


def _exactly_equal(expected: Expr, answer: Expr) -> bool | None:
    """For two expressions of numbers alone (``[1, 2; 3, 4]``, ``3 + 4``): equal exactly, as
    number problems are (:mod:`app.grading.numbers`); ``None`` when either has names."""
    if has_names(expected) or has_names(answer):
        return None
    expected_value = exact_value(expected, {})
    answer_value = exact_value(answer, {})
    if expected_value is None or answer_value is None:
        return None
    if expected_value.shape != answer_value.shape:
        return None  # a flat list for a column, or a shape the diagnosis names
    return numbers_equal(answer_value, expected_value, None)


def _differs_at(point: Mapping[str, float]) -> Feedback:
    where = ", ".join(f"{name} = {value:.4g}" for name, value in point.items())
    return Feedback(
        "wrong",
        f"Not equal to the expected answer: the two agree at some values but differ at {where}.",
    )


def _first_two(comparison: Comparison) -> Any:
    table = comparison.table
    trimmed = type(table)([row[:2] for row in table.rows], table.instances, table.sizes)
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
    if table.empty or agree(table, comparison.expected, comparison.answer):
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
