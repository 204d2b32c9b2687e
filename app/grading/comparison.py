"""A wrong answer beside the truth, at one random point a learner can check by hand.

"At w = [0.31, -1.2], your answer gives [1.9, 0.4], the derivative is [2.5, 0.4]; the first
entry that differs is entry 1." The point is drawn from a fixed seed (the same answer gets
the same point), with entries rounded to two decimals so the numbers can be typed again.
The expected value is the problem's own answer, evaluated there; when the problem says what
it is the derivative of (``derivative_of``), central differences of that function at the
same point check the truth, with the step given, so the learner can reproduce it; and for a
gradient in two variables a figure shows the learner's gradient field against the true one
on the contour plot of f.

>>> c = compare_answer("2 x", "x", {"x": {"shape": []}})
>>> c.first_difference.row, float(c.expected[0, 0]) == 2 * float(c.at["x"][0, 0])
(1, True)
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.grading.comparison_figures import field_figure, patch_figure
from app.grading.equivalence import declared_with, merged_variables
from app.grading.numeric import SEED, draw_values, value_of
from app.mathcore.evaluate import Array, Evaluator
from app.mathcore.parse import parse
from app.mathcore.sampling import assign_sizes
from app.mathcore.tree import Differential, Expr
from app.mathcore.values import to_json
from app.mathcore.variables import Variable
from app.viz.plotting import Figure

DECIMALS = 2
"""The point's entries are rounded to this many decimals: short enough to retype."""
DRAWS = 40
POSITIVE_AFTER = 12
"""Draws from the positive domain (log, sqrt, logdet) once this many plain draws failed."""
STEP = 1e-5
"""h of the central differences ``(f(x + h e) - f(x - h e)) / 2h``: error about h² f'''."""
HESSIAN_STEP = 1e-4
"""h of the second differences of the Hessian: error about h² plus rounding ε|f|/h²."""
AGREEMENT = 1e-4
"""The differences must match the expected value to this, relative to its scale; where they
do not (a kink nearby), another point is drawn."""
DIFFERS = 1e-8
"""Entries differ when they differ by more than this, relative (the grader's tolerance)."""
FIELD_DESCRIPTION = (
    "The contour plot of f around the point, in the plane of {wrt}, with the true gradient "
    "field (red) and your answer's (purple): where they differ, your answer does."
)
PATCH_DESCRIPTION = (
    "A small square around the point {wrt}, mapped by f (grey), by the true linearisation "
    "f + J d (red) and by your answer's (purple): near the point the true one matches f."
)


@dataclass(frozen=True)
class DerivativeOf:
    """What the expected answer is the derivative of: ``f`` by ``wrt`` (``kind`` as the
    calculator's: gradient, jacobian or hessian; by default the gradient of a scalar)."""

    f: str
    wrt: str
    kind: str | None = None


@dataclass(frozen=True)
class FirstDifference:
    row: int
    """Counted from 1, as in maths."""
    column: int
    answer: float
    expected: float


@dataclass(frozen=True)
class FiniteDifference:
    value: Array
    step: float
    formula: str


@dataclass(frozen=True)
class AnswerComparison:
    at: dict[str, Array]
    """The point: every variable's value (parameters as the learner's variant has them)."""
    sizes: dict[str, int]
    answer: Array | None
    """None where the answer has no value at the point (``log`` of a negative number)."""
    expected: Array
    first_difference: FirstDifference | None
    """None when the shapes differ, or the two happen to agree at this one point."""
    finite_difference: FiniteDifference | None = None
    figure: Figure | None = None
    figure_description: str | None = None
    """What the figure shows, in words (its caption and its text alternative)."""
    wrt: str | None = None

    def to_json(self) -> dict[str, Any]:
        difference = self.first_difference
        check = self.finite_difference
        return {
            "at": {name: to_json(value) for name, value in self.at.items()},
            "sizes": dict(self.sizes),
            "answer": None if self.answer is None else to_json(self.answer),
            "answer_shape": None if self.answer is None else list(self.answer.shape),
            "expected": to_json(self.expected),
            "expected_shape": list(self.expected.shape),
            "first_difference": None
            if difference is None
            else {
                "index": [difference.row, difference.column],
                "answer": difference.answer,
                "expected": difference.expected,
            },
            "finite_difference": None
            if check is None
            else {"value": to_json(check.value), "step": check.step, "formula": check.formula},
            "figure": self.figure,
            "figure_description": self.figure_description,
            "wrt": self.wrt,
        }


