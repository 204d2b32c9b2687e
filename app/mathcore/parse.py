"""Reading learner input: text (and optional declarations) to a typed tree.

>>> parsed = parse("x^T A x")
>>> parsed.expr.shape, {n: v.declared_form() for n, v in parsed.variables.items()}
((1, 1), {'x': ['n'], 'A': ['n', 'n']})
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.mathcore.elaborate import Elaborator, finish
from app.mathcore.errors import LimitError, MathError
from app.mathcore.notation import Reading
from app.mathcore.syntax import parse_source
from app.mathcore.tree import Expr, tree_depth
from app.mathcore.variables import Variable, parse_declarations

MAX_TREE_DEPTH = 100
"""Deep enough for any formula a person writes; shallow enough for every recursive pass."""


@dataclass(frozen=True)
class Parsed:
    """A typed expression with the variables it uses (declared or inferred)."""

    expr: Expr
    variables: dict[str, Variable]
    text: str
    readings: list[Reading] = field(default_factory=list)
    """Run-together letters read as products (``Xw`` as ``X w``), for the preview to show."""


def parse(
    text: str,
    variables: Mapping[str, Any] | dict[str, Variable] | None = None,
) -> Parsed:
    """Parse ``text`` with optional declarations ``{"x": {"shape": ["n"]}, …}``.

    Raises a :class:`~app.mathcore.errors.MathError` (syntax, shape, unsupported or limit)
    carrying the offset of the problem. Nothing in ``text`` is ever evaluated.
    """
    declared = _declarations(variables)
    syntax, source = parse_source(text)
    elaborator = Elaborator(declared, syntax, source.text)
    try:
        expr = elaborator.expr(syntax)
    except MathError as error:
        if error.position is not None:
            error.position = source.original(error.position)
        raise
    if tree_depth(expr) > MAX_TREE_DEPTH:
        # a flat run such as a ./ b ./ c ./ … builds one level per operator
        raise LimitError(f"the expression is nested more than {MAX_TREE_DEPTH} levels deep", 0)
    expr, found = finish(expr, declared)
    readings = [
        Reading(text[source.original(start) : source.original(end)], source.original(start), shown)
        for start, end, shown in elaborator.readings
    ]
    return Parsed(expr, found, text, readings)


def _declarations(variables: Mapping[str, Any] | dict[str, Variable] | None) -> dict[str, Variable]:
    if not variables:
        return {}
    if all(isinstance(v, Variable) for v in variables.values()):
        return dict(variables)
    return parse_declarations(variables)
