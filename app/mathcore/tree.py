"""The typed expression tree shared by the printer, the evaluator and the derivative engine.

Every node knows its shape, a pair ``(rows, cols)`` of dimensions. A dimension is an
integer or a name such as ``"n"``; scalars are ``(1, 1)``, column vectors ``(n, 1)``
and row vectors ``(1, n)``. Nodes are immutable and compare structurally, so two trees
are equal exactly when they print the same.

Build nodes through the constructors in :mod:`app.mathcore.build`, which check shapes;
the classes here only hold data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from app.mathcore.shapes import DimVar

Dim = Union[int, str, "DimVar"]
"""A size: an integer, a name such as ``"n"``, or (while reading) an unknown."""
Shape = tuple[Dim, Dim]
SCALAR: Shape = (1, 1)

ELEMENTWISE_FUNCTIONS = frozenset(
    {
        "exp",
        "log",
        "sin",
        "cos",
        "tan",
        "tanh",
        "sqrt",
        "abs",
        "sign",
        "sigmoid",
        "relu",
        "softplus",
        "step",
    }
)
"""Scalar functions; applied to an array they act entry by entry. ``step`` is the unit
step (the derivative of ``relu``), which learners do not type but derivatives show."""

REDUCTIONS = frozenset({"tr", "det", "logdet", "sum", "norm", "softmax", "logsumexp", "diag"})


def is_scalar_shape(shape: Shape) -> bool:
    return shape == SCALAR


def format_shape(shape: Shape) -> str:
    """``(3, 1)`` -> ``"3×1"``; used in messages for learners."""
    return f"{shape[0]}×{shape[1]}"


@dataclass(frozen=True, slots=True)
class Expr:
    """Base class of typed nodes."""

    @property
    def shape(self) -> Shape:
        raise NotImplementedError

    @property
    def is_scalar(self) -> bool:
        return self.shape == SCALAR

    def children(self) -> tuple[Expr, ...]:
        return ()

    def walk(self) -> Iterator[Expr]:
        """Every node of the tree, parents before children."""
        stack: list[Expr] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children()))


@dataclass(frozen=True, slots=True)
class Number(Expr):
    value: Fraction

    @property
    def shape(self) -> Shape:
        return SCALAR


@dataclass(frozen=True, slots=True)
class Constant(Expr):
    """``e`` or ``pi``."""

    name: str

    @property
    def shape(self) -> Shape:
        return SCALAR


@dataclass(frozen=True, slots=True)
class Symbol(Expr):
    name: str
    dims: Shape

    @property
    def shape(self) -> Shape:
        return self.dims


@dataclass(frozen=True, slots=True)
class Differential(Expr):
    """``dX``: the differential of the variable ``X``, of the same shape."""

    name: str
    dims: Shape

    @property
    def shape(self) -> Shape:
        return self.dims


@dataclass(frozen=True, slots=True)
class Identity(Expr):
    size: Dim

    @property
    def shape(self) -> Shape:
        return (self.size, self.size)


@dataclass(frozen=True, slots=True)
class Ones(Expr):
    """The all-ones array of a shape (the gradient of ``sum``)."""

    dims: Shape

    @property
    def shape(self) -> Shape:
        return self.dims


@dataclass(frozen=True, slots=True)
class Sum(Expr):
    """``a + b + …``: terms of one shape, or scalars broadcast over it."""

    terms: tuple[Expr, ...]
    dims: Shape = field(default=SCALAR)

    @property
    def shape(self) -> Shape:
        return self.dims

    def children(self) -> tuple[Expr, ...]:
        return self.terms


@dataclass(frozen=True, slots=True)
class Product(Expr):
    """``a b c``: scalar factors commute; array factors multiply as matrices, in order."""

    factors: tuple[Expr, ...]
    dims: Shape = field(default=SCALAR)

    @property
    def shape(self) -> Shape:
        return self.dims

    def children(self) -> tuple[Expr, ...]:
        return self.factors


@dataclass(frozen=True, slots=True)
class Power(Expr):
    """A scalar raised to a scalar, or a square matrix to an integer ``Number``."""

    base: Expr
    exponent: Expr

    @property
    def shape(self) -> Shape:
        return self.base.shape

    def children(self) -> tuple[Expr, ...]:
        return (self.base, self.exponent)


@dataclass(frozen=True, slots=True)
class Transpose(Expr):
    arg: Expr

    @property
    def shape(self) -> Shape:
        rows, cols = self.arg.shape
        return (cols, rows)

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


@dataclass(frozen=True, slots=True)
class Inverse(Expr):
    arg: Expr

    @property
    def shape(self) -> Shape:
        return self.arg.shape

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


@dataclass(frozen=True, slots=True)
class Hadamard(Expr):
    """The elementwise product ``a ⊙ b ⊙ …`` of arrays of one shape."""

    factors: tuple[Expr, ...]

    @property
    def shape(self) -> Shape:
        return self.factors[0].shape

    def children(self) -> tuple[Expr, ...]:
        return self.factors


@dataclass(frozen=True, slots=True)
class Quotient(Expr):
    """Elementwise division ``a ./ b``; either side may be a scalar."""

    numerator: Expr
    denominator: Expr

    @property
    def shape(self) -> Shape:
        # one look at the numerator's shape: asking twice per level is exponential in depth
        numerator = self.numerator.shape
        return self.denominator.shape if numerator == SCALAR else numerator

    def children(self) -> tuple[Expr, ...]:
        return (self.numerator, self.denominator)


@dataclass(frozen=True, slots=True)
class ElementPower(Expr):
    """``a .^ p``: each entry of the array ``a`` raised to the scalar ``p``."""

    base: Expr
    exponent: Expr

    @property
    def shape(self) -> Shape:
        return self.base.shape

    def children(self) -> tuple[Expr, ...]:
        return (self.base, self.exponent)


@dataclass(frozen=True, slots=True)
class Apply(Expr):
    """A scalar function applied entry by entry: ``exp(X)``, ``sigmoid(z)``."""

    function: str
    arg: Expr

    @property
    def shape(self) -> Shape:
        return self.arg.shape

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


@dataclass(frozen=True, slots=True)
class Call(Expr):
    """A function of a whole array: ``tr``, ``det``, ``logdet``, ``sum``, ``norm``,
    ``softmax``, ``logsumexp``, ``diag``."""

    function: str
    arg: Expr
    dims: Shape

    @property
    def shape(self) -> Shape:
        return self.dims

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


@dataclass(frozen=True, slots=True)
class MatrixLiteral(Expr):
    """``[a, b; c, d]``: scalar entries, row by row."""

    rows: tuple[tuple[Expr, ...], ...]

    @property
    def shape(self) -> Shape:
        return (len(self.rows), len(self.rows[0]))

    def children(self) -> tuple[Expr, ...]:
        return tuple(entry for row in self.rows for entry in row)


@dataclass(frozen=True, slots=True)
class Differentiate(Expr):
    """``d(f)``: the differential of an expression, written by a learner in a derivation."""

    arg: Expr

    @property
    def shape(self) -> Shape:
        return self.arg.shape

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


def symbols_in(expr: Expr) -> dict[str, Shape]:
    """The variables of ``expr`` with their shapes, in order of first appearance."""
    found: dict[str, Shape] = {}
    for node in expr.walk():
        if isinstance(node, Symbol) and node.name not in found:
            found[node.name] = node.dims
    return found


def depends_on(expr: Expr, name: str) -> bool:
    """Whether the variable ``name`` (or its differential) occurs in ``expr``."""
    return any(
        isinstance(node, (Symbol, Differential)) and node.name == name for node in expr.walk()
    )


def contains_differential(expr: Expr) -> bool:
    return any(isinstance(node, (Differential, Differentiate)) for node in expr.walk())


def tree_depth(expr: Expr) -> int:
    """The number of levels of ``expr``, computed without recursion."""
    deepest = 0
    stack: list[tuple[Expr, int]] = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.children())
    return deepest
