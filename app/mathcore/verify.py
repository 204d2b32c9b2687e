"""Checking a derivative numerically before it is shown.

At random values with distinct dimension sizes, the derivative applied to random
directions ``V`` must match central differences ``(f(X + hV) - f(X - hV)) / 2h``.
Where ``f`` is undefined at the first draws (``log`` of a negative number, a singular
matrix), values are drawn again from the positive / positive-definite domain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.mathcore.evaluate import Array, EvaluationError, Evaluator
from app.mathcore.sampling import assign_sizes, draw, sample_instance
from app.mathcore.tree import Expr
from app.mathcore.variables import Variable

DIRECTIONS = 3
ATTEMPTS = 6
RTOL = 1e-4


@dataclass(frozen=True)
class Check:
    passed: bool
    max_error: float
    message: str


def _finite(value: Array) -> bool:
    return bool(np.all(np.isfinite(value)))


def check_derivative(
    f: Expr,
    result: Expr,
    kind: str,
    layout: str,
    wrt: Variable,
    variables: dict[str, Variable],
    seed: int = 20261121,
) -> Check:
    """Compare ``result`` with central differences of ``f`` (of its gradient, for a Hessian)."""
    rng = np.random.default_rng(seed)
    sizes = assign_sizes(variables.values())
    worst = 0.0
    for attempt in range(ATTEMPTS):
        instance = sample_instance(variables, rng, sizes, positive=attempt >= 2)
        evaluator = Evaluator(instance.values, sizes)
        try:
            base = evaluator(f)
            derivative = evaluator(result)
        except EvaluationError:
            continue
        if not (_finite(base) and _finite(derivative)):
            continue
        ok = True
        for _ in range(DIRECTIONS):
            x = instance.values[wrt.name]
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
                ok = False
                break
            numeric = (f_plus - f_minus) / (2 * h)
            predicted = _directional(derivative, direction, kind, layout)
            if not (_finite(numeric) and _finite(predicted)):
                ok = False
                break
            if predicted.shape != numeric.shape:
                return Check(False, float("inf"), "the derivative has the wrong shape")
            scale = max(1.0, float(np.abs(numeric).max()), float(np.abs(predicted).max()))
            error = float(np.abs(predicted - numeric).max()) / scale
            worst = max(worst, error)
        if not ok:
            continue
        if worst <= RTOL:
            return Check(True, worst, f"matches central differences (relative error {worst:.1e})")
        return Check(False, worst, f"differs from central differences by {worst:.1e}")
    return Check(False, worst, "could not find values where the function is defined")


def _directional(derivative: Array, direction: Array, kind: str, layout: str) -> Array:
    """The change of f predicted by the derivative along ``direction``."""
    if kind == "gradient":
        return np.array([[float(np.sum(derivative * direction))]])
    matrix = derivative if layout == "numerator" else derivative.T
    if matrix.shape[1] != direction.shape[0]:
        return np.full((matrix.shape[0], 1), np.nan)
    out: Array = matrix @ direction
    return out
