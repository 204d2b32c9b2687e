"""Variable declarations and the naming convention for undeclared names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.mathcore.errors import LimitError, ParseError
from app.mathcore.printing import GREEK_SET
from app.mathcore.tree import Dim, Shape

PROPERTIES = frozenset({"symmetric", "spd", "diagonal", "positive", "simplex"})
"""``simplex``: a probability vector, positive entries summing to 1 (``sum(p) = 1`` is used)."""
NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
MAX_DECLARED_SIZE = 50
MAX_VARIABLES = 50


@dataclass(frozen=True)
class Variable:
    """A variable's shape (rows, cols) and declared properties."""

    name: str
    shape: Shape
    properties: frozenset[str] = field(default_factory=frozenset)

    def declared_form(self) -> list[Dim]:
        """The shape as declared in the API: ``[]``, ``["n"]`` or ``["m", "n"]``."""
        return shape_to_list(self.shape)


def shape_to_list(shape: Shape) -> list[Dim]:
    rows, cols = shape
    if rows == 1 and cols == 1:
        return []
    if cols == 1:
        return [rows]
    return [rows, cols]


def _dimension(value: Any, name: str) -> Dim:
    if isinstance(value, bool):
        raise ParseError(f"the size of {name} must be a name or a positive integer")
    if isinstance(value, int):
        if not 1 <= value <= MAX_DECLARED_SIZE:
            raise LimitError(f"declared sizes are limited to 1…{MAX_DECLARED_SIZE} ({name})")
        return value
    if isinstance(value, str):
        if value.isdigit():
            return _dimension(int(value), name)
        if NAME_PATTERN.fullmatch(value):
            return value
    raise ParseError(f"the size {value!r} of {name} must be a name or a positive integer")


def parse_declarations(raw: Mapping[str, Any] | None) -> dict[str, Variable]:
    """Read ``{"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"], "properties": [...]}}``."""
    declared: dict[str, Variable] = {}
    if not raw:
        return declared
    if len(raw) > MAX_VARIABLES:
        raise LimitError(f"at most {MAX_VARIABLES} variables can be declared")
    for name, spec in raw.items():
        if not NAME_PATTERN.fullmatch(name) or len(name) > 40:
            raise ParseError(f"{name!r} is not a variable name")
        shape_spec = spec.get("shape", []) if isinstance(spec, Mapping) else spec
        if not isinstance(shape_spec, (list, tuple)) or len(shape_spec) > 2:
            raise ParseError(f"the shape of {name} must be [], [n] or [m, n]")
        dims = [_dimension(value, name) for value in shape_spec]
        shape: Shape = (
            (1, 1) if not dims else (dims[0], 1) if len(dims) == 1 else (dims[0], dims[1])
        )
        properties = frozenset(spec.get("properties", []) if isinstance(spec, Mapping) else [])
        unknown = properties - PROPERTIES
        if unknown:
            raise ParseError(
                f"unknown property {sorted(unknown)[0]!r} of {name}; "
                f"use {', '.join(sorted(PROPERTIES))}"
            )
        if properties & {"symmetric", "spd", "diagonal"} and shape[0] != shape[1]:
            raise ParseError(f"{name} is declared {sorted(properties)[0]} but is not square")
        if "simplex" in properties and shape[1] != 1:
            raise ParseError(f"{name} is declared simplex (a probability vector) but is a matrix")
        declared[name] = Variable(name, shape, properties)
    return declared


def conventional_rank(name: str) -> int:
    """Rank of an undeclared name: uppercase is a matrix, lowercase Greek a scalar,
    any other lowercase name a column vector.

    >>> [conventional_rank(n) for n in ("A", "Sigma", "lambda", "x")]
    [2, 2, 0, 1]
    """
    if name[0].isupper():
        return 2
    if name.split("_")[0].rstrip("0123456789") in GREEK_SET:
        return 0
    return 1
