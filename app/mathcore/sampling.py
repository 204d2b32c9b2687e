"""Random instances of variables: distinct sizes, declared properties respected.

Distinct sizes matter: with ``n = m`` a transposed answer can slip through a check,
with ``n = 3, m = 4`` it cannot.

Two drawing policies: the derivative check uses entries of one scale (``N(0, 1)``, or
``[0.5, 2]`` on the positive domain), where central differences are accurate. The grader
asks ``spread=True``: every entry takes either sign and one of several scales (a mixture
of ``N(0, 1)``, ``N(0, 10²)`` and values near 0), so ``1`` cannot pass for ``step(x)``,
``2 x`` for ``2 abs(x)``, and an error in a small entry is not drowned by a large one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from app.mathcore.evaluate import Array
from app.mathcore.variables import Variable

SIZE_CHOICES = (3, 4, 2, 5, 6, 7, 8, 9)
SPREAD_WEIGHTS = (0.4, 0.4, 0.2)
"""Probabilities of an entry's scale with ``spread``: ``N(0, 1)``, ``N(0, 10²)``, near 0."""
NEAR_ZERO = (1e-3, 1e-1)
"""Magnitudes of the entries "near 0": log-uniform between these."""


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


def spread_entries(size: tuple[int, int], rng: np.random.Generator) -> Array:
    """Entries of either sign, each from ``N(0, 1)``, ``N(0, 10²)`` or near 0.

    >>> values = spread_entries((1000, 1), np.random.default_rng(0))
    >>> bool((values < -4).any() and (abs(values) < 0.1).any() and (abs(values) > 10).any())
    True
    """
    component = rng.choice(3, size=size, p=SPREAD_WEIGHTS)
    normal = rng.normal(size=size)
    low, high = np.log10(NEAR_ZERO[0]), np.log10(NEAR_ZERO[1])
    tiny = np.where(rng.random(size) < 0.5, -1.0, 1.0) * 10 ** rng.uniform(low, high, size)
    value: Array = np.where(component == 0, normal, np.where(component == 1, 10 * normal, tiny))
    return value


def draw(
    rows: int,
    cols: int,
    properties: frozenset[str],
    rng: np.random.Generator,
    positive: bool = False,
    spread: bool = False,
) -> Array:
    """A value of one variable. ``positive`` draws from the domain of ``log``, ``sqrt`` and
    ``logdet`` (positive entries, square matrices positive definite); ``spread`` mixes
    signs and scales (see the module docstring) instead of one scale."""
    square = rows == cols and rows > 1

    def entries(size: tuple[int, int], positive_only: bool) -> Array:
        if spread:
            mixed = spread_entries(size, rng)
            return np.abs(mixed) if positive_only else mixed
        if positive_only:
            return rng.uniform(0.5, 2.0, size=size)
        return rng.normal(size=size)

    if "spd" in properties or (positive and square and not properties & {"diagonal"}):
        base = entries((rows, rows), False)
        spd: Array = base @ base.T / rows + np.eye(rows)
        return spd
    if "diagonal" in properties:
        return np.diag(entries((rows, 1), positive or "positive" in properties)[:, 0])
    value = entries((rows, cols), "positive" in properties or positive)
    if "symmetric" in properties:
        value = (value + value.T) / 2
    return value
