"""Concrete values typed by a learner (``"at": {"x": [1, 2], "A": [[1, 0], [0, 1]]}``)
checked against the variables' shapes, and results turned back into JSON."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from app.mathcore.errors import LimitError, ShapeError
from app.mathcore.evaluate import Array
from app.mathcore.tree import format_shape
from app.mathcore.variables import Variable

MAX_ENTRIES = 10_000

JSONValue = float | list[float | None] | list[list[float | None]] | None


def _as_array(name: str, raw: Any) -> Array:
    try:
        array = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        raise ShapeError(
            f"the value of {name} must be a number, a list or a list of rows"
        ) from None
    if array.size > MAX_ENTRIES:
        raise LimitError(f"the value of {name} has more than {MAX_ENTRIES} entries")
    if not np.all(np.isfinite(array)):
        raise ShapeError(f"the value of {name} must be finite")
    if array.ndim == 0:
        return array.reshape(1, 1)
    if array.ndim == 1:
        return array.reshape(-1, 1)
    if array.ndim == 2:
        return array
    raise ShapeError(f"the value of {name} has {array.ndim} dimensions; use at most 2")


def bind_values(
    at: Mapping[str, Any], variables: Mapping[str, Variable]
) -> tuple[dict[str, Array], dict[str, int]]:
    """Arrays for every variable, and the sizes they fix, or a :class:`ShapeError`."""
    missing = [name for name in variables if name not in at]
    if missing:
        raise ShapeError(f"'at' needs a value for {', '.join(missing)}")
    values: dict[str, Array] = {}
    sizes: dict[str, int] = {}
    for name, variable in variables.items():
        array = _as_array(name, at[name])
        expected = variable.shape
        if len(array.shape) != 2 or (expected == (1, 1)) != (array.shape == (1, 1)):
            raise ShapeError(
                f"{name} is {format_shape(expected)} but its value has shape "
                f"{array.shape[0]}×{array.shape[1]}"
            )
        for dim, actual in zip(expected, array.shape, strict=True):
            if isinstance(dim, int):
                if dim != actual:
                    raise ShapeError(
                        f"{name} is {format_shape(expected)} but its value is "
                        f"{array.shape[0]}×{array.shape[1]}"
                    )
            else:
                known = sizes.setdefault(str(dim), actual)
                if known != actual:
                    raise ShapeError(
                        f"the size {dim} is {known} elsewhere but {actual} in the value of {name}"
                    )
        values[name] = array
    return values, sizes


def to_json(value: Array) -> JSONValue:
    """A number for a scalar, a flat list for a column vector, else a list of rows."""

    def clean(x: float) -> float | None:
        return float(x) if math.isfinite(x) else None

    if value.shape == (1, 1):
        return clean(float(value[0, 0]))
    if value.shape[1] == 1:
        return [clean(float(x)) for x in value[:, 0]]
    return [[clean(float(x)) for x in row] for row in value]
