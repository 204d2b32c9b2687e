"""Derivatives of matrices by matrices, as linear maps on vectorised arrays.

When ``F`` (p×q) depends on ``X`` (m×n), its derivative is the matrix
``J = ∂vec(F)/∂vec(X)`` of shape pq × mn, with ``vec`` stacking columns (Magnus and
Neudecker): ``vec(dF) = J vec(dX)``. Each term of a differential linear in ``dX`` turns
into a short chain of the matrices below, by the rules

    vec(L Y R)   = (Rᵀ ⊗ L) vec(Y)
    vec(Yᵀ)      = K_{r,c} vec(Y)            (Y r×c, K the commutation matrix)
    vec(W ⊙ Y)   = diag(vec W) vec(Y)
    vec(s M)     = vec(M) s                  (s a scalar linear in dX)
    tr(Y)        = vec(I)ᵀ vec(Y),  sum(Y) = vec(1)ᵀ vec(Y)

so ``dF = A dX B`` gives ``J = Bᵀ ⊗ A``. Each matrix has a NumPy value, so the
Kronecker form can be checked against the differential it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from app.mathcore import build
from app.mathcore.errors import UnsupportedError
from app.mathcore.evaluate import Array, Evaluator
from app.mathcore.extract import Extractor
from app.mathcore.printing import to_latex, to_text
from app.mathcore.shapes import is_one
from app.mathcore.simplify import simplify
from app.mathcore.tree import (
    Call,
    Differential,
    Dim,
    Expr,
    Hadamard,
    Identity,
    Ones,
    Product,
    Quotient,
    Shape,
    Sum,
    Symbol,
    Transpose,
    depends_on,
)


@dataclass(frozen=True)
class Kron:
    """``P ⊗ Q``: maps ``vec(Y)`` to ``vec(Q Y Pᵀ)``."""

    left: Expr
    right: Expr

    @property
    def shapes(self) -> tuple[Shape, Shape]:
        """(shape of the array it maps from, shape of the array it maps to)."""
        return (
            (self.right.shape[1], self.left.shape[1]),
            (self.right.shape[0], self.left.shape[0]),
        )


@dataclass(frozen=True)
class Commutation:
    """``K_{rows,cols}``: maps ``vec(Y)`` to ``vec(Yᵀ)`` for ``Y`` rows×cols."""

    rows: Dim
    cols: Dim

    @property
    def shapes(self) -> tuple[Shape, Shape]:
        return ((self.rows, self.cols), (self.cols, self.rows))


@dataclass(frozen=True)
class DiagVec:
    """``diag(vec W)``: maps ``vec(Y)`` to ``vec(W ⊙ Y)``."""

    weight: Expr

    @property
    def shapes(self) -> tuple[Shape, Shape]:
        return (self.weight.shape, self.weight.shape)


@dataclass(frozen=True)
class VecColumn:
    """``vec(M)``, a column: maps a scalar ``s`` to ``vec(s M)``."""

    matrix: Expr

    @property
    def shapes(self) -> tuple[Shape, Shape]:
        return ((1, 1), self.matrix.shape)


@dataclass(frozen=True)
class VecRow:
    """``vec(N)ᵀ``, a row: maps ``vec(Y)`` to ``<N, Y> = tr(Nᵀ Y)``."""

    matrix: Expr

    @property
    def shapes(self) -> tuple[Shape, Shape]:
        return (self.matrix.shape, (1, 1))


Factor = Kron | Commutation | DiagVec | VecColumn | VecRow


@dataclass(frozen=True)
class Term:
    """``coefficient · factors[0] factors[1] …``; no factors is the identity."""

    coefficient: Expr
    factors: tuple[Factor, ...]


@dataclass(frozen=True)
class LinearMap:
    """``J = Σ terms``, mapping ``vec`` of an array shaped ``source`` to one shaped ``target``."""

    terms: tuple[Term, ...]
    source: Shape
    target: Shape

    def transpose(self, symmetric: set[str]) -> LinearMap:
        """``Jᵀ`` (the denominator layout), term by term: (P ⊗ Q)ᵀ = Pᵀ ⊗ Qᵀ, Kᵀ_{r,c} = K_{c,r}."""
        terms = [
            Term(t.coefficient, tuple(_transpose_factor(f) for f in reversed(t.factors)))
            for t in self.terms
        ]
        return LinearMap(_tidy(terms, symmetric), self.target, self.source)


def _transpose_factor(factor: Factor) -> Factor:
    if isinstance(factor, Kron):
        return Kron(build.transpose(factor.left), build.transpose(factor.right))
    if isinstance(factor, Commutation):
        return Commutation(factor.cols, factor.rows)
    if isinstance(factor, VecColumn):
        return VecRow(factor.matrix)
    if isinstance(factor, VecRow):
        return VecColumn(factor.matrix)
    return factor


def size_of(shape: Shape) -> Dim:
    """The number of entries of an array of ``shape``: an integer, or ``"m*n"``."""
    rows, cols = shape
    if isinstance(rows, int) and isinstance(cols, int):
        return rows * cols
    if is_one(rows):
        return cols
    if is_one(cols):
        return rows
    return f"{rows}*{cols}"


# ------------------------------------------------------------------------------- building


class _Builder:
    """Turns a differential linear in ``dX`` into the terms of ``J``."""

    def __init__(self, name: str, source: Shape) -> None:
        self.name = name
        self.source = source
        self.extractor = Extractor(name)

    def has_d(self, expr: Expr) -> bool:
        return any(isinstance(n, Differential) and n.name == self.name for n in expr.walk())

    def terms(self, node: Expr) -> list[Term]:
        if isinstance(node, Differential):
            if node.name != self.name:
                raise UnsupportedError("the differential holds another variable")
            return [Term(build.ONE, ())]
        if isinstance(node, Sum):
            out: list[Term] = []
            for term in node.terms:
                if not self.has_d(term):
                    continue
                parts = self.terms(term)
                if term.is_scalar and not node.is_scalar:
                    parts = _compose(VecColumn(Ones(node.shape)), parts)
                out += parts
            return out
        if isinstance(node, Transpose):
            rows, cols = node.arg.shape
            inner = self.terms(node.arg)
            if is_one(rows) or is_one(cols):
                return inner  # a vector and its transpose have one vec
            return _compose(Commutation(rows, cols), inner)
        if isinstance(node, Product):
            return self._product(node)
        if isinstance(node, Hadamard):
            index = self._index(node.factors)
            others = [f for i, f in enumerate(node.factors) if i != index]
            return _compose(DiagVec(build.hadamard(*others)), self.terms(node.factors[index]))
        if isinstance(node, Quotient) and not self.has_d(node.denominator):
            if node.numerator.is_scalar:
                raise UnsupportedError("a scalar over an array in the differential")
            weight = build.quotient(build.ONE, node.denominator)
            return _compose(DiagVec(weight), self.terms(node.numerator))
        if isinstance(node, Call) and node.function in {"tr", "sum"}:
            arg = node.arg
            reduce = Identity(arg.shape[0]) if node.function == "tr" else Ones(arg.shape)
            return _compose(VecRow(reduce), self.terms(arg))
        raise UnsupportedError(
            f"cannot write the derivative as a matrix through {type(node).__name__.lower()}"
            + (f" ({node.function})" if isinstance(node, Call) else "")
        )

    def _index(self, factors: tuple[Expr, ...]) -> int:
        holders = [i for i, f in enumerate(factors) if self.has_d(f)]
        if len(holders) != 1:
            raise UnsupportedError("the differential is not linear in dX")
        return holders[0]

    def _product(self, node: Product) -> list[Term]:
        index = self._index(node.factors)
        factor = node.factors[index]
        others = [f for i, f in enumerate(node.factors) if i != index]
        scalars = [f for f in others if f.is_scalar]
        coefficient = build.multiply(*scalars)
        if factor.is_scalar:
            arrays = [f for f in others if not f.is_scalar]
            if not arrays:
                return _scale(coefficient, self.terms(factor))
            return _scale(
                coefficient, _compose(VecColumn(build.multiply(*arrays)), self.terms(factor))
            )
        left = [f for f in node.factors[:index] if not f.is_scalar]
        right = [f for f in node.factors[index + 1 :] if not f.is_scalar]
        rows, cols = factor.shape
        l_matrix = build.multiply(*left) if left else Identity(rows)
        r_matrix = build.multiply(*right) if right else Identity(cols)
        # a chain such as (a^T b) C: a 1×1 side before an array scales it
        if l_matrix.is_scalar and not is_one(rows):
            coefficient, l_matrix = build.multiply(coefficient, l_matrix), Identity(rows)
        if r_matrix.is_scalar and not is_one(cols):
            coefficient, r_matrix = build.multiply(coefficient, r_matrix), Identity(cols)
        kron = Kron(build.transpose(r_matrix), l_matrix)
        return _scale(coefficient, _compose(kron, self.terms(factor)))


def _scale(coefficient: Expr, terms: list[Term]) -> list[Term]:
    return [Term(build.multiply(coefficient, t.coefficient), t.factors) for t in terms]


def _compose(factor: Factor, terms: list[Term]) -> list[Term]:
    """``factor`` applied after each term, merged with the term's first factor where a rule
    makes two into one: (P ⊗ Q)(P' ⊗ Q') = PP' ⊗ QQ', vec(N)ᵀ(P ⊗ Q) = vec(Qᵀ N P)ᵀ,
    (P ⊗ Q) vec(M) = vec(Q M Pᵀ)."""
    out: list[Term] = []
    for term in terms:
        out.append(Term(term.coefficient, _prepend(factor, term.factors)))
    return out


def _prepend(factor: Factor, factors: tuple[Factor, ...]) -> tuple[Factor, ...]:
    if isinstance(factor, Kron) and _is_identity_kron(factor):
        return factors
    if not factors:
        return (factor,)
    first, rest = factors[0], factors[1:]
    if not build.same_dims(factor.shapes[0], first.shapes[1]):
        return (factor, *factors)  # a column meets a row: one vec, no product to merge
    if isinstance(factor, Kron) and isinstance(first, Kron):
        merged = Kron(
            build.multiply(factor.left, first.left), build.multiply(factor.right, first.right)
        )
        return _prepend(merged, rest)
    if isinstance(factor, VecRow) and isinstance(first, Kron):
        row = VecRow(build.multiply(build.transpose(first.right), factor.matrix, first.left))
        return _prepend(row, rest)
    if isinstance(factor, Kron) and isinstance(first, VecColumn):
        column = VecColumn(build.multiply(factor.right, first.matrix, build.transpose(factor.left)))
        return (column, *rest)
    return (factor, *factors)


def _is_identity_kron(factor: Kron) -> bool:
    return isinstance(factor.left, Identity) and isinstance(factor.right, Identity)


def linear_map(differential: Expr, wrt: Symbol | Differential, symmetric: set[str]) -> LinearMap:
    """``J`` with ``vec(dF) = J vec(dX)``, read off the differential ``dF``.

    >>> from app.mathcore.parse import parse
    >>> from app.mathcore.differentials import differential_steps
    >>> p = parse("A X B", {"A": {"shape": [2, 3]}, "X": {"shape": [3, 4]}, "B": {"shape": [4, 5]}})
    >>> dF = differential_steps(p.expr, {"X"})[-1][0]
    >>> kronecker_text(linear_map(dF, Symbol("X", (3, 4)), set()))
    'B^T ⊗ A'
    """
    builder = _Builder(wrt.name, wrt.shape)
    expanded = builder.extractor.expand(differential)
    terms = builder.terms(expanded) if builder.has_d(expanded) else []
    return LinearMap(_tidy(terms, symmetric), wrt.shape, differential.shape)


def _tidy(terms: list[Term], symmetric: set[str]) -> tuple[Term, ...]:
    """Each matrix simplified, and terms with the same factors added up."""
    collected: dict[tuple[Factor, ...], Expr] = {}
    for term in terms:
        factors = tuple(_simplify_factor(f, symmetric) for f in term.factors)
        collected[factors] = build.add(collected.get(factors, build.ZERO), term.coefficient)
    out = []
    for factors, coefficient in collected.items():
        coefficient = simplify(coefficient, symmetric)
        if not build.is_zero(coefficient):
            out.append(Term(coefficient, factors))
    return tuple(out)


def merge_plain(linear: LinearMap, symmetric: set[str]) -> LinearMap:
    """For a map between vectors: the terms that are one plain matrix each (a single
    ``P ⊗ q`` or ``p ⊗ Q`` with a 1×1 side, which is just ``q P`` or ``p Q``) added into one
    matrix, so ``dxᵀ A x + xᵀ A dx`` reads ``xᵀ (Aᵀ + A)`` rather than two terms.

    >>> from app.mathcore.parse import parse
    >>> from app.mathcore.differentials import differential_steps
    >>> df = differential_steps(parse("x^T x").expr, {"x"})[-1][0]
    >>> merged = merge_plain(linear_map(df, Symbol("x", ("n", 1)), set()), set())
    >>> len(merged.terms), to_text(plain_matrix(merged.terms[0]))
    (1, '2 x^T')
    """
    plain: list[Expr] = []
    kept: list[Term] = []
    for term in linear.terms:
        matrix = plain_matrix(term)
        if matrix is None:
            kept.append(term)
        else:
            plain.append(build.multiply(term.coefficient, matrix))
    if len(plain) < 2:
        return linear
    total = simplify(build.add(*plain), symmetric)
    merged = _tidy([Term(build.ONE, (Kron(Identity(1), total),)), *kept], symmetric)
    return LinearMap(merged, linear.source, linear.target)


def plain_matrix(term: Term) -> Expr | None:
    """The matrix of a term that is a single ``P ⊗ q`` or ``p ⊗ Q`` (a 1×1 side), else None."""
    if len(term.factors) != 1 or not isinstance(term.factors[0], Kron):
        return None
    left, right = term.factors[0].left, term.factors[0].right
    if left.is_scalar:
        return right if isinstance(left, Identity) else build.multiply(left, right)
    if right.is_scalar:
        return left if isinstance(right, Identity) else build.multiply(right, left)
    return None


def _simplify_factor(factor: Factor, symmetric: set[str]) -> Factor:
    if isinstance(factor, Kron):
        return Kron(simplify(factor.left, symmetric), simplify(factor.right, symmetric))
    if isinstance(factor, DiagVec):
        return DiagVec(simplify(factor.weight, symmetric))
    if isinstance(factor, (VecColumn, VecRow)):
        return replace(factor, matrix=simplify(factor.matrix, symmetric))
    return factor


# ------------------------------------------------------------------------------- values


def commutation_matrix(rows: int, cols: int) -> Array:
    """``K`` with ``K vec(Y) = vec(Yᵀ)`` for ``Y`` rows×cols, column-major ``vec``.

    >>> Y = np.arange(6.0).reshape(2, 3)
    >>> bool(np.all(commutation_matrix(2, 3) @ Y.reshape(-1, order="F") == Y.T.reshape(-1, order="F")))
    True
    """
    k = np.zeros((rows * cols, rows * cols))
    for i in range(rows):
        for j in range(cols):
            k[j + cols * i, i + rows * j] = 1.0
    return k


def vec(value: Array) -> Array:
    """The columns of ``value`` stacked, as a column."""
    column: Array = value.reshape(-1, 1, order="F")
    return column


def factor_value(factor: Factor, evaluator: Evaluator) -> Array:
    if isinstance(factor, Kron):
        out: Array = np.asarray(
            np.kron(evaluator(factor.left), evaluator(factor.right)), dtype=np.float64
        )
        return out
    if isinstance(factor, Commutation):
        return commutation_matrix(evaluator.size(factor.rows), evaluator.size(factor.cols))
    if isinstance(factor, DiagVec):
        diagonal: Array = np.diag(vec(evaluator(factor.weight))[:, 0])
        return diagonal
    if isinstance(factor, VecColumn):
        return vec(evaluator(factor.matrix))
    return vec(evaluator(factor.matrix)).T


def map_value(linear: LinearMap, evaluator: Evaluator) -> Array:
    """The matrix ``J`` at the evaluator's values."""
    rows = _count(linear.target, evaluator)
    cols = _count(linear.source, evaluator)
    total = np.zeros((rows, cols))
    with np.errstate(all="ignore"):
        for term in linear.terms:
            value: Array = np.eye(cols)
            for factor in reversed(term.factors):
                value = factor_value(factor, evaluator) @ value
            total = total + float(evaluator(term.coefficient)[0, 0]) * value
    return total


