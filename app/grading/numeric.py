"""Values of several expressions at the same random instances, and comparing them.

Instances use distinct dimension sizes (so a transpose cannot hide behind ``n = m``),
non-symmetric matrices unless a property is declared, and declared properties otherwise.
Entries take both signs and several scales (``spread`` in :mod:`app.mathcore.sampling`).
Where the reference expression is undefined (``log`` of a negative number, an overflow,
a singular matrix), values are drawn again, moving to one scale and then to the positive
/ positive-definite domain; an instance is never counted where the reference has no value.
Where an expression has a kink (``abs``, ``relu``, ``step``, ``sign``), instances are
added on both sides of every kink met along a line through the first instance.

Values are compared entry by entry against the scale of that entry. An instance where the
floats differ is evaluated again in high precision (:mod:`app.grading.precise`) before it
counts as a difference, so digits lost to cancellation do not make a right answer wrong.

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

from app.grading.precise import differs_precisely
from app.mathcore.evaluate import Array, EvaluationError, Evaluator
from app.mathcore.sampling import assign_sizes, draw
from app.mathcore.tree import Apply, Expr
from app.mathcore.variables import Variable

INSTANCES = 4
"""Instances drawn first; every comparison that agrees on them is tried on more."""
MORE_INSTANCES = 8
MAX_DRAWS = 60
FAILURES_PER_MODE = 2
MODES = ((True, False), (False, False), (True, True), (False, True))
"""(spread, positive) in the order tried when the reference has no value: mixed scales,
one scale, the positive domain with mixed scales, the positive domain with one scale."""
RTOL = 1e-8
"""Float values of an entry are equal when they agree to this, relative to the entry."""
DIAGNOSIS_FLOOR = 1e-12
"""For diagnoses only: differences below this fraction of the array's largest entry are
rounding (a diagnosis names a likely mistake; the verdict never uses this floor)."""
SEED = 20260101
SYMMETRIC_PROPERTIES = frozenset({"symmetric", "spd", "diagonal"})
KINKS = frozenset({"abs", "relu", "step", "sign"})
LINE_STEPS = tuple(sorted({0.0, *(float(s * t) for s in (-1, 1) for t in np.logspace(-2, 3, 21))}))
"""Where a line ``X + t V`` through an instance is probed for kinks."""
MAX_KINK_INSTANCES = 8

Value = Array | None
"""An expression's value at one instance; ``None`` where it has no finite value."""


@dataclass
class ValueTable:
    """``rows[i][j]``: the value of expression ``j`` at instance ``i``. Only instances where
    expression 0 (the reference) is finite are kept."""

    rows: list[list[Value]] = field(default_factory=list)
    instances: list[dict[str, Array]] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)

    def column(self, index: int) -> list[Value]:
        return [row[index] for row in self.rows]

    @property
    def empty(self) -> bool:
        return not self.rows

    def extend(self, other: ValueTable) -> None:
        self.rows.extend(other.rows)
        self.instances.extend(other.instances)


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
    table = ValueTable(sizes=sizes)
    mode = failures = 0
    for _ in range(MAX_DRAWS):
        if len(table.rows) >= count:
            break
        spread, positive = MODES[mode]
        values = draw_values(variables, sizes, rng, spread, positive, extra_properties, fixed)
        for name in variables:
            shape = values[name].shape
            values["d" + name] = (
                draw_differential(variables[name], (shape[0], shape[1]), rng)
                if name in differentials
                else np.zeros(shape)
            )
        if not _add_row(table, exprs, values):
            failures += 1
            if failures >= FAILURES_PER_MODE and mode < len(MODES) - 1:
                mode, failures = mode + 1, 0
            continue
        if fixed and len(fixed) >= len(variables):
            break  # nothing is random: one instance says everything
    return table


def _add_row(table: ValueTable, exprs: Sequence[Expr], values: dict[str, Array]) -> bool:
    evaluator = Evaluator(values, table.sizes)
    reference = value_of(evaluator, exprs[0])
    if reference is None:
        return False
    table.rows.append([reference, *(value_of(evaluator, e) for e in exprs[1:])])
    table.instances.append(values)
    return True


def draw_values(
    variables: Mapping[str, Variable],
    sizes: Mapping[str, int],
    rng: np.random.Generator,
    spread: bool,
    positive: bool,
    extra_properties: Mapping[str, frozenset[str]] | None,
    fixed: Mapping[str, Array] | None,
) -> dict[str, Array]:
    """One value per variable at ``sizes``: ``fixed`` ones as given, the rest drawn."""
    values: dict[str, Array] = {}
    for name, variable in variables.items():
        if fixed and name in fixed:
            values[name] = fixed[name]
            continue
        rows, cols = (d if isinstance(d, int) else sizes[str(d)] for d in variable.shape)
        properties = variable.properties | (extra_properties or {}).get(name, frozenset())
        values[name] = draw(rows, cols, properties, rng, positive, spread=spread)
    return values


