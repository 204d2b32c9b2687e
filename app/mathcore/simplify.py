"""Readable results: transposes pushed to the leaves, like terms collected, factors shared.

Each rewrite is an identity that holds for all values (symmetry only where declared),
and every result is also checked numerically before it is shown.

>>> from app.mathcore.parse import parse
>>> from app.mathcore.printing import to_text
>>> to_text(simplify(parse("A x + A^T x + x + x").expr))
'(A + A^T) x + 2 x'
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from app.mathcore import build
from app.mathcore.chains import rewrite_chain, size
from app.mathcore.differentials import add, quotient, rebuild, zero_like
from app.mathcore.tree import (
    SCALAR,
    Apply,
    Call,
    Expr,
    Hadamard,
    Identity,
    Inverse,
    Number,
    Ones,
    Power,
    Product,
    Quotient,
    Sum,
    Symbol,
    Transpose,
)

MAX_PASSES = 8
MAX_TRIAL_SIZE = 120
"""Rewrites that are kept only when shorter are tried on expressions up to this size."""


def simplify(expr: Expr, symmetric: Iterable[str] = ()) -> Expr:
    """Rewrite ``expr`` into the readable normal form; ``symmetric`` names the variables
    declared symmetric (``A^T`` becomes ``A``)."""
    simplifier = _Simplifier(frozenset(symmetric))
    for _ in range(MAX_PASSES):
        new = simplifier.visit(expr)
        if new == expr:
            break
        expr = new
    return expr


class _Simplifier:
    def __init__(self, symmetric: frozenset[str]) -> None:
        self.symmetric = symmetric

    def visit(self, node: Expr) -> Expr:
        node = rebuild(node, self.visit)
        if isinstance(node, Transpose):
            return self.transpose(node.arg)
        if isinstance(node, Product):
            return self.product(node)
        if isinstance(node, Hadamard):
            return self.hadamard(node)
        if isinstance(node, Quotient):
            return self.quotient(node)
        if isinstance(node, Sum):
            return self.sum(node)
        if isinstance(node, Call) and node.function == "sum":
            return self.total(node)
        if isinstance(node, Call) and node.function == "tr" and isinstance(node.arg, Product):
            return self.trace(node.arg)
        if isinstance(node, Power) and not node.is_scalar and isinstance(node.base, Transpose):
            # (X^T)^k = (X^k)^T: one form, so X^T (X^T)^2 and (X^2)^T X^T merge
            return build.transpose(build.power(node.base.arg, node.exponent))
        return node

    def quotient(self, node: Quotient) -> Expr:
        top, bottom = node.numerator, node.denominator
        if top == bottom:
            return Ones(node.shape)
        if isinstance(top, Product) and not top.is_scalar:
            scalars = [f for f in top.factors if f.is_scalar]
            if scalars:
                # (c b) ./ a = c (b ./ a)
                rest = build.multiply(*(f for f in top.factors if not f.is_scalar))
                return build.multiply(*scalars, quotient(rest, bottom))
        return node

    def trace(self, product: Product) -> Expr:
        """Scalars out of a trace, and ``tr(A 1) = tr(1 A) = sum(A)`` for a block of ones."""
        scalars = [f for f in product.factors if f.is_scalar]
        arrays = [f for f in product.factors if not f.is_scalar]
        if len(arrays) == 2 and any(isinstance(f, Ones) for f in arrays):
            other = arrays[1] if isinstance(arrays[0], Ones) else arrays[0]
            return build.multiply(*scalars, self.total(Call("sum", other, SCALAR)))
        if scalars:
            return build.multiply(*scalars, build.call("tr", build.multiply(*arrays)))
        return build.call("tr", product)

    def total(self, node: Call) -> Expr:
        """``sum`` of a sum, a scaled array, a transpose, ones, a softmax: fewer symbols."""
        arg = node.arg
        if isinstance(arg, Transpose):
            return self.total(Call("sum", arg.arg, node.dims))
        if isinstance(arg, Call) and arg.function == "softmax":
            return build.ONE
        if isinstance(arg, Ones):
            rows, cols = arg.shape
            if isinstance(rows, int) and isinstance(cols, int):
                return build.number(rows * cols)
            return node
        if isinstance(arg, Product):
            scalars = [f for f in arg.factors if f.is_scalar]
            arrays = [f for f in arg.factors if not f.is_scalar]
            if scalars:
                return build.multiply(
                    *scalars, self.total(Call("sum", build.multiply(*arrays), node.dims))
                )
        if isinstance(arg, Sum) and size(arg) <= MAX_TRIAL_SIZE:
            split = add(*(self.visit(self.total(Call("sum", t, node.dims))) for t in arg.terms))
            if size(split) < size(node):
                return split
        return node

    # ----------------------------------------------------------------- transposes

    def transpose(self, arg: Expr) -> Expr:
        t = self.transpose
        if isinstance(arg, Product):
            scalars = [f for f in arg.factors if f.is_scalar]
            arrays = [t(f) for f in reversed(arg.factors) if not f.is_scalar]
            return build.multiply(*scalars, *arrays)
        if isinstance(arg, Sum):
            # (x - m)^T reads better than x^T - m^T; but a symmetric sum loses its transpose
            pushed = add(*(t(term) for term in arg.terms))
            return arg if _same_terms(pushed, arg) else build.transpose(arg)
        if isinstance(arg, Hadamard):
            return build.hadamard(*(t(f) for f in arg.factors))
        if isinstance(arg, Quotient):
            return build.quotient(t(arg.numerator), t(arg.denominator))
        if isinstance(arg, Apply):
            return build.apply(arg.function, t(arg.arg))
        if isinstance(arg, Symbol) and arg.name in self.symmetric:
            return arg
        if isinstance(arg, Inverse) and t(arg.arg) == arg.arg:
            return arg  # the inverse of a symmetric matrix (S, X^T X, X^T S X) is symmetric
        if isinstance(arg, Power) and not arg.is_scalar:
            if isinstance(arg.base, Transpose):
                return build.power(arg.base.arg, arg.exponent)
            if t(arg.base) == arg.base:
                return arg
            return build.transpose(arg)
        if isinstance(arg, Call) and arg.function == "diag" and arg.shape[0] == arg.shape[1]:
            return arg
        if isinstance(arg, Ones):
            return Ones((arg.shape[1], arg.shape[0]))
        return build.transpose(arg)

    # ----------------------------------------------------------------- products

    def product(self, node: Product) -> Expr:
        coefficient = Fraction(1)
        powers: dict[Expr, Fraction] = {}
        others: list[Expr] = []
        arrays: list[Expr] = []
        for factor in _expand_powers(node.factors):
            if isinstance(factor, Number):
                coefficient *= factor.value
            elif factor.is_scalar and not _has_arrays(factor):
                base, exponent = _as_power(factor)
                if exponent is None:
                    others.append(factor)
                else:
                    powers[base] = powers.get(base, Fraction(0)) + exponent
            elif factor.is_scalar:
                others.append(factor)
            else:
                arrays.append(factor)
        if len(arrays) > 1:
            arrays = [a for a in arrays if not isinstance(a, Identity)] or arrays[:1]
        scalars = [build.power(base, Number(exp)) for base, exp in powers.items() if exp != 0]
        rewritten = rewrite_chain(arrays, self.visit)
        if rewritten is not None:
            return build.multiply(Number(coefficient), *scalars, *others, *rewritten)
        result = build.multiply(Number(coefficient), *scalars, *others, *arrays)
        return self.distribute(result, [Number(coefficient), *scalars, *others], arrays)

    def distribute(self, result: Expr, scalars: list[Expr], arrays: list[Expr]) -> Expr:
        """``(A + B) c`` as ``A c + B c`` where that is shorter (``diag(s) (y ./ s)``
        cancels); a product is kept whole otherwise."""
        if size(result) > MAX_TRIAL_SIZE or len(arrays) < 2:
            return result
        for index, factor in enumerate(arrays):
            if not isinstance(factor, Sum):
                continue
            neighbours = arrays[max(index - 1, 0) : index] + arrays[index + 1 : index + 2]
            edges = [f for t in factor.terms for f in _edge_arrays(t)]
            if not any(map(_may_cancel, neighbours)) and not any(map(_may_cancel, edges)):
                continue  # nothing next to the sum that the chain rules could cancel
            terms = [
                self.visit(build.multiply(*scalars, *arrays[:index], term, *arrays[index + 1 :]))
                for term in factor.terms
            ]
            expanded = self.sum_of(terms)
            if size(expanded) < size(result):
                return expanded
        return result

    def sum_of(self, terms: list[Expr]) -> Expr:
        total = add(*terms)
        return self.sum(total) if isinstance(total, Sum) else total

    def hadamard(self, node: Hadamard) -> Expr:
        factors = [f for f in node.factors if not isinstance(f, Ones)]
        for _i, factor in enumerate(factors):
            if isinstance(factor, Quotient) and factor.denominator in factors:
                rest = list(factors)
                rest.remove(factor.denominator)
                rest[rest.index(factor)] = factor.numerator
                return build.hadamard(*rest) if len(rest) > 1 else _broadcast(rest[0], node)
        if not factors:
            return Ones(node.shape)
        return build.hadamard(*factors) if len(factors) > 1 else _broadcast(factors[0], node)

    # ----------------------------------------------------------------- sums

    def sum(self, node: Sum) -> Expr:
        collected = _collect(node.terms)
        if not collected:
            return zero_like(node)
        if len(collected) > 1 and not node.is_scalar:
            collected = _factor(collected, right=True)
            collected = _factor(collected, right=False)
        if len(collected) > 1 and _split(collected[0])[0] < 0:
            # a - b reads better than -b + a
            positive = next((t for t in collected if _split(t)[0] > 0), None)
            if positive is not None:
                collected.remove(positive)
                collected.insert(0, positive)
        result = add(*collected)
        if result.shape != node.shape and result.is_scalar:
            return node
        return result


def _may_cancel(factor: Expr) -> bool:
    """A factor the chain rules (:mod:`app.mathcore.chains`) can cancel against a neighbour."""
    if isinstance(factor, Transpose):
        factor = factor.arg
    if isinstance(factor, Call):
        return factor.function == "diag"
    return isinstance(factor, (Quotient, Ones, Inverse))


def _edge_arrays(term: Expr) -> list[Expr]:
    """The first and last array factors of a term (the term itself if it is one array)."""
    _, arrays = _arrays(term)
    return [arrays[0], arrays[-1]] if arrays else []


def _expand_powers(factors: Iterable[Expr]) -> list[Expr]:
    """``(2 sigma^2)^-1`` as ``1/2 sigma^-2``: an integer power of a product of scalars is
    the product of the powers, so numbers can cancel with the coefficient."""
    out: list[Expr] = []
    for factor in factors:
        if (
            isinstance(factor, Power)
            and factor.is_scalar
            and isinstance(factor.exponent, Number)
            and factor.exponent.value.denominator == 1
            and isinstance(factor.base, Product)
            and not _has_arrays(factor.base)
        ):
            out.extend(build.power(f, factor.exponent) for f in factor.base.factors)
        else:
            out.append(factor)
    return out


def _same_terms(a: Expr, b: Expr) -> bool:
    if isinstance(a, Sum) and isinstance(b, Sum):
        return sorted(map(repr, a.terms)) == sorted(map(repr, b.terms))
    return a == b


def _broadcast(value: Expr, like: Expr) -> Expr:
    if value.is_scalar and not like.is_scalar:
        return build.multiply(value, Ones(like.shape))
    return value


def _has_arrays(expr: Expr) -> bool:
    return isinstance(expr, Product) and any(not f.is_scalar for f in expr.factors)


def _as_power(factor: Expr) -> tuple[Expr, Fraction | None]:
    if isinstance(factor, Power) and isinstance(factor.exponent, Number):
        return factor.base, factor.exponent.value
    if isinstance(factor, Power):
        return factor, None
    return factor, Fraction(1)


def _split(term: Expr) -> tuple[Fraction, Expr]:
    """``term`` as coefficient × core: ``-2 A x`` -> (-2, A x)."""
    if isinstance(term, Product) and isinstance(term.factors[0], Number):
        rest = term.factors[1:]
        core = rest[0] if len(rest) == 1 else Product(rest, term.dims)
        return term.factors[0].value, core
    if isinstance(term, Number):
        return term.value, build.ONE
    return Fraction(1), term


def _collect(terms: Iterable[Expr]) -> list[Expr]:
    """Add the coefficients of equal cores: ``x + x`` -> ``2 x``."""
    totals: dict[Expr, Fraction] = {}
    for term in terms:
        coefficient, core = _split(term)
        totals[core] = totals.get(core, Fraction(0)) + coefficient
    return [build.multiply(Number(c), core) for core, c in totals.items() if c != 0]


def _arrays(term: Expr) -> tuple[list[Expr], list[Expr]]:
    if isinstance(term, Product):
        return [f for f in term.factors if f.is_scalar], [
            f for f in term.factors if not f.is_scalar
        ]
    return [], [term]


def _factor(terms: list[Expr], right: bool) -> list[Expr]:
    """Share a common outer factor: ``A x + B x`` -> ``(A + B) x``."""
    groups: dict[Expr, list[int]] = {}
    for index, term in enumerate(terms):
        scalars, arrays = _arrays(term)
        if len(arrays) >= 2:
            key = arrays[-1] if right else arrays[0]
            groups.setdefault(key, []).append(index)
    merged: dict[int, Expr] = {}
    dropped: set[int] = set()
    for key, members in groups.items():
        if len(members) < 2:
            continue
        rests = []
        for index in members:
            scalars, arrays = _arrays(terms[index])
            rest = arrays[:-1] if right else arrays[1:]
            rests.append(build.multiply(*scalars, *rest))
        inner = add(*rests)
        merged[members[0]] = build.multiply(inner, key) if right else build.multiply(key, inner)
        dropped.update(members[1:])
    return [merged.get(i, term) for i, term in enumerate(terms) if i not in dropped]