def _count(shape: Shape, evaluator: Evaluator) -> int:
    return evaluator.size(shape[0]) * evaluator.size(shape[1])


def map_exprs(linear: LinearMap) -> list[Expr]:
    """Every expression inside ``J`` (to check they are well defined where ``J`` is used)."""
    out: list[Expr] = []
    for term in linear.terms:
        out.append(term.coefficient)
        for factor in term.factors:
            if isinstance(factor, Kron):
                out += [factor.left, factor.right]
            elif isinstance(factor, DiagVec):
                out.append(factor.weight)
            elif isinstance(factor, (VecColumn, VecRow)):
                out.append(factor.matrix)
    return out


def uses_only(linear: LinearMap, name: str) -> bool:
    return all(not depends_on(e, "d" + name) for e in map_exprs(linear))


# ------------------------------------------------------------------------------- printing


def _size_latex(dim: Dim) -> str:
    return str(dim)


def _group_latex(expr: Expr) -> str:
    latex = to_latex(expr)
    return rf"\left({latex}\right)" if " " in latex.strip() or "+" in latex else latex


def _group_text(expr: Expr) -> str:
    text = to_text(expr)
    return f"({text})" if " " in text.strip() else text


def _kron_side(expr: Expr) -> bool:
    """Whether a side of ``P ⊗ Q`` is shown (``I_1 ⊗ Q`` is ``Q``)."""
    return not (isinstance(expr, Identity) and is_one(expr.size)) and not (
        expr.is_scalar and build.is_number(expr, 1)
    )


