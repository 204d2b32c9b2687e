"""Evaluating typed trees with NumPy at concrete values.

Every value is a 2-D float array: scalars are ``(1, 1)``, column vectors ``(n, 1)``.
Invalid operations (a singular inverse, the log of a negative number) give ``nan``
or raise :class:`EvaluationError`; callers decide what that means.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from numpy.typing import NDArray

from app.mathcore.tree import (
    Apply,
    Call,
    Constant,
    Differential,
    Differentiate,
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

Array = NDArray[np.float64]


class EvaluationError(Exception):
    """The expression has no finite value at these inputs."""


def _sigmoid(x: Array) -> Array:
    out: Array = np.where(
        x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x)))
    )
    return out


ELEMENTWISE: dict[str, Callable[[Array], Array]] = {
    "exp": np.exp,
    "log": np.log,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "tanh": np.tanh,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sign": np.sign,
    "sigmoid": _sigmoid,
    "relu": lambda x: np.maximum(x, 0.0),
    "softplus": lambda x: np.logaddexp(0.0, x),
    "step": lambda x: (x > 0).astype(float),
}


def _softmax(z: Array) -> Array:
    shifted = np.exp(z - z.max())
    result: Array = shifted / shifted.sum()
    return result


def _logsumexp(z: Array) -> float:
    top = float(z.max())
    return top + float(np.log(np.exp(z - top).sum()))


def _logdet(x: Array) -> float:
    sign, value = np.linalg.slogdet(x)
    return float(value) if sign > 0 else float("nan")


class Evaluator:
    """Evaluates trees for one assignment of values (and of sizes, for ``I``)."""

    def __init__(self, values: Mapping[str, Array], sizes: Mapping[str, int] | None = None) -> None:
        self.values = values
        self.sizes = dict(sizes or {})

    def size(self, dim: Dim) -> int:
        if isinstance(dim, int):
            return dim
        if isinstance(dim, str) and dim in self.sizes:
            return self.sizes[dim]
        raise EvaluationError(f"the size {dim} is unknown")

    def __call__(self, expr: Expr) -> Array:
        with np.errstate(all="ignore"):
            return self.eval(expr)

    def eval(self, expr: Expr) -> Array:
        if isinstance(expr, Number):
            return np.array([[float(expr.value)]])
        if isinstance(expr, Constant):
            return np.array([[np.e if expr.name == "e" else np.pi]])
        if isinstance(expr, Symbol):
            return self.values[expr.name]
        if isinstance(expr, Differential):
            return self.values["d" + expr.name]
        if isinstance(expr, Identity):
            return np.eye(self.size(expr.size))
        if isinstance(expr, Ones):
            return np.ones((self.size(expr.dims[0]), self.size(expr.dims[1])))
        if isinstance(expr, Sum):
            total = self.eval(expr.terms[0])
            for term in expr.terms[1:]:
                total = total + self.eval(term)
            return total
        if isinstance(expr, Product):
            return self._product(expr)
        if isinstance(expr, Power):
            base = self.eval(expr.base)
            exponent = self.eval(expr.exponent)
            if expr.base.is_scalar:
                return np.power(base, exponent)
            matrix_power: Array = np.linalg.matrix_power(base, int(exponent[0, 0]))
            return matrix_power
        if isinstance(expr, Transpose):
            return self.eval(expr.arg).T
        if isinstance(expr, Inverse):
            try:
                inverse: Array = np.asarray(np.linalg.inv(self.eval(expr.arg)), dtype=np.float64)
                return inverse
            except np.linalg.LinAlgError:
                raise EvaluationError("a matrix to invert is singular") from None
        if isinstance(expr, Hadamard):
            result = self.eval(expr.factors[0])
            for factor in expr.factors[1:]:
                result = result * self.eval(factor)
            return result
        if isinstance(expr, Quotient):
            return self.eval(expr.numerator) / self.eval(expr.denominator)
        if isinstance(expr, ElementPower):
            return np.power(self.eval(expr.base), self.eval(expr.exponent))
        if isinstance(expr, Apply):
            return ELEMENTWISE[expr.function](self.eval(expr.arg))
        if isinstance(expr, Call):
            return self._call(expr)
        if isinstance(expr, MatrixLiteral):
            return np.array([[float(self.eval(e)[0, 0]) for e in row] for row in expr.rows])
        if isinstance(expr, Differentiate):
            raise EvaluationError("d(…) has no value; differentiate first")
        raise TypeError(f"cannot evaluate {type(expr).__name__}")

    def _product(self, expr: Product) -> Array:
        scale = np.ones((1, 1))
        chain: Array | None = None
        for factor in expr.factors:
            value = self.eval(factor)
            if factor.is_scalar:
                scale = scale * value
            elif chain is None:
                chain = value
            elif chain.shape == (1, 1):
                scale, chain = scale * chain, value
            else:
                chain = chain @ value
        return scale if chain is None else scale * chain

    def _call(self, expr: Call) -> Array:
        arg = self.eval(expr.arg)
        name = expr.function
        if name == "tr":
            return np.array([[np.trace(arg)]])
        if name == "det":
            return np.array([[np.linalg.det(arg)]])
        if name == "logdet":
            return np.array([[_logdet(arg)]])
        if name == "sum":
            return np.array([[arg.sum()]])
        if name == "norm":
            return np.array([[np.sqrt((arg**2).sum())]])
        if name == "softmax":
            return _softmax(arg)
        if name == "logsumexp":
            return np.array([[_logsumexp(arg)]])
        if name == "diag":
            if arg.shape[1] == 1:
                return np.diagflat(arg)
            return np.diag(arg).reshape(-1, 1).copy()
        raise TypeError(f"cannot evaluate {name}")


def evaluate(
    expr: Expr, values: Mapping[str, Array], sizes: Mapping[str, int] | None = None
) -> Array:
    """The value of ``expr`` as a 2-D array.

    >>> from app.mathcore.parse import parse
    >>> float(evaluate(parse("x^T x").expr, {"x": np.array([[3.0], [4.0]])})[0, 0])
    25.0
    """
    return Evaluator(values, sizes)(expr)