def compare_answer(
    expected: str,
    answer: str,
    variables: Mapping[str, Any] | None = None,
    *,
    derivative_of: DerivativeOf | None = None,
    layout: str = "numerator",
    fixed: Mapping[str, Array] | None = None,
    seed: int | None = None,
) -> AnswerComparison | None:
    """Both answers at one point where the expected one (and ``f``) has a value.

    ``None`` when there is no such point, or the answers are differentials (``dX`` has no
    point to show). Raises :class:`~app.mathcore.errors.MathError` if a text does not parse,
    as grading does.
    """
    expected_parsed = parse(expected, variables)
    declared = declared_with(expected_parsed, variables)
    answer_parsed = parse(answer, declared)
    parsed = [expected_parsed, answer_parsed]
    f_parsed = parse(derivative_of.f, declared) if derivative_of else None
    if f_parsed is not None:
        parsed.append(f_parsed)
    if any(isinstance(node, Differential) for p in parsed for node in p.expr.walk()):
        return None
    merged = merged_variables(*parsed)
    wrt = derivative_of.wrt if derivative_of and derivative_of.wrt in merged else None
    sizes = _sizes(merged, wrt, fixed)
    if seed is None:
        seed = SEED + zlib.crc32(f"{expected}|{answer}".encode())
    rng = np.random.default_rng(seed)
    fallback: tuple[dict[str, Array], Array] | None = None
    for attempt in range(DRAWS):
        values = _draw(merged, sizes, rng, attempt >= POSITIVE_AFTER, fixed)
        evaluator = Evaluator(values, sizes)
        truth = value_of(evaluator, expected_parsed.expr)
        if truth is None:
            continue
        check: FiniteDifference | None = None
        if f_parsed is not None and derivative_of is not None and wrt is not None:
            check = finite_difference(f_parsed.expr, values, sizes, wrt, derivative_of.kind, layout)
            if check is None or not _agrees(check.value, truth, derivative_of.kind):
                fallback = fallback or (values, truth)
                continue  # a kink or the edge of f's domain nearby: try another point
        trees = (
            None if f_parsed is None else (f_parsed.expr, expected_parsed.expr, answer_parsed.expr)
        )
        answer_value = value_of(evaluator, answer_parsed.expr)
        return _compared(
            values, sizes, truth, answer_value, check, wrt, trees, derivative_of, layout
        )
    if fallback is not None:  # no point where the differences agree: show the values alone
        values, truth = fallback
        answer_value = value_of(Evaluator(values, sizes), answer_parsed.expr)
        return _compared(values, sizes, truth, answer_value, None, wrt, None)
    return None


def _compared(
    values: dict[str, Array],
    sizes: dict[str, int],
    truth: Array,
    answer: Array | None,
    check: FiniteDifference | None,
    wrt: str | None,
    trees: tuple[Expr, Expr, Expr] | None,
    derivative_of: DerivativeOf | None = None,
    layout: str = "numerator",
) -> AnswerComparison:
    """``trees``: f, the expected answer and the answer, for a figure (once checked)."""
    figure = description = None
    if trees is not None and wrt is not None and check is not None and answer is not None:
        f, expected, given = trees
        plane = values[wrt].shape == (2, 1)
        if plane and truth.shape == (2, 1):  # the gradient of f(x₁, x₂)
            figure = field_figure(f, expected, given, values, sizes, wrt)
            description = FIELD_DESCRIPTION.format(wrt=wrt)
        elif plane and truth.shape == answer.shape == (2, 2):
            kind = derivative_of.kind if derivative_of else None
            if kind != "hessian":  # a Jacobian: figures use one row per output
                flip = layout == "denominator"
                truth_rows, answer_rows = (truth.T, answer.T) if flip else (truth, answer)
                figure = patch_figure(f, truth_rows, answer_rows, values, sizes, wrt)
                description = PATCH_DESCRIPTION.format(wrt=wrt)
    ordered = {wrt: values[wrt]} if wrt else {}
    ordered.update({n: v for n, v in values.items() if n != wrt})
    return AnswerComparison(
        at=ordered,
        sizes=sizes,
        answer=answer,
        expected=truth,
        first_difference=first_difference(answer, truth),
        finite_difference=check,
        figure=figure,
        figure_description=description if figure is not None else None,
        wrt=wrt,
    )


def _sizes(
    variables: Mapping[str, Variable], wrt: str | None, fixed: Mapping[str, Array] | None
) -> dict[str, int]:
    """Distinct sizes (a transpose cannot hide); a vector ``wrt`` gets 2 entries when its
    size is free, so a gradient can be drawn as a field in the plane."""
    sizes = assign_sizes(variables.values(), avoid=(2,))
    for name, value in (fixed or {}).items():
        variable = variables.get(name)
        if variable is not None:
            for dim, actual in zip(variable.shape, value.shape, strict=True):
                if isinstance(dim, str):
                    sizes[dim] = actual
    if wrt is not None:
        rows, cols = variables[wrt].shape
        fixed_dims = {
            d
            for name, v in variables.items()
            if fixed and name in fixed
            for d in v.shape
            if isinstance(d, str)
        }
        if cols == 1 and isinstance(rows, str) and rows not in fixed_dims:
            sizes[rows] = 2
    return sizes


