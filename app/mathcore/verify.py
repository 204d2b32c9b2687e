"""Checking a derivative numerically before it is shown.

At random values with distinct dimension sizes, the derivative applied to random
directions ``V`` must match central differences ``(f(X + hV) - f(X - hV)) / 2h``.

A check only counts at values where everything in ``f`` and in the result is well
defined: every matrix that is inverted (or whose log-determinant is taken) must be
well conditioned, and every value finite. Where the first draws are not (``log`` of a
negative number, ``X^T X`` singular because ``X`` is wide), values are drawn again from
the positive / positive-definite domain, then with the sizes assigned in other orders
(``X`` tall instead of wide), then with all sizes equal, before anything is concluded.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from app.mathcore.evaluate import Array, EvaluationError, Evaluator
from app.mathcore.sampling import Instance, assign_sizes, draw, sample_instance
from app.mathcore.tree import Call, Expr, Inverse
from app.mathcore.variables import Variable

DIRECTIONS = 3
ATTEMPTS = 6
RTOL = 1e-4
CONFIRMATIONS = 2
"""Well-defined instances that must all agree before a result is called verified."""
MAX_SIZINGS = 6
CONDITION_LIMIT = 1e8
"""Past this condition number an inverse has lost half its digits: no evidence either way."""


@dataclass(frozen=True)
class Check:
    passed: bool
    max_error: float
    message: str
    conclusive: bool = True
    """False when no well-defined values were found: neither verified nor refuted."""

    @property
    def failed(self) -> bool:
        """The result disagrees with finite differences where everything is defined."""
        return self.conclusive and not self.passed


def _finite(value: Array) -> bool:
    return bool(np.all(np.isfinite(value)))


def draw_simplex(rows: int, cols: int, rng: np.random.Generator) -> Array:
    """Positive entries summing to 1: a probability vector (the ``simplex`` property).

    >>> p = draw_simplex(4, 1, np.random.default_rng(0))
    >>> bool(np.all(p > 0)), round(float(p.sum()), 12)
    (True, 1.0)
    """
    weights = rng.uniform(0.2, 1.0, size=(rows, cols))
    simplex: Array = weights / weights.sum()
    return simplex


def size_candidates(variables: Mapping[str, Variable]) -> list[dict[str, int]]:
    """Assignments of sizes to the named dimensions, the default (distinct sizes) first.

    ``tr(inv(X^T X))`` needs ``X`` tall, ``tr(inv(X X^T))`` needs it wide: the other
    orders of the same sizes give each its chance; all sizes equal comes last.
    """
    base = assign_sizes(variables.values())
    names, sizes = list(base), list(base.values())
    orders = [sizes, sorted(sizes, reverse=True), sorted(sizes), sizes[::-1]]
    orders += [list(p) for p in itertools.islice(itertools.permutations(sizes), 24)]
    candidates: list[dict[str, int]] = []
    for order in orders:
        candidate = dict(zip(names, order, strict=True))
        if candidate not in candidates:
            candidates.append(candidate)
    candidates = candidates[: MAX_SIZINGS - 1]
    if names:
        square = dict.fromkeys(names, max(sizes))
        if square not in candidates:
            candidates.append(square)
    return candidates


def _well_conditioned(exprs: tuple[Expr, ...], evaluator: Evaluator) -> bool:
    """Every inverted matrix and log-determinant argument is far from singular."""
    for expr in exprs:
        for node in expr.walk():
            inverted = isinstance(node, Inverse) or (
                isinstance(node, Call) and node.function in {"logdet", "det"}
            )
            if not inverted or node.children()[0].is_scalar:
                continue
            arg = node.children()[0]
            try:
                matrix = evaluator(arg)
            except EvaluationError:
                return False
            if not _finite(matrix) or np.linalg.cond(matrix) > CONDITION_LIMIT:
                return False
    return True


def _instance(
    variables: Mapping[str, Variable],
    rng: np.random.Generator,
    sizes: dict[str, int],
    positive: bool,
) -> Instance:
    instance = sample_instance(variables, rng, sizes, positive=positive)
    for name, variable in variables.items():
        if "simplex" in variable.properties:
            rows, cols = instance.values[name].shape
            instance.values[name] = draw_simplex(rows, cols, rng)
    return instance


def check_derivative(
    f: Expr,
    result: Expr,
    kind: str,
    layout: str,
    wrt: Variable,
    variables: dict[str, Variable],
    seed: int = 20261121,
) -> Check:
    """Compare ``result`` with central differences of ``f`` (of its gradient, for a Hessian).

    Passed means: at :data:`CONFIRMATIONS` well-defined instances (or every one found),
    every direction matched. One well-defined instance that differs is a failure.
    """
    rng = np.random.default_rng(seed)

    def compare(instance: Instance) -> float | None:
        return _compare(f, result, kind, layout, wrt, instance, rng)

    return _search(compare, variables, rng)


def _search(
    compare: Callable[[Instance], float | None],
    variables: Mapping[str, Variable],
    rng: np.random.Generator,
) -> Check:
    """Draw instances until :data:`CONFIRMATIONS` well-defined ones agree, or one differs."""
    worst = 0.0
    confirmed = 0
    for sizes in size_candidates(variables):
        for attempt in range(ATTEMPTS):
            instance = _instance(variables, rng, sizes, positive=attempt >= 2)
            error = compare(instance)
            if error is None:
                continue
            if error == float("inf"):
                return Check(False, error, "the derivative has the wrong shape")
            worst = max(worst, error)
            if error > RTOL:
                return Check(False, worst, f"differs from central differences by {worst:.1e}")
            confirmed += 1
            if confirmed >= CONFIRMATIONS:
                return _passed(worst)
    if confirmed:
        return _passed(worst)
    return Check(False, worst, "could not find values where the function is defined", False)


def _passed(worst: float) -> Check:
    return Check(True, worst, f"matches central differences (relative error {worst:.1e})")


def _compare(
    f: Expr,
    result: Expr,
    kind: str,
    layout: str,
    wrt: Variable,
    instance: Instance,
    rng: np.random.Generator,
) -> float | None:
    """The worst relative error over random directions, or None where not well defined."""
    sizes = instance.sizes
    evaluator = Evaluator(instance.values, sizes)
    try:
        base = evaluator(f)
        derivative = evaluator(result)
    except EvaluationError:
        return None
    if not (_finite(base) and _finite(derivative)):
        return None
    if not _well_conditioned((f, result), evaluator):
        return None
    worst = 0.0
    x = instance.values[wrt.name]
    for _ in range(DIRECTIONS):
        direction = draw(x.shape[0], x.shape[1], wrt.properties - {"positive", "spd"}, rng)
        if "spd" in wrt.properties:
            direction = (direction + direction.T) / 2
        h = 1e-6 * max(1.0, float(np.abs(x).max()))
        plus = dict(instance.values)
        minus = dict(instance.values)
        plus[wrt.name] = x + h * direction
        minus[wrt.name] = x - h * direction
        try:
            f_plus = Evaluator(plus, sizes)(f)
            f_minus = Evaluator(minus, sizes)(f)
        except EvaluationError:
            return None
        numeric = (f_plus - f_minus) / (2 * h)
        predicted = _directional(derivative, direction, kind, layout)
        if not (_finite(numeric) and _finite(predicted)):
            return None
        if predicted.shape != numeric.shape:
            return float("inf")
        scale = max(1.0, float(np.abs(numeric).max()), float(np.abs(predicted).max()))
        worst = max(worst, float(np.abs(predicted - numeric).max()) / scale)
    return worst


def _directional(derivative: Array, direction: Array, kind: str, layout: str) -> Array:
    """The change of f predicted by the derivative along ``direction``."""
    if kind == "gradient":
        return np.array([[float(np.sum(derivative * direction))]])
    matrix = derivative if layout == "numerator" else derivative.T
    if matrix.shape[1] != direction.shape[0]:
        return np.full((matrix.shape[0], 1), np.nan)
    out: Array = matrix @ direction
    return out


def vec(value: Array) -> Array:
    """The columns of ``value`` stacked into one column (column-major, as in ``vec``)."""
    column: Array = value.reshape(-1, 1, order="F")
    return column


def check_vec_jacobian(
    f: Expr,
    differential: Expr,
    forms: Callable[[Evaluator], list[Array]],
    exprs: tuple[Expr, ...],
    wrt: Variable,
    variables: dict[str, Variable],
    seed: int = 20261121,
) -> Check:
    """Compare ``vec(dF)`` and every matrix of ``forms`` (each claiming to be
    ``∂vec(F)/∂vec(X)`` in numerator layout) with central differences of ``f``.

    The differential is evaluated at ``dX = V`` and each form applied to ``vec(V)``, so a
    displayed Kronecker or index form that disagrees with the differential it came from
    fails the check as surely as a wrong differential does.
    """
    rng = np.random.default_rng(seed)

    def compare(instance: Instance) -> float | None:
        evaluator = Evaluator(instance.values, instance.sizes)
        try:
            base = evaluator(f)
            matrices = forms(evaluator)
        except EvaluationError:
            return None
        if not (_finite(base) and all(_finite(m) for m in matrices)):
            return None
        if not _well_conditioned((f, *exprs), evaluator):
            return None
        x = instance.values[wrt.name]
        worst = 0.0
        for _ in range(DIRECTIONS):
            direction = draw(x.shape[0], x.shape[1], wrt.properties - {"positive", "spd"}, rng)
            h = 1e-6 * max(1.0, float(np.abs(x).max()))
            plus, minus = dict(instance.values), dict(instance.values)
            plus[wrt.name] = x + h * direction
            minus[wrt.name] = x - h * direction
            try:
                numeric = vec(
                    (Evaluator(plus, instance.sizes)(f) - Evaluator(minus, instance.sizes)(f))
                    / (2 * h)
                )
                along = dict(instance.values)
                along["d" + wrt.name] = direction
                predicted = [vec(Evaluator(along, instance.sizes)(differential))]
            except EvaluationError:
                return None
            predicted += [m @ vec(direction) for m in matrices]
            if not (_finite(numeric) and all(_finite(p) for p in predicted)):
                return None
            if any(p.shape != numeric.shape for p in predicted):
                return float("inf")
            for p in predicted:
                scale = max(1.0, float(np.abs(numeric).max()), float(np.abs(p).max()))
                worst = max(worst, float(np.abs(p - numeric).max()) / scale)
        return worst

    return _search(compare, variables, rng)
