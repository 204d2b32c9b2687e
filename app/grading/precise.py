"""Evaluating typed trees in high precision (mpmath), to tell lost digits from real errors.

Floating point loses digits in cancellation: at ``x = 0.3`` the float value of
``(x + 10^8)^2 - 10^16 - 2·10^8 x`` is ``0``, not ``0.09``. Before an answer is called
wrong at an instance, both expressions are evaluated again from the same inputs (floats
are exact binary numbers, so nothing is rounded on the way in) at two precisions. A real
difference is the same at both; a difference made of rounding shrinks with the precision.

>>> import numpy as np
>>> from app.mathcore.parse import parse
>>> scalars = {"x": {"shape": []}}
>>> e = parse("(x + 10^8)^2 - 10^16 - 2*10^8 x", scalars).expr
>>> a = parse("x^2", scalars).expr
>>> values = {"x": np.array([[0.3]])}
>>> differs_precisely(e, a, values, {})
False
>>> differs_precisely(e, parse("x^2 + 10^-6", scalars).expr, values, {})
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import mpmath  # type: ignore[import-untyped]
import numpy as np

from app.mathcore.evaluate import Array
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

LOW_DIGITS = 40
HIGH_DIGITS = 80
RTOL = 1e-9
"""Entries whose true values differ by less than this, relatively, are equal."""
STABLE = 1e-6
"""A difference that changes by more than this (relatively) between the two precisions is
made of rounding, not of the expressions."""
MAX_ENTRIES = 400

Matrix = list[list[Any]]
"""Rows of mpmath numbers (``mpf``); every value is 2-D, as in :mod:`app.mathcore.evaluate`."""


class Undefined(Exception):
    """The expression has no finite real value at these inputs."""


def _shape(m: Matrix) -> tuple[int, int]:
    return len(m), len(m[0])


def _map(f: Callable[[Any], Any], m: Matrix) -> Matrix:
    return [[f(x) for x in row] for row in m]


def _broadcast(f: Callable[[Any, Any], Any], a: Matrix, b: Matrix) -> Matrix:
    (ar, ac), (br, bc) = _shape(a), _shape(b)
    rows, cols = max(ar, br), max(ac, bc)
    if ar not in (1, rows) or br not in (1, rows) or ac not in (1, cols) or bc not in (1, cols):
        raise Undefined("shapes do not broadcast")
    return [
        [
            f(a[i if ar > 1 else 0][j if ac > 1 else 0], b[i if br > 1 else 0][j if bc > 1 else 0])
            for j in range(cols)
        ]
        for i in range(rows)
    ]


def _matmul(ctx: Any, a: Matrix, b: Matrix) -> Matrix:
    if len(a[0]) != len(b):
        raise Undefined("shapes do not multiply")
    columns = list(zip(*b, strict=True))
    return [
        [ctx.fsum(x * y for x, y in zip(row, col, strict=True)) for col in columns] for row in a
    ]


def _transpose(m: Matrix) -> Matrix:
    return [list(col) for col in zip(*m, strict=True)]


@cache
def context(digits: int) -> Any:
    """One mpmath context per precision, made once: making one takes milliseconds. Its
    precision is never changed afterwards, so sharing it is safe."""
    ctx = mpmath.MPContext()
    ctx.dps = digits
    return ctx


class PreciseEvaluator:
    """Evaluates trees with mpmath at ``digits`` significant digits."""

    def __init__(self, values: Mapping[str, Array], sizes: Mapping[str, int], digits: int) -> None:
        self.ctx = context(digits)
        self.values = values
        self.sizes = sizes
        self.cache: dict[str, Matrix] = {}

    def __call__(self, expr: Expr) -> Matrix:
        try:
            result = self.eval(expr)
        except (ZeroDivisionError, ValueError, TypeError, OverflowError, KeyError) as error:
            raise Undefined(str(error)) from None
        return result

    def real(self, x: Any) -> Any:
        ctx = self.ctx
        if isinstance(x, ctx.mpc):
            if x.imag != 0:
                raise Undefined("a complex value")
            x = x.real
        if not ctx.isfinite(x):
            raise Undefined("not finite")
        return x

    def size(self, dim: Dim) -> int:
        if isinstance(dim, int):
            return dim
        return self.sizes[str(dim)]

    def variable(self, name: str) -> Matrix:
        if name not in self.cache:
            array = np.asarray(self.values[name], dtype=float)
            self.cache[name] = [[self.ctx.mpf(float(x)) for x in row] for row in array]
        return self.cache[name]

    def eval(self, expr: Expr) -> Matrix:
        ctx = self.ctx
        if isinstance(expr, Number):
            return [[ctx.mpf(expr.value.numerator) / expr.value.denominator]]
        if isinstance(expr, Constant):
            return [[ctx.e if expr.name == "e" else ctx.pi]]
        if isinstance(expr, Symbol):
            return self.variable(expr.name)
        if isinstance(expr, Differential):
            return self.variable("d" + expr.name)
        if isinstance(expr, Identity):
            n = self.size(expr.size)
            return [[ctx.mpf(int(i == j)) for j in range(n)] for i in range(n)]
        if isinstance(expr, Ones):
            rows, cols = self.size(expr.dims[0]), self.size(expr.dims[1])
            return [[ctx.mpf(1)] * cols for _ in range(rows)]
        if isinstance(expr, Sum):
            total = self.eval(expr.terms[0])
            for term in expr.terms[1:]:
                total = _broadcast(lambda x, y: x + y, total, self.eval(term))
            return total
        if isinstance(expr, Product):
            return self._product(expr)
        if isinstance(expr, Power):
            return self._power(expr)
        if isinstance(expr, Transpose):
            return _transpose(self.eval(expr.arg))
        if isinstance(expr, Inverse):
            return self._inverse(self.eval(expr.arg))
        if isinstance(expr, Hadamard):
            result = self.eval(expr.factors[0])
            for factor in expr.factors[1:]:
                result = _broadcast(lambda x, y: x * y, result, self.eval(factor))
            return result
        if isinstance(expr, Quotient):
            return _broadcast(
                lambda x, y: x / y, self.eval(expr.numerator), self.eval(expr.denominator)
            )
        if isinstance(expr, ElementPower):
            return _broadcast(
                lambda x, y: self.real(ctx.power(x, y)),
                self.eval(expr.base),
                self.eval(expr.exponent),
            )
        if isinstance(expr, Apply):
            function = self._function(expr.function)
            return _map(lambda x: self.real(function(x)), self.eval(expr.arg))
        if isinstance(expr, Call):
            return self._call(expr.function, self.eval(expr.arg))
        if isinstance(expr, MatrixLiteral):
            return [[self.eval(entry)[0][0] for entry in row] for row in expr.rows]
        raise Undefined(f"{type(expr).__name__} has no value")

    def _function(self, name: str) -> Callable[[Any], Any]:
        ctx = self.ctx

        def log(x: Any) -> Any:
            if x <= 0:
                raise Undefined("log of a number that is not positive")
            return ctx.log(x)

        def sqrt(x: Any) -> Any:
            if x < 0:
                raise Undefined("sqrt of a negative number")
            return ctx.sqrt(x)

        functions: dict[str, Callable[[Any], Any]] = {
            "exp": ctx.exp,
            "log": log,
            "sin": ctx.sin,
            "cos": ctx.cos,
            "tan": ctx.tan,
            "tanh": ctx.tanh,
            "sqrt": sqrt,
            "abs": ctx.fabs,
            "sign": ctx.sign,
            "sigmoid": lambda u: 1 / (1 + ctx.exp(-u)),
            "relu": lambda u: u if u > 0 else ctx.mpf(0),
            "softplus": lambda u: ctx.log1p(ctx.exp(u)),
            "step": lambda u: ctx.mpf(1 if u > 0 else 0),
        }
        if name not in functions:
            raise Undefined(f"no precise form of {name}")
        return functions[name]

    def _product(self, expr: Product) -> Matrix:
        scale = self.ctx.mpf(1)
        chain: Matrix | None = None
        for factor in expr.factors:
            value = self.eval(factor)
            if factor.is_scalar:
                scale = scale * value[0][0]
            elif chain is None:
                chain = value
            elif _shape(chain) == (1, 1):
                scale, chain = scale * chain[0][0], value
            else:
                chain = _matmul(self.ctx, chain, value)
        if chain is None:
            return [[scale]]
        return _map(lambda x: scale * x, chain)

    def _power(self, expr: Power) -> Matrix:
        base = self.eval(expr.base)
        exponent = self.eval(expr.exponent)[0][0]
        if expr.base.is_scalar:
            return [[self.real(self.ctx.power(base[0][0], exponent))]]
        if exponent != int(exponent):
            raise Undefined("a matrix power that is not an integer")
        power = int(exponent)
        if abs(power) > 64:
            raise Undefined("a matrix power too large to evaluate precisely")
        if power < 0:
            base, power = self._inverse(base), -power
        n = len(base)
        result: Matrix = [[self.ctx.mpf(int(i == j)) for j in range(n)] for i in range(n)]
        for _ in range(power):
            result = _matmul(self.ctx, result, base)
        return result

    def _inverse(self, m: Matrix) -> Matrix:
        inverse = self.ctx.inverse(self.ctx.matrix(m))
        return [[inverse[i, j] for j in range(inverse.cols)] for i in range(inverse.rows)]

    def _call(self, name: str, arg: Matrix) -> Matrix:
        ctx = self.ctx
        flat = [x for row in arg for x in row]
        if name == "tr":
            return [[ctx.fsum(arg[i][i] for i in range(min(_shape(arg))))]]
        if name in ("det", "logdet"):
            det = ctx.det(ctx.matrix(arg))
            if name == "det":
                return [[det]]
            if det <= 0:
                raise Undefined("logdet of a matrix whose determinant is not positive")
            return [[ctx.log(det)]]
        if name == "sum":
            return [[ctx.fsum(flat)]]
        if name == "norm":
            return [[ctx.sqrt(ctx.fsum(x * x for x in flat))]]
        if name in ("softmax", "logsumexp"):
            top = max(flat)
            shifted = _map(lambda x: ctx.exp(x - top), arg)
            total = ctx.fsum(x for row in shifted for x in row)
            if name == "softmax":
                return _map(lambda x: x / total, shifted)
            return [[top + ctx.log(total)]]
        if name == "diag":
            rows, cols = _shape(arg)
            if cols == 1:
                return [
                    [arg[i][0] if i == j else ctx.mpf(0) for j in range(rows)] for i in range(rows)
                ]
            return [[arg[i][i]] for i in range(min(rows, cols))]
        raise Undefined(f"no precise form of {name}")


def precise_value(
    expr: Expr, values: Mapping[str, Array], sizes: Mapping[str, int], digits: int = LOW_DIGITS
) -> Matrix | None:
    """The value of ``expr`` at ``digits`` digits, or ``None`` where it has none."""
    if sum(int(np.size(v)) for v in values.values()) > MAX_ENTRIES:
        return None
    try:
        return PreciseEvaluator(values, sizes, digits)(expr)
    except Undefined:
        return None


def differs_precisely(
    expected: Expr,
    answer: Expr,
    values: Mapping[str, Array],
    sizes: Mapping[str, int],
) -> bool | None:
    """Whether the two really differ at these inputs: ``True`` if some entry differs by more
    than ``RTOL`` relatively, the same at 40 and at 80 digits; ``False`` if not; ``None``
    where the expected expression has no value (or the inputs are too large to redo)."""
    e_low = precise_value(expected, values, sizes, LOW_DIGITS)
    if e_low is None:
        return None
    a_low = precise_value(answer, values, sizes, LOW_DIGITS)
    if a_low is None or _shape(a_low) != _shape(e_low):
        return True
    suspects = [
        (i, j)
        for i, (e_row, a_row) in enumerate(zip(e_low, a_low, strict=True))
        for j, (e1, a1) in enumerate(zip(e_row, a_row, strict=True))
        if abs(a1 - e1) > RTOL * max(abs(a1), abs(e1))
    ]
    if not suspects:
        return False
    # a difference at 40 digits may still be rounding (an exact 0 against 1e-38): redo the
    # suspect entries at 80 digits and keep only differences that did not move
    e_high = precise_value(expected, values, sizes, HIGH_DIGITS)
    a_high = precise_value(answer, values, sizes, HIGH_DIGITS)
    if e_high is None:
        return None
    if a_high is None:
        return True
    for i, j in suspects:
        high = a_high[i][j] - e_high[i][j]
        if abs(high) <= RTOL * max(abs(a_high[i][j]), abs(e_high[i][j])):
            continue
        low = a_low[i][j] - e_low[i][j]
        if abs(low - high) > STABLE * abs(high):
            continue  # the difference is rounding: it moved with the precision
        return True
    return False