def _draw(
    variables: Mapping[str, Variable],
    sizes: Mapping[str, int],
    rng: np.random.Generator,
    positive: bool,
    fixed: Mapping[str, Array] | None,
) -> dict[str, Array]:
    drawn = draw_values(variables, sizes, rng, False, positive, None, fixed)
    return {
        name: np.asarray(value, dtype=float)
        if fixed and name in fixed
        # rounding keeps symmetry, diagonals and positivity (spd draws have eigenvalues >= 1);
        # + 0.0: no -0 in the table
        else np.round(value, DECIMALS) + 0.0
        for name, value in drawn.items()
    }


def _agrees(estimate: Array, truth: Array, kind: str | None) -> bool:
    if estimate.shape != truth.shape:
        return False
    scale = max(1.0, float(np.abs(truth).max(initial=0.0)))
    tolerance = AGREEMENT * (10 if kind == "hessian" else 1) * scale
    return bool(np.all(np.abs(estimate - truth) <= tolerance))


def first_difference(answer: Array | None, expected: Array) -> FirstDifference | None:
    """The first entry, row by row, where ``answer`` and ``expected`` differ."""
    if answer is None or answer.shape != expected.shape:
        return None
    with np.errstate(invalid="ignore"):
        apart = np.abs(answer - expected) > DIFFERS * np.maximum(np.abs(answer), np.abs(expected))
    where = np.argwhere(apart)
    if where.size == 0:
        return None
    row, column = (int(i) for i in where[0])
    return FirstDifference(
        row + 1, column + 1, float(answer[row, column]), float(expected[row, column])
    )


def finite_difference(
    f: Expr,
    values: Mapping[str, Array],
    sizes: Mapping[str, int],
    wrt: str,
    kind: str | None,
    layout: str = "numerator",
) -> FiniteDifference | None:
    """Central differences of ``f`` by ``wrt`` at ``values``, shaped as the course shapes
    the derivative: a gradient as its variable, a Jacobian one row per output (one column
    per output in the denominator layout), a Hessian by second differences. ``None`` where
    f has no value nearby, or the kind does not fit the shapes."""
    x0 = values[wrt]

    def f_at(x: Array) -> Array | None:
        return value_of(Evaluator({**values, wrt: x}, sizes), f)

    f0 = f_at(x0)
    if f0 is None:
        return None
    scalar = f0.shape == (1, 1)
    if kind == "hessian":
        if not scalar or x0.shape[1] != 1:
            return None
        return _second_differences(f_at, x0, wrt)
    if kind is None and not scalar:
        kind = "jacobian"
    units = [np.eye(x0.size)[k].reshape(x0.shape) for k in range(x0.size)]
    columns: list[Array] = []
    for unit in units:
        ahead, behind = f_at(x0 + STEP * unit), f_at(x0 - STEP * unit)
        if ahead is None or behind is None:
            return None
        columns.append((ahead - behind) / (2 * STEP))
    formula = f"(f({wrt} + h e) − f({wrt} − h e)) / 2h for each entry e of {wrt}, with h = {step_text(STEP)}"
    if kind != "jacobian":  # a gradient: the shape of its variable
        if not scalar:
            return None
        gradient = np.array([c[0, 0] for c in columns]).reshape(x0.shape)
        return FiniteDifference(gradient, STEP, formula)
    if not (min(f0.shape) == 1 and min(x0.shape) == 1):
        return None
    jacobian = np.column_stack([c.ravel() for c in columns])  # one row per output
    if layout == "denominator":
        jacobian = jacobian.T
    return FiniteDifference(jacobian, STEP, formula)


def step_text(h: float) -> str:
    """``1e-5``, as the page writes the step too (JavaScript's ``toExponential``)."""
    return f"{h:.0e}".replace("e-0", "e-").replace("e+0", "e+")


def _second_differences(
    f_at: Callable[[Array], Array | None], x0: Array, wrt: str
) -> FiniteDifference | None:
    n, h = x0.shape[0], HESSIAN_STEP
    hessian = np.empty((n, n))
    eye = np.eye(n)
    for i in range(n):
        for j in range(i, n):
            ei, ej = eye[:, [i]] * h, eye[:, [j]] * h
            corners = [
                f_at(x0 + ei + ej),
                f_at(x0 + ei - ej),
                f_at(x0 - ei + ej),
                f_at(x0 - ei - ej),
            ]
            if any(c is None for c in corners):
                return None
            a, b, c, d = (float(v[0, 0]) for v in corners if v is not None)
            hessian[i, j] = hessian[j, i] = (a - b - c + d) / (4 * h * h)
    formula = (
        f"(f({wrt} + h eᵢ + h eⱼ) − f({wrt} + h eᵢ − h eⱼ) − f({wrt} − h eᵢ + h eⱼ) "
        f"+ f({wrt} − h eᵢ − h eⱼ)) / 4h² for each pair of entries, with h = {step_text(h)}"
    )
    return FiniteDifference(hessian, h, formula)