def _identity_latex(expr: Expr) -> str | None:
    if isinstance(expr, Identity):
        return rf"I_{{{_size_latex(expr.size)}}}"
    return None


def factor_latex(factor: Factor) -> str:
    if isinstance(factor, Kron):
        sides = [
            _identity_latex(side) or _group_latex(side)
            for side in (factor.left, factor.right)
            if _kron_side(side)
        ]
        if len(sides) == 2:
            return rf"\left({sides[0]} \otimes {sides[1]}\right)"
        return sides[0] if sides else "1"
    if isinstance(factor, Commutation):
        return rf"K_{{{_size_latex(factor.rows)},{_size_latex(factor.cols)}}}"
    if isinstance(factor, DiagVec):
        weight = factor.weight
        if weight.shape[1] == 1 or is_one(weight.shape[1]):
            return rf"\operatorname{{diag}}\left({to_latex(weight)}\right)"
        return rf"\operatorname{{diag}}\left(\operatorname{{vec}}\left({to_latex(weight)}\right)\right)"
    if isinstance(factor, VecColumn):
        return rf"\operatorname{{vec}}\left({_identity_latex(factor.matrix) or to_latex(factor.matrix)}\right)"
    return rf"\operatorname{{vec}}\left({_identity_latex(factor.matrix) or to_latex(factor.matrix)}\right)^{{\top}}"


