"""Why an answer is wrong, found without rules written by the author.

Each diagnosis is a numerical fact about the answer ``a`` and the expected ``e`` at the
same random instances: ``a = e^T`` (a layout mix-up), the shapes differ, ``a = c e``
(a factor or the sign), ``a = e`` once some matrix is made symmetric, ``(a + a^T)/2 = e``
(outer products not symmetrised: ``2 a b^T`` for ``a b^T + b a^T``), ``a = e - t`` for a
term ``t`` of ``e`` (a term is missing), ``a - t = e`` for a term of ``a`` (one too many),
``a = e - 2t`` (the sign of one term) or ``a = e + (c - 1) t`` (one term off by a factor,
"the lambda term is off by 1/2").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from app.grading.numeric import (
    SYMMETRIC_PROPERTIES,
    Value,
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
from app.mathcore.tree import Expr, Sum, Symbol, format_shape
from app.mathcore.variables import Variable

COURSE_CONVENTION = (
    "in this course a gradient has the shape of its variable (a column for a column "
    "vector) and a Jacobian has one row per output (numerator layout)"
)
LAYOUT_EXPLANATIONS = {
    "numerator": COURSE_CONVENTION,
    "denominator": "this problem uses the denominator layout, where a Jacobian has one row "
    "per input: the transpose of the course's convention",
}
"""Said after a transposed answer. Problems follow the course (numerator layout, lesson 2)
unless their file says ``layout: denominator``."""


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
        found.extend(not_symmetrised(expected_values, answer_values))
    if not found:
        found.extend(term_differences(comparison))
    return found


def not_symmetrised(expected: list[Value], answer: list[Value]) -> list[Feedback]:
    """``2 a b^T`` for ``a b^T + b a^T``: the expected matrix is symmetric, the answer is
    not, and the answer's symmetric part ``(M + M^T)/2`` is the expected matrix."""
    pairs = [(e, a) for e, a in zip(expected, answer, strict=True) if e is not None]
    if not pairs or any(a is None or e.shape[0] != e.shape[1] or e.shape[0] < 2 for e, a in pairs):
        return []
    symmetric = all(close(e, e.T) for e, _ in pairs)
    if not symmetric or all(close(a, a.T) for _, a in pairs):  # type: ignore[union-attr]
        return []
    if not all(close((a + a.T) / 2, e) for e, a in pairs):  # type: ignore[operator, union-attr]
        return []
    return [
        Feedback(
            "not_symmetrised",
            "Your answer is not symmetric, but the expected one is: its symmetric part "
            "(M + M^T)/2 is right. Outer products are not symmetric (a b^T is not b a^T), "
            "so both orders appear: a b^T + b a^T, not 2 a b^T.",
        )
    ]


def transpose_feedback(expected_shape: tuple[object, object], layout: str | None) -> Feedback:
    rows, cols = expected_shape
    message = (
        "Your answer is the transpose of the expected one: a layout mix-up. "
        f"The answer should be {rows}×{cols}"
    )
    message += f"; {LAYOUT_EXPLANATIONS[layout or 'numerator']}"
    return Feedback("transpose", message + ".")


def factor_feedback(factor: float) -> Feedback:
    if abs(factor + 1) < 1e-6:
        return Feedback("sign", "Your answer has the wrong sign: it is minus the expected one.")
    shown = nice_number(factor)
    if abs(factor - 1) < NEAR_ONE:
        # never "1 times the expected one": the verdict has just said they differ
        return Feedback(
            "factor",
            f"Your answer is close to the expected one but not equal to it: it is {shown} "
            "times the expected one. Check for a rounded or mistyped number.",
        )
    return Feedback(
        "factor",
        f"Your answer is off by a constant factor: it is {shown} times the expected one. "
        "Check the coefficients (a factor 2 from a square, a 1/2 in front).",
    )


NEAR_ONE = 1e-3
"""A ratio this close to 1 is a near miss (``12.0001`` for ``12``), not a wrong coefficient."""
SAME_NUMBER = 1e-9
"""A ratio this close to a small fraction is that fraction (the values agree to ``RTOL``)."""


def nice_number(factor: float) -> str:
    """``0.5`` as ``1/2``; any other number with enough digits that it does not read as a
    nearby simple one (``1.0000083``, never ``1``).

    >>> nice_number(0.5), nice_number(1.2345678), nice_number(12.0001 / 12), nice_number(2.00001)
    ('1/2', '1.23457', '1.0000083', '2.00001')
    """
    nice = Fraction(factor).limit_denominator(24)
    if abs(float(nice) - factor) <= SAME_NUMBER * max(1.0, abs(factor)):
        return str(nice)
    gap = abs(factor - float(nice)) / max(abs(factor), 1e-300)
    digits = 4 if gap >= 1e-3 else min(17, 2 + math.ceil(-math.log10(gap)))
    return f"{factor:.{digits}g}"


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
    top_level = list(comparison.expected.terms) if isinstance(comparison.expected, Sum) else []
    scaled_terms = top_level + [t for t in expected_terms if t not in top_level]
    table = comparison.evaluate(*candidates, *extras, *flipped, *scaled_terms)
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
        offset += len(flipped)
        for index, term in enumerate(scaled_terms):
            values = table.column(offset + index)
            remainder = [  # the answer without the expected answer's other terms
                None if a is None or e is None or t is None else a - e + t
                for a, e, t in zip(answer_values, expected_values, values, strict=True)
            ]
            factor = common_factor(remainder, values)
            if factor is not None and abs(factor) > 1e-9 and abs(factor - 1) > 1e-6:
                return [term_factor_feedback(term, scaled_terms, factor)]
    return []


def term_factor_feedback(term: Expr, terms: list[Expr], factor: float) -> Feedback:
    """ "The lambda term is off by a factor 1/2": named by a variable only it holds."""
    own = _names(term) - set().union(*(_names(t) for t in terms if t != term))
    label = f"{sorted(own)[0]} term" if len(own) == 1 else f"term {to_text(term)}"
    return Feedback(
        "term_factor",
        f"The {label} is off by a constant factor: in your answer it is {nice_number(factor)} "
        f"times {to_text(term)}; the other terms are right. Check its coefficient.",
    )


def _names(expr: Expr) -> set[str]:
    return {node.name for node in expr.walk() if isinstance(node, Symbol)}


def matches(table: ValueTable, column: int) -> bool:
    """Whether expression ``column`` equals the answer (column 1) at every instance."""
    return bool(table.rows) and all(close(row[1], row[column]) for row in table.rows)
