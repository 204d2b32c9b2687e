"""Why an answer is wrong, found without rules written by the author.

Each diagnosis is a numerical fact about the answer ``a`` and the expected ``e`` at the
same random instances: ``a = e^T`` (a layout mix-up), the shapes differ, ``a = c e``
(a factor or the sign), ``a = e`` once some matrix is made symmetric, ``a = e - t`` for a
term ``t`` of ``e`` (a term is missing) or ``a - t = e`` for a term of ``a`` (one too many).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from app.grading.numeric import (
    SYMMETRIC_PROPERTIES,
    ValueTable,
    all_close,
    close,
    common_factor,
    evaluate_together,
    transposed,
)
from app.grading.terms import expand_terms
from app.grading.verdict import Feedback
from app.mathcore import build
from app.mathcore.errors import MathError
from app.mathcore.evaluate import Array
from app.mathcore.printing import to_text
from app.mathcore.tree import Expr, format_shape
from app.mathcore.variables import Variable

LAYOUT_EXPLANATIONS = {
    "denominator": "this problem uses the denominator layout, where the derivative of a "
    "scalar has the shape of the variable (a column for a column vector)",
    "numerator": "this problem uses the numerator layout, where the derivative of a scalar "
    "by a column vector is a row vector",
}


@dataclass(frozen=True)
class Comparison:
    """Everything a diagnosis needs: the two trees, their variables and their values."""

    expected: Expr
    answer: Expr
    variables: Mapping[str, Variable]
    table: ValueTable
    differentials: frozenset[str] = frozenset()
    fixed: Mapping[str, Array] | None = None

    def evaluate(
        self, *exprs: Expr, extra: Mapping[str, frozenset[str]] | None = None
    ) -> ValueTable:
        return evaluate_together(
            [self.expected, self.answer, *exprs],
            self.variables,
            differentials=self.differentials,
            extra_properties=extra,
            fixed=self.fixed,
        )


def diagnose(comparison: Comparison, layout: str | None) -> list[Feedback]:
    """The automatic diagnoses of a wrong answer, most specific first."""
    expected_values = comparison.table.column(0)
    answer_values = comparison.table.column(1)
    expected_shape = comparison.expected.shape
    answer_shape = comparison.answer.shape
    if not comparison.expected.is_scalar and all_close(transposed(answer_values), expected_values):
        return [transpose_feedback(expected_shape, layout)]
    shapes_differ = expected_shape != answer_shape or any(
        a is not None and e is not None and a.shape != e.shape
        for a, e in zip(answer_values, expected_values, strict=True)
    )
    if shapes_differ:
        return [
            Feedback(
                "shape",
                f"Your answer is {format_shape(answer_shape)} but the answer should be "
                f"{format_shape(expected_shape)}.",
            )
        ]
    found: list[Feedback] = []
    factor = common_factor(answer_values, expected_values)
    if factor is not None and abs(factor) > 1e-9:
        found.append(factor_feedback(factor))
    found.extend(symmetric_only(comparison))
    if not found:
        found.extend(term_differences(comparison))
    return found


def transpose_feedback(expected_shape: tuple[object, object], layout: str | None) -> Feedback:
    rows, cols = expected_shape
    message = (
        "Your answer is the transpose of the expected one: a layout mix-up. "
        f"The answer should be {rows}×{cols}"
    )
    if layout in LAYOUT_EXPLANATIONS:
        message += f"; {LAYOUT_EXPLANATIONS[layout]}"
    return Feedback("transpose", message + ".")


def factor_feedback(factor: float) -> Feedback:
    if abs(factor + 1) < 1e-6:
        return Feedback("sign", "Your answer has the wrong sign: it is minus the expected one.")
    nice = Fraction(factor).limit_denominator(24)
    shown = (
        str(nice) if abs(float(nice) - factor) < 1e-6 * max(1.0, abs(factor)) else f"{factor:.4g}"
    )
    return Feedback(
        "factor",
        f"Your answer is off by a constant factor: it is {shown} times the expected one. "
        "Check the coefficients (a factor 2 from a square, a 1/2 in front).",
    )


def square_unconstrained(variables: Mapping[str, Variable]) -> list[str]:
    """Square matrices with no symmetry declared: the ones a learner may wrongly treat as symmetric."""
    return [
        name
        for name, v in variables.items()
        if v.shape[0] == v.shape[1]
        and v.shape != (1, 1)
        and not v.properties & SYMMETRIC_PROPERTIES
    ]


def symmetric_only(comparison: Comparison) -> list[Feedback]:
    """``2 A x`` for ``(A + A^T) x``: right only if some matrix were symmetric."""
    candidates = square_unconstrained(comparison.variables)
    trials: list[tuple[str, ...]] = [(name,) for name in candidates]
    if len(candidates) > 1:
        trials.append(tuple(candidates))
    for names in trials:
        extra = {name: frozenset({"symmetric"}) for name in names}
        table = comparison.evaluate(extra=extra)
        if not table.empty and all_close(table.column(1), table.column(0)):
            listed = " and ".join(names)
            verb = "were" if len(names) == 1 else "were all"
            return [
                Feedback(
                    "symmetric_only",
                    f"Your answer would be right only if {listed} {verb} symmetric, "
                    f"which is not given: keep {names[0]} and {names[0]}^T apart.",
                )
            ]
    return []


def term_differences(comparison: Comparison) -> list[Feedback]:
    """A term of the expected answer is missing, or the answer has one term too many."""
    expected_terms = expand_terms(comparison.expected)
    answer_terms = expand_terms(comparison.answer)
    if len(expected_terms) < 2 and len(answer_terms) < 2:
        return []
    try:
        candidates = [build.subtract(comparison.expected, t) for t in expected_terms]
        flipped = [
            build.subtract(comparison.expected, build.multiply(build.number(2), t))
            for t in expected_terms
        ]
        extras = [build.subtract(comparison.answer, t) for t in answer_terms]
    except MathError:
        return []
    table = comparison.evaluate(*candidates, *extras, *flipped)
    if table.empty:
        return []
    answer_values = table.column(1)
    expected_values = table.column(0)
    if len(expected_terms) > 1:
        for index in range(len(candidates)):
            if all_close(answer_values, table.column(2 + index)):
                return [
                    Feedback(
                        "missing_term",
                        f"A term is missing: your answer has {len(answer_terms)} of the "
                        f"{len(expected_terms)} terms. Every factor that depends on the "
                        "variable contributes a term (the product rule).",
                    )
                ]
    if len(answer_terms) > 1:
        offset = 2 + len(candidates)
        for index, term in enumerate(answer_terms):
            if all_close(table.column(offset + index), expected_values):
                return [Feedback("extra_term", f"The term {to_text(term)} should not be there.")]
    if len(expected_terms) > 1:
        offset = 2 + len(candidates) + len(extras)
        for index in range(len(flipped)):
            if all_close(answer_values, table.column(offset + index)):
                return [Feedback("sign", "The sign of one term is wrong.")]
    return []


def matches(table: ValueTable, column: int) -> bool:
    """Whether expression ``column`` equals the answer (column 1) at every instance."""
    return bool(table.rows) and all(close(row[1], row[column]) for row in table.rows)
