"""Reading a derivative off a differential.

Once ``df`` is linear in ``dX``, the gradient ``G`` is the array with
``df = tr(G^T dX) = <G, dX>`` and the Jacobian ``J`` the matrix with ``df = J dx``.
Each term of ``df`` holds ``dX`` once; walking from the root to it moves every factor
to the other side of the inner product (``<B, A Y> = <A^T B, Y>``, ``<B, Y^T> = <B^T, Y>``,
``<B, a ⊙ Y> = <a ⊙ B, Y>``, ``<b, tr Y> = <b I, Y>``), which is the trace trick.
"""

from __future__ import annotations

from app.mathcore import build
from app.mathcore.differentials import add, quotient
from app.mathcore.errors import UnsupportedError
from app.mathcore.tree import (
    Call,
    Differential,
    Expr,
    Hadamard,
    Identity,
    MatrixLiteral,
    Ones,
    Product,
    Quotient,
    Sum,
    Transpose,
)


def _has_d(expr: Expr, name: str) -> bool:
    return any(isinstance(n, Differential) and n.name == name for n in expr.walk())


def inner(a: Expr, b: Expr) -> Expr:
    """The inner product ``<a, b> = sum(a ⊙ b)`` of two arrays of one shape, as a scalar."""
    if a.is_scalar:
        return build.multiply(a, b)
    if a.shape[1] == 1:
        return build.multiply(build.transpose(a), b)
    if a.shape[0] == 1:
        return build.multiply(a, build.transpose(b))
    return build.call("tr", build.multiply(build.transpose(a), b))


