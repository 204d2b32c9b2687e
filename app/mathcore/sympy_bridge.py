"""SymPy objects built from our own tree, for scalar calculus and simplification.

Learner text never reaches SymPy: ``sympify`` and ``parse_expr`` call ``eval``. We parse
with our grammar and build SymPy objects node by node, so only known operations exist.

>>> from app.mathcore.parse import parse
>>> to_sympy(parse("x^2 sin(x)", {"x": {"shape": []}}).expr)
x**2*sin(x)
"""

from __future__ import annotations

from collections.abc import Callable

import sympy

from app.mathcore.errors import UnsupportedError
from app.mathcore.tree import (
    Apply,
    Constant,
    ElementPower,
    Expr,
    Hadamard,
    MatrixLiteral,
    Number,
    Power,
    Product,
    Quotient,
    Sum,
    Symbol,
)

_FUNCTIONS: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "exp": sympy.exp,
    "log": sympy.log,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "tanh": sympy.tanh,
    "sqrt": sympy.sqrt,
    "abs": sympy.Abs,
    "sign": sympy.sign,
    "sigmoid": lambda u: 1 / (1 + sympy.exp(-u)),
    "relu": lambda u: sympy.Max(u, 0),
    "softplus": lambda u: sympy.log(1 + sympy.exp(u)),
    "step": lambda u: sympy.Heaviside(u, 0),  # step(0) = 0, as the evaluator has it
}


def scalar_symbol(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, real=True)


def to_sympy(expr: Expr) -> sympy.Expr:
    """A SymPy expression for a scalar expression of scalar variables.

    Matrix literals of scalars become SymPy matrices (for maps such as ``[x + sin(y), x y]``).
    Anything involving vectors or matrices raises :class:`UnsupportedError`.
    """
    if isinstance(expr, MatrixLiteral):
        return sympy.Matrix([[to_sympy(entry) for entry in row] for row in expr.rows])
    if not expr.is_scalar:
        raise UnsupportedError("only scalar expressions can be passed to SymPy")
    if isinstance(expr, Number):
        return sympy.Rational(expr.value.numerator, expr.value.denominator)
    if isinstance(expr, Constant):
        return sympy.E if expr.name == "e" else sympy.pi
    if isinstance(expr, Symbol):
        return scalar_symbol(expr.name)
    if isinstance(expr, Sum):
        return sympy.Add(*(to_sympy(t) for t in expr.terms))
    if isinstance(expr, (Product, Hadamard)):
        return sympy.Mul(*(to_sympy(f) for f in expr.factors))
    if isinstance(expr, (Power, ElementPower)):
        return sympy.Pow(to_sympy(expr.base), to_sympy(expr.exponent))
    if isinstance(expr, Quotient):
        return to_sympy(expr.numerator) / to_sympy(expr.denominator)
    if isinstance(expr, Apply):
        return _FUNCTIONS[expr.function](to_sympy(expr.arg))
    raise UnsupportedError(f"{type(expr).__name__} has no scalar SymPy form")
