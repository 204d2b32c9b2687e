"""The index form of a matrix derivative: ``∂F_ij/∂X_kl`` entry by entry.

Each matrix of the Kronecker form relates index pairs: with ``vec`` stacking columns,
entry ``(i + p j, k + m l)`` of ``P ⊗ Q`` is ``P_jl Q_ik``; ``K_{r,c}`` is
``δ_il δ_jk``; ``diag(vec W)`` is ``W_ij δ_ik δ_jl``. A chain of them sums over the index
pairs in between, and every Kronecker delta on a summed index is used up, so
``Bᵀ ⊗ A`` reads ``∂F_ij/∂X_kl = A_ik B_lj``. A dimension of size 1 has no index
(``∂F_i/∂A_kl = δ_ik x_l``).

The same terms give ``numpy.einsum`` code and a NumPy value, so the index form is
checked against the Kronecker form it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from app.mathcore import build
from app.mathcore.errors import UnsupportedError
from app.mathcore.evaluate import Array, Evaluator
from app.mathcore.printing import latex_name, to_latex, to_text
from app.mathcore.shapes import is_one
from app.mathcore.tensor import (
    Commutation,
    DiagVec,
    Factor,
    Kron,
    LinearMap,
    VecColumn,
    VecRow,
)
from app.mathcore.tree import (
    Dim,
    Expr,
    Identity,
    Inverse,
    Number,
    Ones,
    Product,
    Shape,
    Symbol,
    Transpose,
)

DUMMY_LETTERS = "abcdefghmnopqrstuvwxyz"


@dataclass(frozen=True)
class Index:
    letter: str
    size: Dim


Slot = Index | None
"""An index, or None for a dimension of size 1."""


@dataclass(frozen=True)
class Entry:
    """``M_ab``: an entry of the matrix ``M``."""

    matrix: Expr
    rows: Slot
    cols: Slot


@dataclass(frozen=True)
class Delta:
    a: Index
    b: Index


@dataclass
class IndexTerm:
    coefficient: Expr
    entries: list[Entry] = field(default_factory=list)
    deltas: list[Delta] = field(default_factory=list)
    summed: list[Index] = field(default_factory=list)


@dataclass
class IndexForm:
    """``∂F_ij/∂X_kl = Σ terms``, for ``F`` shaped ``target`` and ``X`` shaped ``source``."""

    terms: list[IndexTerm]
    free: tuple[Slot, Slot, Slot, Slot]
    target: Shape
    source: Shape


def _slot(letter: str, size: Dim) -> Slot:
    return None if is_one(size) else Index(letter, size)


class _Letters:
    def __init__(self) -> None:
        self.used = 0

    def pair(self, shape: Shape) -> tuple[Slot, Slot]:
        out: list[Slot] = []
        for size in shape:
            if is_one(size):
                out.append(None)
                continue
            if self.used >= len(DUMMY_LETTERS):
                raise UnsupportedError("this derivative needs too many summed indices", None)
            out.append(Index(DUMMY_LETTERS[self.used], size))
            self.used += 1
        return out[0], out[1]


def _relations(
    factor: Factor, out: tuple[Slot, Slot], inp: tuple[Slot, Slot]
) -> tuple[list[Entry], list[tuple[Slot, Slot]]]:
    (a, b), (c, d) = out, inp
    if isinstance(factor, Kron):
        return [Entry(factor.right, a, c), Entry(factor.left, b, d)], []
    if isinstance(factor, Commutation):
        return [], [(a, d), (b, c)]
    if isinstance(factor, DiagVec):
        return [Entry(factor.weight, a, b)], [(a, c), (b, d)]
    if isinstance(factor, VecColumn):
        return [Entry(factor.matrix, a, b)], []
    assert isinstance(factor, VecRow)
    return [Entry(factor.matrix, c, d)], []


def index_form(linear: LinearMap, names: str = "ijkl", split: bool = False) -> IndexForm:
    """The index form of ``J`` (any layout gives the same entries ``∂F_ij/∂X_kl``).

    ``names`` holds the letters of the free indices of F's rows, F's columns, X's rows and X's columns;
    with ``split``, an entry of a product is written as a sum over its inner indices,
    ``(xᵀ A)_j = Σ_a x_a A_aj``.
    """
    p, q = linear.target
    m, n = linear.source
    free = (
        _slot(names[0], p),
        _slot(names[1], q),
        _slot(names[2], m),
        _slot(names[3], n),
    )
    terms: list[IndexTerm] = []
    for term in linear.terms:
        letters = _Letters()
        # pairs[t] indexes the array factor t maps to; the last, the array dX
        pairs: list[tuple[Slot, Slot]] = [(free[0], free[1])]
        for factor in term.factors[1:]:
            pairs.append(letters.pair(factor.shapes[1]))
        pairs.append((free[2], free[3]))
        index_term = IndexTerm(term.coefficient)
        index_term.summed = [s for pair in pairs[1:-1] for s in pair if s is not None]
        raw_deltas: list[tuple[Slot, Slot]] = []
        if not term.factors:
            fitted = _fit((free[2], free[3]), linear.target)
            raw_deltas = [(free[0], fitted[0]), (free[1], fitted[1])]
        for t, factor in enumerate(term.factors):
            into, source = factor.shapes[1], factor.shapes[0]
            entries, deltas = _relations(factor, _fit(pairs[t], into), _fit(pairs[t + 1], source))
            index_term.entries += entries
            raw_deltas += deltas
        index_term.deltas = [Delta(x, y) for x, y in raw_deltas if x is not None and y is not None]
        if split:
            index_term = _split_products(index_term, names)
        terms.append(_tidy(index_term))
    return IndexForm(terms, free, linear.target, linear.source)


def _split_products(term: IndexTerm, names: str) -> IndexTerm:
    """Each entry of a product of arrays ``(P Q)_ab`` as ``Σ_c P_ac Q_cb``."""
    taken = set(names) | {s.letter for s in term.summed}
    spare = [c for c in DUMMY_LETTERS if c not in taken]
    coefficient = term.coefficient
    entries: list[Entry] = []
    summed = list(term.summed)
    pending = list(term.entries)
    while pending:
        entry = pending.pop(0)
        matrix = entry.matrix
        if isinstance(matrix, Transpose) and isinstance(matrix.arg, Product):
            pending.insert(0, Entry(matrix.arg, entry.cols, entry.rows))
            continue
        factors = matrix.factors if isinstance(matrix, Product) else ()
        arrays = [f for f in factors if not f.is_scalar]
        if len(arrays) < 2:
            entries.append(entry)
            continue
        coefficient = build.multiply(coefficient, *(f for f in factors if f.is_scalar))
        inner: list[Slot] = [entry.rows]
        for factor in arrays[:-1]:
            if is_one(factor.shape[1]):
                inner.append(None)
                continue
            if not spare:
                raise UnsupportedError("this derivative needs too many summed indices", None)
            index = Index(spare.pop(0), factor.shape[1])
            summed.append(index)
            inner.append(index)
        inner.append(entry.cols)
        pending = [Entry(f, inner[t], inner[t + 1]) for t, f in enumerate(arrays)] + pending
    return IndexTerm(coefficient, entries, list(term.deltas), summed)


def _fit(pair: tuple[Slot, Slot], shape: Shape) -> tuple[Slot, Slot]:
    """The slots of a vector laid along ``shape``: a column and a row have one ``vec``."""
    rows, cols = pair
    if is_one(shape[0]) and rows is not None:
        return (None, rows)
    if is_one(shape[1]) and cols is not None:
        return (cols, None)
    return pair


def _tidy(term: IndexTerm) -> IndexTerm:
    """Transposes read as swapped indices, identities as deltas, scalars and numbers moved
    to the coefficient, deltas on summed indices used up."""
    coefficient = term.coefficient
    entries: list[Entry] = []
    deltas = list(term.deltas)
    pending = list(term.entries)
    while pending:
        entry = pending.pop(0)
        matrix = entry.matrix
        if isinstance(matrix, Transpose):
            pending.insert(0, Entry(matrix.arg, entry.cols, entry.rows))
        elif isinstance(matrix, Identity):
            if entry.rows is not None and entry.cols is not None:
                deltas.append(Delta(entry.rows, entry.cols))
        elif isinstance(matrix, Ones):
            continue
        elif matrix.is_scalar:
            coefficient = build.multiply(coefficient, matrix)
        elif isinstance(matrix, Product) and isinstance(matrix.factors[0], Number):
            coefficient = build.multiply(coefficient, matrix.factors[0])
            pending.insert(0, Entry(build.multiply(*matrix.factors[1:]), entry.rows, entry.cols))
        else:
            entries.append(entry)
    summed = list(term.summed)
    kept: list[Delta] = []
    while deltas:
        delta = deltas.pop(0)
        if delta.a == delta.b:  # δ_kk = 1; Σ_a δ_aa is the size, counted below
            continue
        if delta.a in summed or delta.b in summed:
            gone, stays = (delta.a, delta.b) if delta.a in summed else (delta.b, delta.a)
            summed.remove(gone)
            entries = [_rename(e, gone, stays) for e in entries]
            deltas = [Delta(*(stays if s == gone else s for s in (d.a, d.b))) for d in deltas]
            kept = [Delta(*(stays if s == gone else s for s in (d.a, d.b))) for d in kept]
            continue
        kept.append(delta)
    # A summed index on nothing counts its range: Σ_a 1 = size (tr of a broadcast scalar).
    used = {slot for e in entries for slot in (e.rows, e.cols)} | {
        slot for d in kept for slot in (d.a, d.b)
    }
    for index in [i for i in summed if i not in used]:
        if isinstance(index.size, int):
            coefficient = build.multiply(coefficient, build.number(index.size))
            summed.remove(index)
    return IndexTerm(coefficient, entries, kept, summed)


def _rename(entry: Entry, gone: Index, stays: Index) -> Entry:
    return Entry(
        entry.matrix,
        stays if entry.rows == gone else entry.rows,
        stays if entry.cols == gone else entry.cols,
    )


# ------------------------------------------------------------------------------- printing


def _indices(slots: tuple[Slot, ...]) -> str:
    return "".join(s.letter for s in slots if s is not None)


def _entry_base(matrix: Expr, latex: bool) -> str:
    if isinstance(matrix, Symbol):
        return latex_name(matrix.name) if latex else matrix.name
    if isinstance(matrix, Inverse) and isinstance(matrix.arg, Symbol):
        name = latex_name(matrix.arg.name) if latex else matrix.arg.name
        return rf"\left({name}^{{-1}}\right)" if latex else f"({name}^-1)"
    return rf"\left({to_latex(matrix)}\right)" if latex else f"({to_text(matrix)})"


def _entry(entry: Entry, latex: bool) -> str:
    subscript = _indices((entry.rows, entry.cols))
    base = _entry_base(entry.matrix, latex)
    return f"{base}_{{{subscript}}}" if latex else f"{base}_{subscript}"


def _delta(delta: Delta, latex: bool) -> str:
    subscript = delta.a.letter + delta.b.letter
    return rf"\delta_{{{subscript}}}" if latex else f"δ_{subscript}"


def _coefficient(coefficient: Expr, latex: bool) -> tuple[bool, str]:
    negative = False
    if isinstance(coefficient, Number):
        negative = coefficient.value < 0
    elif isinstance(coefficient, Product) and isinstance(coefficient.factors[0], Number):
        negative = coefficient.factors[0].value < 0
    magnitude = build.negate(coefficient) if negative else coefficient
    if isinstance(magnitude, Number) and magnitude.value == Fraction(1):
        return negative, ""
    shown = to_latex(magnitude) if latex else to_text(magnitude)
    if " + " in shown or " - " in shown.lstrip("-"):
        shown = rf"\left({shown}\right)" if latex else f"({shown})"
    return negative, shown


def render(form: IndexForm, lhs: tuple[str, str], latex: bool, hessian: bool = False) -> str:
    """``lhs = Σ terms``; ``lhs`` names the function and the variable (``F``, ``X``).

    With ``hessian``, ``form`` is that of the gradient of ``f`` and the left side reads
    ``∂²f/∂X_ij ∂X_kl``.
    """
    fname, xname = lhs
    top, bottom = _indices(form.free[:2]), _indices(form.free[2:])
    if hessian and latex:
        left = rf"\frac{{\partial^2 {fname}}}{{\partial {xname}_{{{top}}}\,\partial {xname}_{{{bottom}}}}}"
    elif hessian:
        left = f"∂²{fname}/∂{xname}_{top}∂{xname}_{bottom}"
    elif latex:
        f_entry = f"{fname}_{{{top}}}" if top else fname
        left = rf"\frac{{\partial {f_entry}}}{{\partial {xname}_{{{bottom}}}}}"
    else:
        left = f"∂{fname}_{top}/∂{xname}_{bottom}" if top else f"∂{fname}/∂{xname}_{bottom}"
    pieces: list[str] = []
    for number, term in enumerate(form.terms):
        negative, coefficient = _coefficient(term.coefficient, latex)
        parts = [coefficient] if coefficient else []
        if term.summed:
            letters = ",".join(s.letter for s in term.summed)
            parts.insert(0, rf"\sum_{{{letters}}}" if latex else f"Σ_{letters}")
        parts += [_delta(d, latex) for d in term.deltas]
        parts += [_entry(e, latex) for e in term.entries]
        body = " ".join(parts) or "1"
        if number == 0:
            pieces.append(("-" if negative else "") + body)
        else:
            pieces.append((" - " if negative else " + ") + body)
    return f"{left} = " + ("".join(pieces) if pieces else "0")


def structure(form: IndexForm) -> dict[str, object]:
    """The index form as data, for a page to specialise at chosen indices: the free
    letters of (F rows, F cols, X rows, X cols), None for a dimension of size 1, their
    sizes (an integer or a name), and per
    term its sign, coefficient, summed letters, deltas and entries (LaTeX base, letters)."""
    terms = []
    for term in form.terms:
        negative, coefficient = _coefficient(term.coefficient, latex=True)
        terms.append(
            {
                "sign": -1 if negative else 1,
                "coefficient": coefficient,
                "summed": [s.letter for s in term.summed],
                "deltas": [[d.a.letter, d.b.letter] for d in term.deltas],
                "entries": [
                    {
                        "base": _entry_base(e.matrix, latex=True),
                        "rows": e.rows.letter if e.rows else None,
                        "cols": e.cols.letter if e.cols else None,
                    }
                    for e in term.entries
                ],
            }
        )
    return {
        "free": [s.letter if s else None for s in form.free],
        "sizes": [s.size if s else 1 for s in form.free],
        "terms": terms,
    }


# ------------------------------------------------------------------------------- values


def _operand(entry: Entry, value: Array) -> tuple[Array, str]:
    rows, cols = entry.rows, entry.cols
    if rows is None and cols is None:
        return value[0, 0], ""
    if rows is None:
        assert cols is not None
        return value[0, :], cols.letter
    if cols is None:
        return value[:, 0], rows.letter
    return value, rows.letter + cols.letter


def tensor_value(form: IndexForm, evaluator: Evaluator) -> Array:
    """``T[i, j, k, l] = ∂F_ij/∂X_kl`` at the evaluator's values, shaped (p, q, m, n)."""
    sizes = [evaluator.size(d) for d in (*form.target, *form.source)]
    total = np.zeros(sizes)
    with np.errstate(all="ignore"):
        for term in form.terms:
            operands: list[Array] = []
            subscripts: list[str] = []
            for entry in term.entries:
                array, letters = _operand(entry, evaluator(entry.matrix))
                operands.append(array)
                subscripts.append(letters)
            for delta in term.deltas:
                operands.append(np.eye(evaluator.size(delta.a.size)))
                subscripts.append(delta.a.letter + delta.b.letter)
            present = set("".join(subscripts))
            for slot in (*form.free, *term.summed):
                if slot is not None and slot.letter not in present:
                    operands.append(np.ones(evaluator.size(slot.size)))
                    subscripts.append(slot.letter)
            output = _indices(form.free)
            coefficient = float(evaluator(term.coefficient)[0, 0])
            if operands:
                value = np.einsum(",".join(subscripts) + "->" + output, *operands, optimize=True)
            else:
                value = np.ones(())
            total = total + coefficient * np.reshape(value, sizes)
    return total


def as_jacobian(tensor: Array) -> Array:
    """``∂vec(F)/∂vec(X)`` from ``T[i, j, k, l]``: rows i + p j, columns k + m l."""
    p, q, m, n = tensor.shape
    jacobian: Array = np.reshape(tensor, (p * q, m * n), order="F")
    return jacobian
