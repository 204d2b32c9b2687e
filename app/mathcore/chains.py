"""Identities between neighbouring factors of a matrix product, for readable results.

Each rewrite replaces two adjacent factors of a product by factors equal to them for all
values (the simplifier's numerical table checks every one):

- ``1^T v = sum(v)``, ``r 1 = sum(r)``, ``1_n^T 1_n = n``;
- ``diag(a) b = a ⊙ b``, ``r diag(a) = (r^T ⊙ a)^T``, ``diag(a) diag(b) = diag(a ⊙ b)`` and
  ``a^T b = sum(a ⊙ b)``, taken only where the elementwise product cancels
  (``diag(a) (b ./ a) = b``, ``a^T (b ./ a) = sum(b)``);
- ``X^j X^k = X^(j+k)`` and ``(X^j)^T (X^k)^T = (X^(j+k))^T``;
- ``M^-1 M = M M^-1 = I``.
"""

from __future__ import annotations

from collections.abc import Callable

from app.mathcore import build
from app.mathcore.tree import (
    Call,
    Expr,
    Hadamard,
    Identity,
    Inverse,
    Number,
    Ones,
    Power,
    Transpose,
)

Simplify = Callable[[Expr], Expr]
MAX_REWRITES = 20


def size(expr: Expr) -> int:
    """The number of nodes of ``expr``: the measure of "simpler" for optional rewrites."""
    return sum(1 for _ in expr.walk())


def rewrite_chain(arrays: list[Expr], simplify: Simplify) -> list[Expr] | None:
    """The factors of ``arrays`` (a matrix product, in order) with neighbours rewritten,
    or None when no rule applies. Scalars in the result commute with the rest."""
    changed = False
    factors = list(arrays)
    for _ in range(MAX_REWRITES):
        for index in range(len(factors) - 1):
            replacement = _pair(factors[index], factors[index + 1], simplify)
            if replacement is not None:
                factors[index : index + 2] = replacement
                changed = True
                break
        else:
            break
    return factors if changed else None


def _is_row(expr: Expr) -> bool:
    return expr.shape[0] == 1 and expr.shape[1] != 1


def _is_column(expr: Expr) -> bool:
    return expr.shape[1] == 1 and expr.shape[0] != 1


def _diagonal_of(expr: Expr) -> Expr | None:
    """``a`` when ``expr`` is ``diag(a)`` built from a column vector ``a``."""
    if isinstance(expr, Call) and expr.function == "diag" and _is_column(expr.arg):
        return expr.arg
    return None


def _cancelled(a: Expr, b: Expr, simplify: Simplify) -> Expr | None:
    """``a ⊙ b`` simplified, if that is smaller than the two apart (something cancelled)."""
    product = simplify(build.hadamard(a, b))
    if isinstance(product, Hadamard) or size(product) >= size(a) + size(b):
        return None
    return product


def _pair(a: Expr, b: Expr, simplify: Simplify) -> list[Expr] | None:
    if isinstance(a, Ones) and isinstance(b, Ones) and _is_row(a) and _is_column(b):
        n = a.shape[1]
        return [build.number(n)] if isinstance(n, int) else None
    if _is_row(a) and _is_column(b):
        if isinstance(b, Ones):
            return [simplify(build.call("sum", a))]
        if isinstance(a, Ones):
            return [simplify(build.call("sum", b))]
        cancelled = _cancelled(simplify(build.transpose(a)), b, simplify)
        if cancelled is not None:
            return [simplify(build.call("sum", cancelled))]
    left, right = _diagonal_of(a), _diagonal_of(b)
    if left is not None and right is not None:
        both = _cancelled(left, right, simplify)
        if both is not None:
            return [_diag(both)]
    if left is not None and _is_column(b):
        cancelled = _cancelled(left, b, simplify)
        if cancelled is not None:
            return [cancelled]
    if right is not None and _is_row(a):
        cancelled = _cancelled(simplify(build.transpose(a)), right, simplify)
        if cancelled is not None:
            return [simplify(build.transpose(cancelled))]
    merged = _merge_powers(a, b)
    if merged is not None:
        return [merged]
    if (isinstance(a, Inverse) and a.arg == b) or (isinstance(b, Inverse) and b.arg == a):
        return [Identity(a.shape[0])]
    return None


def _diag(vector: Expr) -> Expr:
    if isinstance(vector, Ones):
        return Identity(vector.shape[0])
    return build.call("diag", vector)


def _power_parts(expr: Expr) -> tuple[Expr, int, bool] | None:
    """``X`` -> (X, 1, False), ``X^k`` -> (X, k, False), ``(X^k)^T`` -> (X, k, True)."""
    transposed = isinstance(expr, Transpose)
    inner = expr.arg if isinstance(expr, Transpose) else expr
    if isinstance(inner, Power) and isinstance(inner.exponent, Number):
        exponent = inner.exponent.value
        if exponent.denominator == 1 and exponent > 0:
            return inner.base, int(exponent), transposed
        return None
    if isinstance(inner, (Identity, Ones, Inverse)) or inner.shape[0] != inner.shape[1]:
        return None
    return inner, 1, transposed


def _merge_powers(a: Expr, b: Expr) -> Expr | None:
    first, second = _power_parts(a), _power_parts(b)
    if first is None or second is None:
        return None
    base, j, transposed = first
    if second[0] != base or second[2] != transposed:
        return None
    merged = build.power(base, build.number(j + second[1]))
    return build.transpose(merged) if transposed else merged