def kink_instances(
    exprs: Sequence[Expr],
    variables: Mapping[str, Variable],
    table: ValueTable,
    fixed: Mapping[str, Array] | None = None,
    seed: int = SEED,
) -> ValueTable:
    """Instances on both sides of the kinks of ``exprs`` along a line through the first
    instance: one per pattern of signs of the kinks' arguments (``x + 4`` in
    ``abs(x + 4)``), so that a kink far from the origin is seen too."""
    arguments = [
        node.arg
        for expr in exprs
        for node in expr.walk()
        if isinstance(node, Apply) and node.function in KINKS
    ]
    found = ValueTable(sizes=table.sizes)
    if not arguments or table.empty:
        return found
    rng = np.random.default_rng(seed + 1)
    base = table.instances[0]
    moving = [
        name
        for name, v in variables.items()
        if not (fixed and name in fixed) and not v.properties & {"spd", "positive"}
    ]
    directions = {
        name: draw_differential(variables[name], base[name].shape, rng) for name in moving
    }
    seen: set[tuple[float, ...]] = set()
    for step in LINE_STEPS:
        values = dict(base)
        for name in moving:
            values[name] = base[name] + step * directions[name]
        evaluator = Evaluator(values, table.sizes)
        signs: list[float] = []
        for argument in arguments:
            value = value_of(evaluator, argument)
            if value is None:
                break
            signs.extend(np.sign(value).ravel().tolist())
        else:
            pattern = tuple(signs)
            if pattern not in seen and _add_row(found, exprs, values):
                seen.add(pattern)
                if len(found.rows) >= MAX_KINK_INSTANCES:
                    break
    return found


def entries_close(a: Array, b: Array, rtol: float = RTOL) -> bool:
    """Every entry equal within ``rtol`` of its own size (no absolute floor: ``1e-60`` and
    ``-1e-60`` differ)."""
    if a.shape != b.shape:
        return False
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.abs(a - b) <= rtol * np.maximum(np.abs(a), np.abs(b))))


def close(a: Value, b: Value) -> bool:
    """For diagnoses: entry by entry within ``RTOL``, ignoring differences below
    ``DIAGNOSIS_FLOOR`` of the largest entry (rounding). Different shapes never match."""
    if a is None or b is None or a.shape != b.shape:
        return False
    scale = max(float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)))
    bound = RTOL * np.maximum(np.abs(a), np.abs(b)) + DIAGNOSIS_FLOOR * scale
    return bool(np.all(np.abs(a - b) <= bound))


def all_close(left: Sequence[Value], right: Sequence[Value]) -> bool:
    return bool(left) and all(close(a, b) for a, b in zip(left, right, strict=True))


def agree(
    table: ValueTable, expected: Expr, answer: Expr, column: int = 1, reference: int = 0
) -> bool:
    """Whether column ``column`` (the tree ``answer``) equals column ``reference`` (the tree
    ``expected``) at every instance of ``table``: entry by entry in floats, and where the
    floats differ, in high precision from the same inputs."""
    if table.empty:
        return False
    for row, values in zip(table.rows, table.instances, strict=True):
        want, got = row[reference], row[column]
        if want is not None and got is not None and entries_close(got, want):
            continue
        if want is not None and got is not None and want.shape != got.shape:
            return False
        if differs_precisely(expected, answer, values, table.sizes) is not False:
            return False
    return True


def transposed(values: Sequence[Value]) -> list[Value]:
    return [None if v is None else v.T for v in values]


def common_factor(answer: Sequence[Value], expected: Sequence[Value]) -> float | None:
    """The number ``c`` with ``answer = c · expected`` at every instance, if there is one.

    Each instance is weighed by its own scale, so one large instance cannot hide the others.
    """
    if not answer or len(answer) != len(expected):
        return None
    pairs: list[tuple[Array, Array]] = []
    for a, e in zip(answer, expected, strict=True):
        if a is None or e is None or a.shape != e.shape:
            return None
        norm = float(np.linalg.norm(e))
        if not np.isfinite(norm):
            continue
        if norm == 0.0:
            if np.any(a != 0.0):
                return None  # c · 0 is 0 for every c
            continue
        pairs.append((np.ravel(a) / norm, np.ravel(e) / norm))
    if not pairs:
        return None
    factor = sum(float(a @ e) for a, e in pairs) / len(pairs)
    if not all(close(a.reshape(-1, 1), (factor * e).reshape(-1, 1)) for a, e in pairs):
        return None
    return factor
