"""Grading an answer that is a number (or a matrix of numbers): exactly where the expected
value is exact, within a stated tolerance otherwise.

The expected answer of a number problem is an expression of numbers and of the problem's
integer parameters, so its value is usually exact: an integer, a fraction, ``sqrt(2)``.
It is computed exactly with SymPy (objects built from our tree, never from text) and
compared exactly with the learner's number: ``15.0000001`` is not the count ``15``. A
problem may state ``tolerance`` (relative); without one, integers and fractions are exact
and other values (``sqrt(2)``, ``e``) allow ``1e-9`` relative, so ``1.41421356237`` is
``sqrt(2)`` but ``1.4142`` is not.

>>> exact_value(parse("sqrt(8)/2").expr, {})
Matrix([[sqrt(2)]])
>>> numbers_equal(exact_value(parse("15.0000001").expr, {}), exact_value(parse("15").expr, {}), None)
False
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import sympy

from app.mathcore.errors import MathError
from app.mathcore.evaluate import Array, EvaluationError, Evaluator
from app.mathcore.parse import parse
from app.mathcore.sympy_bridge import scalar_symbol, to_sympy
from app.mathcore.tree import (
    Apply,
    Call,
    Constant,
    Differential,
    Dim,
    ElementPower,
    Expr,
    Hadamard,
    Identity,
    Inverse,
    MatrixLiteral,
    Number,
    Ones,
    Power,
    Product,
    Quotient,
    Sum,
    Symbol,
    Transpose,
)

NUMBER_EXPECTED = (
    "This asks for a number: type its value (a number such as 12, 1/2 or -2.5), "
    "not a formula or a word."
)
"""Said when a word or a formula is typed where the expected answer is a number."""
DEFAULT_RTOL = 1e-9
"""The tolerance for an expected value that is not rational, when the problem states none."""
DIGITS = 60
MAX_ENTRIES = 400
MAX_POWER = 32
MAX_EXPONENT = 1000


class _NoExactValue(Exception):
    pass


def has_huge_power(expr: Expr) -> bool:
    """Whether ``expr`` raises something to a number beyond ``±MAX_EXPONENT``: SymPy would
    write ``10^(10^8)`` out exactly (a hundred million digits), so it is not asked."""
    for node in expr.walk():
        if isinstance(node, (Power, ElementPower)) and not has_names(node.exponent):
            try:
                exponent = np.abs(Evaluator({})(node.exponent))
            except (EvaluationError, ValueError, TypeError):
                continue
            if not np.all(exponent <= MAX_EXPONENT):  # nan and inf count as huge
                return True
    return False


def has_names(expr: Expr) -> bool:
    """Whether ``expr`` mentions a variable (or a differential): not a plain number."""
    return any(isinstance(node, (Symbol, Differential)) for node in expr.walk())


def exact_value(
    expr: Expr, values: Mapping[str, Array], sizes: Mapping[str, int] | None = None
) -> sympy.Matrix | None:
    """The exact value of ``expr`` (numbers and the given values, taken as exact), as a
    SymPy matrix (``1×1`` for a number), or ``None`` where it has none."""
    if sum(getattr(v, "size", 1) for v in values.values()) > MAX_ENTRIES or has_huge_power(expr):
        return None
    try:
        return _Exact(values, dict(sizes or {})).eval(expr)
    except (_NoExactValue, MathError, ValueError, TypeError, ZeroDivisionError, KeyError):
        return None  # a singular inverse is a ValueError too


def _rational(x: float) -> sympy.Rational:
    return sympy.Integer(int(x)) if float(x).is_integer() else sympy.Rational(float(x))


class _Exact:
    def __init__(self, values: Mapping[str, Array], sizes: dict[str, int]) -> None:
        self.values = values
        self.sizes = sizes

    def size(self, dim: Dim) -> int:
        if isinstance(dim, int):
            return dim
        if str(dim) in self.sizes:
            return self.sizes[str(dim)]
        raise _NoExactValue(f"the size {dim} is unknown")

    def eval(self, expr: Expr) -> sympy.Matrix:
        if isinstance(expr, Number):
            return sympy.Matrix([[sympy.Rational(expr.value.numerator, expr.value.denominator)]])
        if isinstance(expr, Constant):
            return sympy.Matrix([[sympy.E if expr.name == "e" else sympy.pi]])
        if isinstance(expr, Symbol):
            if expr.name not in self.values:
                raise _NoExactValue(expr.name)
            return sympy.Matrix([[_rational(x) for x in row] for row in self.values[expr.name]])
        if isinstance(expr, Identity):
            return sympy.eye(self.size(expr.size))
        if isinstance(expr, Ones):
            return sympy.ones(self.size(expr.dims[0]), self.size(expr.dims[1]))
        if isinstance(expr, Sum):
            total = self.eval(expr.terms[0])
            for term in expr.terms[1:]:
                total = _broadcast(lambda a, b: a + b, total, self.eval(term))
            return total
        if isinstance(expr, Product):
            return self._product(expr)
        if isinstance(expr, Power):
            base, exponent = self.eval(expr.base), self.eval(expr.exponent)[0, 0]
            if expr.base.is_scalar:
                return sympy.Matrix([[sympy.Pow(base[0, 0], exponent)]])
            if not exponent.is_integer or abs(int(exponent)) > MAX_POWER:
                raise _NoExactValue("matrix power")
            return base ** int(exponent)
        if isinstance(expr, Transpose):
            return self.eval(expr.arg).T
        if isinstance(expr, Inverse):
            return self.eval(expr.arg).inv()
        if isinstance(expr, Hadamard):
            result = self.eval(expr.factors[0])
            for factor in expr.factors[1:]:
                result = _broadcast(lambda a, b: a * b, result, self.eval(factor))
            return result
        if isinstance(expr, Quotient):
            return _broadcast(
                lambda a, b: a / b, self.eval(expr.numerator), self.eval(expr.denominator)
            )
        if isinstance(expr, ElementPower):
            return _broadcast(sympy.Pow, self.eval(expr.base), self.eval(expr.exponent))
        if isinstance(expr, Apply):
            placeholder = Symbol("u", (1, 1))
            function = to_sympy(Apply(expr.function, placeholder))
            u = scalar_symbol("u")
            return self.eval(expr.arg).applyfunc(lambda x: function.subs(u, x))
        if isinstance(expr, Call):
            return self._call(expr.function, self.eval(expr.arg))
        if isinstance(expr, MatrixLiteral):
            return sympy.Matrix([[self.eval(entry)[0, 0] for entry in row] for row in expr.rows])
        raise _NoExactValue(type(expr).__name__)

    def _product(self, expr: Product) -> sympy.Matrix:
        scale: Any = sympy.Integer(1)
        chain: sympy.Matrix | None = None
        for factor in expr.factors:
            value = self.eval(factor)
            if factor.is_scalar:
                scale = scale * value[0, 0]
            elif chain is None:
                chain = value
            elif chain.shape == (1, 1):
                scale, chain = scale * chain[0, 0], value
            else:
                chain = chain * value
        return sympy.Matrix([[scale]]) if chain is None else scale * chain

    def _call(self, name: str, arg: sympy.Matrix) -> sympy.Matrix:
        if name == "tr":
            return sympy.Matrix([[arg.trace()]])
        if name == "det":
            return sympy.Matrix([[arg.det()]])
        if name == "logdet":
            det = arg.det()
            if not det.is_positive:
                raise _NoExactValue("logdet")
            return sympy.Matrix([[sympy.log(det)]])
        if name == "sum":
            return sympy.Matrix([[sum(arg)]])
        if name == "norm":
            return sympy.Matrix([[sympy.sqrt(sum(x**2 for x in arg))]])
        if name == "diag":
            if arg.shape[1] == 1:
                return sympy.diag(*list(arg))
            return sympy.Matrix([[arg[i, i]] for i in range(min(arg.shape))])
        if name == "softmax":
            exps = arg.applyfunc(sympy.exp)
            return exps / sum(exps)
        if name == "logsumexp":
            return sympy.Matrix([[sympy.log(sum(arg.applyfunc(sympy.exp)))]])
        raise _NoExactValue(name)


def _broadcast(f: Callable[[Any, Any], Any], a: sympy.Matrix, b: sympy.Matrix) -> sympy.Matrix:
    if a.shape == b.shape:
        return sympy.Matrix(a.rows, a.cols, [f(x, y) for x, y in zip(a, b, strict=True)])
    if a.shape == (1, 1):
        return b.applyfunc(lambda y: f(a[0, 0], y))
    if b.shape == (1, 1):
        return a.applyfunc(lambda x: f(x, b[0, 0]))
    raise _NoExactValue("shapes do not broadcast")


def is_rational(value: sympy.Matrix) -> bool:
    return all(x.is_Rational for x in value)


def numbers_equal(
    answer: sympy.Matrix | None, expected: sympy.Matrix | None, tolerance: float | None
) -> bool:
    """Entry by entry: exactly, or within ``tolerance`` relative to the expected entry
    (absolute where it is 0). Without a tolerance: exact when every expected entry is
    rational, ``DEFAULT_RTOL`` otherwise."""
    if answer is None or expected is None or answer.shape != expected.shape:
        return False
    if tolerance is None:
        tolerance = 0.0 if is_rational(expected) else DEFAULT_RTOL
    for a, e in zip(answer, expected, strict=True):
        if a.is_Rational and e.is_Rational:
            if a == e:
                continue
            if tolerance == 0.0:
                return False
        a_value, e_value = sympy.N(a, DIGITS), sympy.N(e, DIGITS)
        if not (a_value.is_real and e_value.is_real):
            return False
        difference = abs(a_value - e_value)
        if difference <= sympy.Float(10) ** (10 - DIGITS) * max(abs(e_value), 1):
            continue  # equal: the same number written another way (sqrt(8)/2, 2^(1/2))
        if difference > tolerance * (abs(e_value) if e_value != 0 else 1):
            return False
    return True


def number_value(text: str, declared: Mapping[str, Any]) -> tuple[Expr, sympy.Matrix | None]:
    """The learner's number as a tree and its exact value (``MathError`` if it does not
    parse)."""
    expr = parse(text, declared).expr
    return expr, exact_value(expr, {})
