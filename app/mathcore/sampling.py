"""Random instances of variables: distinct sizes, declared properties respected.

Distinct sizes matter: with ``n = m`` a transposed answer can slip through a check,
with ``n = 3, m = 4`` it cannot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from app.mathcore.evaluate import Array
from app.mathcore.variables import Variable

SIZE_CHOICES = (3, 4, 2, 5, 6, 7, 8, 9)


def assign_sizes(variables: Iterable[Variable], avoid: Iterable[int] = ()) -> dict[str, int]:
    """Give every named dimension its own size, avoiding sizes declared as integers."""
    declared_ints = {d for v in variables for d in v.shape if isinstance(d, int)} | set(avoid)
    names: list[str] = []
    for variable in variables:
        for dim in variable.shape:
            if isinstance(dim, str) and dim not in names:
                names.append(dim)
    free = [s for s in SIZE_CHOICES if s not in declared_ints] + [
        s for s in SIZE_CHOICES if s in declared_ints
    ]
    return {name: free[i % len(free)] for i, name in enumerate(names)}


@dataclass(frozen=True)
class Instance:
    values: dict[str, Array]
    sizes: dict[str, int]


def sample_instance(
    variables: Mapping[str, Variable],
    rng: np.random.Generator,
    sizes: Mapping[str, int] | None = None,
    positive: bool = False,
) -> Instance:
    """Draw values for ``variables``. With ``positive``, entries are positive and square
    matrices symmetric positive definite: the domain of ``log``, ``sqrt`` and ``logdet``."""
    sizes = dict(sizes) if sizes is not None else assign_sizes(variables.values())
    values: dict[str, Array] = {}
    for name, variable in variables.items():
        rows, cols = (d if isinstance(d, int) else sizes[str(d)] for d in variable.shape)
        values[name] = draw(rows, cols, variable.properties, rng, positive)
    return Instance(values, sizes)


def draw(
    rows: int,
    cols: int,
    properties: frozenset[str],
    rng: np.random.Generator,
    positive: bool = False,
) -> Array:
    square = rows == cols and rows > 1
    if "spd" in properties or (positive and square and not properties & {"diagonal"}):
        base = rng.normal(size=(rows, rows))
        spd: Array = base @ base.T / rows + np.eye(rows)
        return spd
    if "diagonal" in properties:
        diagonal = (
            rng.uniform(0.5, 2.0, size=rows)
            if positive or "positive" in properties
            else (rng.normal(size=rows))
        )
        return np.diag(diagonal)
    if "positive" in properties or positive:
        value = rng.uniform(0.5, 2.0, size=(rows, cols))
    else:
        value = rng.normal(size=(rows, cols))
    if "symmetric" in properties:
        value = (value + value.T) / 2
    return value
