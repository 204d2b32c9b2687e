"""Values of several expressions at the same random instances, and comparing them.

Instances use distinct dimension sizes (so a transpose cannot hide behind ``n = m``),
non-symmetric matrices unless a property is declared, and declared properties otherwise.
Where the reference expression is undefined (``log`` of a negative number, a singular
matrix), values are drawn again from the positive / positive-definite domain.

>>> from app.mathcore.parse import parse
>>> e = parse("A x + A^T x", {"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"]}})
>>> a = parse("(A + A^T) x", e.variables)
>>> table = evaluate_together([e.expr, a.expr], e.variables)
>>> all_close(table.column(0), table.column(1))
True
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from app.mathcore.evaluate import Array, EvaluationError, Evaluator
from app.mathcore.sampling import assign_sizes, draw
from app.mathcore.tree import Expr
from app.mathcore.variables import Variable

INSTANCES = 3
MAX_DRAWS = 8
RTOL = 1e-6
ATOL = 1e-10
SEED = 20260101
SYMMETRIC_PROPERTIES = frozenset({"symmetric", "spd", "diagonal"})

Value = Array | None
"""An expression's value at one instance; ``None`` where it has no finite value."""


@dataclass
class ValueTable:
    """``rows[i][j]``: the value of expression ``j`` at instance ``i``. Only instances where
    expression 0 (the reference) is finite are kept."""

    rows: list[list[Value]] = field(default_factory=list)
    instances: list[dict[str, Array]] = field(default_factory=list)

    def column(self, index: int) -> list[Value]:
        return [row[index] for row in self.rows]

    @property
    def empty(self) -> bool:
        return not self.rows


def _finite(value: Array) -> bool:
    return bool(np.all(np.isfinite(value)))


def value_of(evaluator: Evaluator, expr: Expr) -> Value:
    try:
        value = evaluator(expr)
    except (EvaluationError, ValueError, np.linalg.LinAlgError, OverflowError, ZeroDivisionError):
        return None
    if not _finite(value):
        return None
    return value


def draw_differential(
    variable: Variable, shape: tuple[int, int], rng: np.random.Generator
) -> Array:
    """A random direction ``dX``: symmetric when ``X`` is, otherwise unconstrained."""
    direction = draw(shape[0], shape[1], frozenset(), rng)
    if variable.properties & SYMMETRIC_PROPERTIES:
        direction = (direction + direction.T) / 2
    if "diagonal" in variable.properties:
        direction = np.diag(np.diag(direction))
    return direction


def evaluate_together(
    exprs: Sequence[Expr],
    variables: Mapping[str, Variable],
    *,
    differentials: Collection[str] = (),
    extra_properties: Mapping[str, frozenset[str]] | None = None,
    fixed: Mapping[str, Array] | None = None,
    count: int = INSTANCES,
    seed: int = SEED,
) -> ValueTable:
    """Evaluate ``exprs`` at up to ``count`` instances where ``exprs[0]`` is finite.

    ``differentials`` names the variables whose ``dX`` gets a random value (others' are
    zero); ``extra_properties`` adds properties (``{"A": {"symmetric"}}`` asks "what if A
    were symmetric"); ``fixed`` gives values that are not drawn (randomised parameters).
    """
    rng = np.random.default_rng(seed + zlib.crc32(repr(sorted(variables)).encode()))
    sizes = assign_sizes(variables.values())
    for name, value in (fixed or {}).items():
        variable = variables.get(name)
        if variable is not None:
            for dim, actual in zip(variable.shape, value.shape, strict=True):
                if isinstance(dim, str):
                    sizes[dim] = actual
    table = ValueTable()
    for attempt in range(MAX_DRAWS):
        if len(table.rows) >= count:
            break
        values = _draw_values(variables, sizes, rng, attempt >= 2, extra_properties, fixed)
        for name in variables:
            shape = values[name].shape
            values["d" + name] = (
                draw_differential(variables[name], (shape[0], shape[1]), rng)
                if name in differentials
                else np.zeros(shape)
            )
        evaluator = Evaluator(values, sizes)
        reference = value_of(evaluator, exprs[0])
        if reference is None:
            continue
        table.rows.append([reference, *(value_of(evaluator, e) for e in exprs[1:])])
        table.instances.append(values)
        if fixed and len(fixed) >= len(variables):
            break  # nothing is random: one instance says everything
    return table


def _draw_values(
    variables: Mapping[str, Variable],
    sizes: Mapping[str, int],
    rng: np.random.Generator,
    positive: bool,
    extra_properties: Mapping[str, frozenset[str]] | None,
    fixed: Mapping[str, Array] | None,
) -> dict[str, Array]:
    values: dict[str, Array] = {}
    for name, variable in variables.items():
        if fixed and name in fixed:
            values[name] = fixed[name]
            continue
        rows, cols = (d if isinstance(d, int) else sizes[str(d)] for d in variable.shape)
        properties = variable.properties | (extra_properties or {}).get(name, frozenset())
        values[name] = draw(rows, cols, properties, rng, positive)
    return values


def close(a: Value, b: Value) -> bool:
    """Equal within a relative tolerance; different shapes are never equal."""
    if a is None or b is None or a.shape != b.shape:
        return False
    scale = max(float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)))
    return float(np.abs(a - b).max(initial=0.0)) <= RTOL * scale + ATOL


def all_close(left: Sequence[Value], right: Sequence[Value]) -> bool:
    return bool(left) and all(close(a, b) for a, b in zip(left, right, strict=True))


def transposed(values: Sequence[Value]) -> list[Value]:
    return [None if v is None else v.T for v in values]


def common_factor(answer: Sequence[Value], expected: Sequence[Value]) -> float | None:
    """The number ``c`` with ``answer = c · expected`` at every instance, if there is one."""
    if not answer or any(v is None for v in answer) or any(v is None for v in expected):
        return None
    if any(v.shape != w.shape for v, w in zip(answer, expected, strict=True)):  # type: ignore[union-attr]
        return None
    a = np.concatenate([np.ravel(v) for v in answer if v is not None])
    e = np.concatenate([np.ravel(v) for v in expected if v is not None])
    if a.shape != e.shape:
        return None
    norm = float(e @ e)
    if norm == 0.0:
        return None
    factor = float(a @ e) / norm
    if not close(a.reshape(-1, 1), (factor * e).reshape(-1, 1)):
        return None
    return factor
