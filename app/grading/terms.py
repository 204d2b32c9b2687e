"""An expression as a list of terms, for the "a term is missing" diagnosis.

Products are distributed over sums and transposes pushed inside, without simplifying:
``(A + A^T) x`` has the terms ``A x`` and ``A^T x``.

>>> from app.mathcore.parse import parse
>>> from app.mathcore.printing import to_text
>>> [to_text(t) for t in expand_terms(parse("(A + A^T) x").expr)]
['A x', 'A^T x']
"""

from __future__ import annotations

from itertools import product

from app.mathcore import build
from app.mathcore.errors import MathError
from app.mathcore.tree import Expr, Product, Sum, Transpose

MAX_TERMS = 16


def expand_terms(expr: Expr) -> list[Expr]:
    """The terms of ``expr`` after distributing products over sums (at most MAX_TERMS)."""
    try:
        terms = _terms(expr)
    except (MathError, _TooMany):
        return [expr]
    return terms


class _TooMany(Exception):
    pass


def _terms(expr: Expr) -> list[Expr]:
    if isinstance(expr, Sum):
        out = [t for term in expr.terms for t in _terms(term)]
    elif isinstance(expr, Product):
        choices = [_terms(factor) for factor in expr.factors]
        count = 1
        for choice in choices:
            count *= len(choice)
        if count > MAX_TERMS:
            raise _TooMany
        out = [build.multiply(*combination) for combination in product(*choices)]
    elif isinstance(expr, Transpose):
        out = [build.transpose(t) for t in _terms(expr.arg)]
    else:
        out = [expr]
    if len(out) > MAX_TERMS:
        raise _TooMany
    return out