def factor_text(factor: Factor) -> str:
    if isinstance(factor, Kron):
        sides = [
            (f"I_{factor_side_size(side)}" if isinstance(side, Identity) else _group_text(side))
            for side in (factor.left, factor.right)
            if _kron_side(side)
        ]
        if len(sides) == 2:
            return f"{sides[0]} ⊗ {sides[1]}"
        return sides[0] if sides else "1"
    if isinstance(factor, Commutation):
        return f"K_({factor.rows},{factor.cols})"
    if isinstance(factor, DiagVec):
        weight = factor.weight
        if is_one(weight.shape[1]):
            return f"diag({to_text(weight)})"
        return f"diag(vec({to_text(weight)}))"
    inner = (
        f"I_{factor_side_size(factor.matrix)}"
        if isinstance(factor.matrix, Identity)
        else to_text(factor.matrix)
    )
    return f"vec({inner})" + ("" if isinstance(factor, VecColumn) else "^T")


def factor_side_size(expr: Identity) -> str:
    return str(expr.size)


def _coefficient_strings(coefficient: Expr, latex: bool) -> tuple[str, str]:
    """(sign, coefficient shown before the factors, '' for 1)."""
    negative = isinstance(coefficient, Product) and build.is_number(coefficient.factors[0])
    if build.is_number(coefficient):
        negative = coefficient.value < 0  # type: ignore[attr-defined]
    magnitude = build.negate(coefficient) if negative else coefficient
    sign = "-" if negative else "+"
    if build.is_number(magnitude, 1):
        return sign, ""
    shown = _group_latex(magnitude) if latex else _group_text(magnitude)
    if isinstance(magnitude, Product) and not any(not f.is_scalar for f in magnitude.factors):
        shown = to_latex(magnitude) if latex else to_text(magnitude)
    return sign, shown


