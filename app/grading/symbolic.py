"""SymPy's say on a scalar question: a proof that two expressions are equal, or a point
where they differ (a veto of a numeric match).

Random instances can miss a difference that lives on one side of a kink: ``abs(x + 4)``
and ``x + 4`` agree for every ``x > -4``. For scalar expressions of scalar variables we
build SymPy objects from our tree (never from text), try to prove the difference zero,
and otherwise look for a witness: points on both sides of every root of the arguments of
``abs``, ``relu``, ``step``, ``sign``, ``sqrt`` and ``log`` (found by SymPy where the
argument is a polynomial in one variable), and a fixed spread of values of both signs.
A witness counts only where the expected answer has a value and the two differ in high
precision (:func:`app.grading.precise.differs_precisely`).

>>> from app.mathcore.parse import parse
>>> scalars = {"x": {"shape": []}}
>>> verdict = symbolic_verdict(parse("x + 4", scalars).expr, parse("abs(x + 4)", scalars).expr)
>>> verdict.equal, verdict.witness["x"] < -4
(False, True)
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import numpy as np
import sympy

from app.grading.numbers import has_huge_power
from app.grading.precise import differs_precisely
from app.mathcore.errors import MathError
from app.mathcore.evaluate import Array
from app.mathcore.sympy_bridge import scalar_symbol, to_sympy
from app.mathcore.tree import Apply, Expr, Symbol

MAX_SYMPY_OPS = 120
MAX_DEGREE = 6
MAX_WITNESS_POINTS = 80
SPLIT_FUNCTIONS = frozenset({"abs", "relu", "step", "sign", "sqrt", "log"})
"""Functions whose argument's roots split the line into pieces with other formulas."""
SPREAD = (1e-3, 0.37, 1.3, 4.1, 17.0, 250.0, 1e4)
OFFSETS = (1e-4, 0.1, 1.0)
DEFAULT_VALUE = 0.7


@dataclass(frozen=True)
class SymbolicVerdict:
    """``equal``: ``True`` proved, ``False`` a witness found, ``None`` undecided."""

    equal: bool | None
    witness: dict[str, float] = field(default_factory=dict)


UNDECIDED = SymbolicVerdict(None)


def scalar_variables(*exprs: Expr) -> list[str] | None:
    """The names of the variables of ``exprs`` if every one is a scalar, else ``None``."""
    names: list[str] = []
    for expr in exprs:
        for node in expr.walk():
            if isinstance(node, Symbol):
                if not node.is_scalar:
                    return None
                if node.name not in names:
                    names.append(node.name)
    return names


def sympy_difference(expected: Expr, answer: Expr) -> sympy.Expr | None:
    """``expected - answer`` as a SymPy scalar, or ``None`` where SymPy cannot hold it."""
    try:
        difference = to_sympy(expected) - to_sympy(answer)
    except (MathError, TypeError, KeyError):
        return None
    if isinstance(difference, sympy.MatrixBase):
        return None
    return difference


def proves_equal(difference: sympy.Expr) -> bool:
    if sympy.expand(difference) == 0:
        return True
    if sympy.count_ops(difference) > MAX_SYMPY_OPS:
        return False
    return bool(sympy.simplify(difference) == 0)


def symbolic_verdict(
    expected: Expr,
    answer: Expr,
    base: Mapping[str, Array] | None = None,
    positive: Collection[str] = (),
) -> SymbolicVerdict:
    """Prove ``expected == answer``, or find a point where they differ, or say nothing.

    Only for scalar expressions of scalar variables; ``base`` gives the values of the
    variables not being varied (an instance where both were compared); variables named
    in ``positive`` are declared positive: SymPy assumes it, and witnesses respect it."""
    names = scalar_variables(expected, answer)
    if names is None or has_huge_power(expected) or has_huge_power(answer):
        return UNDECIDED
    difference = sympy_difference(expected, answer)
    if difference is None:
        return UNDECIDED
    difference = difference.subs(
        {scalar_symbol(n): sympy.Symbol(n, positive=True) for n in names if n in positive}
    )
    if proves_equal(difference):
        return SymbolicVerdict(True)
    start = {
        name: float(base[name][0, 0]) if base and name in base else DEFAULT_VALUE for name in names
    }
    for point in candidate_points(expected, answer, start):
        if any(point[name] <= 0 for name in positive if name in point):
            continue
        values = {name: np.array([[value]]) for name, value in point.items()}
        if differs_precisely(expected, answer, values, {}):
            return SymbolicVerdict(False, point)
    return UNDECIDED


def warm() -> None:
    """Run SymPy's simplification once: its first call on a logarithm imports
    ``sympy.physics.units`` (about two seconds), which no learner should wait for."""
    x = sympy.Symbol("x", real=True)
    sympy.simplify(sympy.log(x**2) - 2 * sympy.log(x) + sympy.Abs(x) - sympy.sqrt(x**2))


def candidate_points(
    expected: Expr, answer: Expr, start: Mapping[str, float]
) -> list[dict[str, float]]:
    """Points that vary one variable at a time from ``start``: beside every root of a
    splitting function's argument, then a spread of both signs."""
    arguments = [
        node.arg
        for expr in (expected, answer)
        for node in expr.walk()
        if isinstance(node, Apply) and node.function in SPLIT_FUNCTIONS
    ]
    points: list[dict[str, float]] = []
    for name in start:
        values: list[float] = []
        for argument in arguments:
            for root in _real_roots(argument, name, start):
                values.extend(
                    root + sign * offset * (1 + abs(root)) for offset in OFFSETS for sign in (-1, 1)
                )
        values.extend(sign * v for v in SPREAD for sign in (-1, 1))
        points.extend({**start, name: v} for v in values)
    return points[:MAX_WITNESS_POINTS]


def _real_roots(argument: Expr, name: str, start: Mapping[str, float]) -> list[float]:
    try:
        g = to_sympy(argument)
    except (MathError, TypeError, KeyError):
        return []
    symbol = scalar_symbol(name)
    if symbol not in g.free_symbols:
        return []
    others = {
        scalar_symbol(other): sympy.Rational(value)
        for other, value in start.items()
        if other != name
    }
    g = g.subs(others)
    if not g.is_polynomial(symbol):
        return []
    try:
        poly = sympy.Poly(g, symbol)
        if poly.degree() < 1 or poly.degree() > MAX_DEGREE:
            return []
        coefficients = [float(c) for c in poly.all_coeffs()]
    except (sympy.PolynomialError, TypeError, ValueError, OverflowError):
        return []
    roots = np.roots(coefficients)
    return [float(r.real) for r in roots if abs(r.imag) <= 1e-9 * (1 + abs(r))]