class Extractor:
    """Reads gradients and Jacobians with respect to the variable ``name``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def has_d(self, expr: Expr) -> bool:
        return _has_d(expr, self.name)

    # ----------------------------------------------------------------- gradient

    def gradient(self, df: Expr) -> Expr:
        """``G`` with ``df = <G, dX>``, for a scalar ``df``."""
        return self.adjoint(df, build.ONE)

    def adjoint(self, node: Expr, bar: Expr) -> Expr:
        """The contribution to ``G`` of ``<bar, node>``, ``node`` linear in ``dX``."""
        if isinstance(node, Differential):
            return bar
        if isinstance(node, Sum):
            parts = []
            for term in node.terms:
                if self.has_d(term):
                    term_bar = (
                        build.call("sum", bar) if term.is_scalar and not bar.is_scalar else bar
                    )
                    parts.append(self.adjoint(term, term_bar))
            return add(*parts)
        if isinstance(node, Transpose):
            return self.adjoint(node.arg, build.transpose(bar))
        if isinstance(node, Product):
            return self._adjoint_product(node, bar)
        if isinstance(node, Hadamard):
            index = self._index(node.factors)
            others = [f for i, f in enumerate(node.factors) if i != index]
            return self.adjoint(node.factors[index], build.hadamard(bar, *others))
        if isinstance(node, Quotient):
            if self.has_d(node.denominator):
                raise UnsupportedError("dX in a denominator")
            scaled = quotient(bar, node.denominator)
            if node.numerator.is_scalar and not scaled.is_scalar:
                scaled = build.call("sum", scaled)
            return self.adjoint(node.numerator, scaled)
        if isinstance(node, Call):
            arg = node.arg
            if node.function == "tr":
                return self.adjoint(arg, build.multiply(bar, Identity(arg.shape[0])))
            if node.function == "sum":
                return self.adjoint(arg, build.multiply(bar, Ones(arg.shape)))
            if node.function == "diag":
                return self.adjoint(arg, build.call("diag", bar))
        raise UnsupportedError(
            f"cannot read a derivative through {type(node).__name__.lower()} here"
        )

    def _index(self, factors: tuple[Expr, ...]) -> int:
        holders = [i for i, f in enumerate(factors) if self.has_d(f)]
        if len(holders) != 1:
            raise UnsupportedError("the differential is not linear in dX")
        return holders[0]

    def _adjoint_product(self, node: Product, bar: Expr) -> Expr:
        index = self._index(node.factors)
        factor = node.factors[index]
        others = [f for i, f in enumerate(node.factors) if i != index]
        if factor.is_scalar:
            rest = build.multiply(*others)
            return self.adjoint(factor, inner(bar, rest))
        scalars = [f for f in others if f.is_scalar]
        left = [f for f in node.factors[:index] if not f.is_scalar]
        right = [f for f in node.factors[index + 1 :] if not f.is_scalar]
        parts: list[Expr] = list(scalars)
        if left:
            parts.append(build.transpose(build.multiply(*left)))
        parts.append(bar)
        if right:
            parts.append(build.transpose(build.multiply(*right)))
        return self.adjoint(factor, build.multiply(*parts))

    # ----------------------------------------------------------------- Jacobian

    def jacobian(self, df: Expr) -> Expr:
        """``J`` with ``df = J dx`` for a column-vector (or scalar) ``df`` and vector ``x``."""
        if df.is_scalar:
            return build.transpose(self.gradient(df))
        return self.forward(self.expand(df))

    def expand(self, node: Expr) -> Expr:
        """Push transposes to the leaves and distribute over sums that hold ``dx``, so each
        term has ``dx`` (or ``dx^T``, or ``diag`` of it) as a plain factor."""
        if not self.has_d(node):
            return node
        if isinstance(node, Transpose):
            arg = node.arg
            if isinstance(arg, Sum):
                return add(*(self.expand(build.transpose(t)) for t in arg.terms))
            if isinstance(arg, Product):
                arrays = [build.transpose(f) for f in reversed(arg.factors) if not f.is_scalar]
                scalars = [f for f in arg.factors if f.is_scalar]
                return self.expand(build.multiply(*scalars, *arrays))
            if isinstance(arg, Hadamard):
                return self.expand(build.hadamard(*(build.transpose(f) for f in arg.factors)))
            if isinstance(arg, Quotient):
                return self.expand(
                    quotient(build.transpose(arg.numerator), build.transpose(arg.denominator))
                )
            if isinstance(arg, Call) and arg.function == "diag" and arg.shape[0] == arg.shape[1]:
                return self.expand(arg)
            return node
        if isinstance(node, Sum):
            return add(*(self.expand(t) for t in node.terms))
        if isinstance(node, (Product, Hadamard)):
            factors = [self.expand(f) for f in node.factors]
            combine = build.multiply if isinstance(node, Product) else build.hadamard
            for i, factor in enumerate(factors):
                if isinstance(factor, Sum) and self.has_d(factor):
                    return add(
                        *(
                            self.expand(combine(*factors[:i], t, *factors[i + 1 :]))
                            for t in factor.terms
                        )
                    )
            return combine(*factors)
        if isinstance(node, Quotient) and isinstance(node.numerator, Sum):
            return add(*(self.expand(quotient(t, node.denominator)) for t in node.numerator.terms))
        if isinstance(node, Call) and node.function == "diag":
            inner = self.expand(node.arg)
            if isinstance(inner, Sum):
                return add(*(build.call("diag", t) for t in inner.terms))
            return build.call("diag", inner)
        return node

    def forward(self, node: Expr) -> Expr:
        if isinstance(node, Differential):
            return Identity(node.shape[0])
        if node.is_scalar:
            return build.transpose(self.adjoint(node, build.ONE))
        if isinstance(node, Sum):
            parts = []
            for term in node.terms:
                if self.has_d(term):
                    part = self.forward(term)
                    if term.is_scalar:
                        part = build.multiply(Ones(node.shape), part)
                    parts.append(part)
            return add(*parts)
        if isinstance(node, Product):
            return self._forward_product(node)
        if isinstance(node, Hadamard):
            index = self._index(node.factors)
            others = [f for i, f in enumerate(node.factors) if i != index]
            weight = build.hadamard(*others) if len(others) > 1 else others[0]
            return build.multiply(build.call("diag", weight), self.forward(node.factors[index]))
        if isinstance(node, Quotient) and not self.has_d(node.denominator):
            weight = quotient(build.ONE, node.denominator)
            return build.multiply(build.call("diag", weight), self.forward(node.numerator))
        if isinstance(node, MatrixLiteral):
            raise UnsupportedError(
                "the Jacobian of a vector literal by a vector is not supported; "
                "differentiate by each scalar instead"
            )
        raise UnsupportedError(f"cannot read a Jacobian through {type(node).__name__.lower()} here")

    def _forward_product(self, node: Product) -> Expr:
        index = self._index(node.factors)
        factor = node.factors[index]
        others = [f for i, f in enumerate(node.factors) if i != index]
        if factor.is_scalar:
            return build.multiply(build.multiply(*others), self.forward(factor))
        scalars = [f for f in others if f.is_scalar]
        left = [f for f in node.factors[:index] if not f.is_scalar]
        right = [f for f in node.factors[index + 1 :] if not f.is_scalar]
        rows, cols = factor.shape
        if cols == 1:
            # s L f R where the chain R (if any) is 1×1: a scalar weight
            weight = [build.multiply(*right)] if right else []
            return build.multiply(*scalars, *left, self.forward(factor), *weight)
        if rows == 1:
            # L (f R): f R is a scalar
            tail = build.multiply(factor, *right)
            return build.multiply(*scalars, *left, build.transpose(self.adjoint(tail, build.ONE)))
        if isinstance(factor, Call) and factor.function == "diag" and right:
            column = build.multiply(*right)
            if column.shape[1] == 1:
                return build.multiply(
                    *scalars, *left, build.call("diag", column), self.forward(factor.arg)
                )
        raise UnsupportedError("cannot read a Jacobian through this matrix product")