def _render(linear: LinearMap, latex: bool) -> str:
    if not linear.terms:
        return "0"
    pieces: list[str] = []
    for index, term in enumerate(linear.terms):
        sign, coefficient = _coefficient_strings(term.coefficient, latex)
        render = factor_latex if latex else factor_text
        factors = [render(f) for f in term.factors]
        if not factors:
            size = str(size_of(linear.source))
            factors = [
                rf"I_{{{size.replace('*', '')}}}"
                if latex
                else f"I_{size}"
                if "*" not in size
                else f"I_({size})"
            ]
        if not latex and len(term.factors) > 1:
            factors = [f"({f})" if " ⊗ " in f else f for f in factors]
        if not latex and len(term.factors) == 1 and coefficient and " ⊗ " in factors[0]:
            factors = [f"({factors[0]})"]
        body = " ".join(([coefficient] if coefficient else []) + factors)
        lone_kron = len(term.factors) == 1 and isinstance(term.factors[0], Kron)
        if latex and lone_kron and not coefficient and len(linear.terms) == 1:
            body = body.removeprefix(r"\left(").removesuffix(r"\right)")
        if index == 0:
            pieces.append(("-" if sign == "-" else "") + body)
        else:
            pieces.append(f" {sign} {body}")
    return "".join(pieces)


def kronecker_latex(linear: LinearMap) -> str:
    return _render(linear, latex=True)


def kronecker_text(linear: LinearMap) -> str:
    return _render(linear, latex=False)
