"""Every identity on the reference page (content/reference.yaml), checked numerically.

For each identity the engine differentiates ``expression`` by ``wrt``; at several random inputs
(a) the engine's derivative equals the page's ``result``, and (b) ``result`` equals central
finite differences of ``expression`` itself: entry by entry for a gradient or Jacobian, second
differences for a Hessian, and along a random direction ``dX`` for a differential. So a wrong
formula on the page fails (b) even where the engine would agree with it.

Inputs have distinct sizes per named dimension (3, 4, 2, …), matrices are not symmetric unless
declared, and a square matrix under ``inv`` or ``det`` is well conditioned with a positive
determinant (so ``log(det(X))`` is defined and ``X^{-T}`` differs from ``X^{-1}``).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from app.content.reference import REFERENCE_FILE, Identity, read_reference_file
from app.mathcore.derivative import differentiate
from app.mathcore.differentials import differential_steps
from app.mathcore.evaluate import Array, evaluate
from app.mathcore.parse import parse
from app.mathcore.printing import to_text
from app.mathcore.sampling import assign_sizes, draw
from app.mathcore.simplify import simplify
from app.mathcore.tree import Expr
from app.mathcore.variables import Variable

CONTENT = Path(__file__).resolve().parents[2] / "content"
IDENTITIES = read_reference_file(CONTENT / REFERENCE_FILE).identities
POINTS = 5
STEP = 1e-6
"""Central differences for first derivatives: truncation ~h², rounding ~1e-16/h, both < 1e-9."""
HESSIAN_STEP = 1e-3
"""Second differences: rounding ~1e-16/h² would swamp a smaller step; truncation ~h² ≈ 1e-6."""
RTOL = 1e-5


def _sample(
    identity: Identity, variables: dict[str, Variable], rng: np.random.Generator
) -> tuple[dict[str, Array], dict[str, int]]:
    sizes = assign_sizes(variables.values())
    inverted = "inv(" in identity.expression or "det(" in identity.expression
    values: dict[str, Array] = {}
    for name, variable in variables.items():
        rows, cols = (d if isinstance(d, int) else sizes[str(d)] for d in variable.shape)
        if "simplex" in variable.properties:
            weights = rng.uniform(0.2, 1.0, (rows, cols))
            values[name] = weights / weights.sum()
        elif inverted and rows == cols > 1 and not variable.properties:
            while True:  # well conditioned, not symmetric, determinant positive
                matrix = 3.0 * np.eye(rows) + 0.5 * rng.standard_normal((rows, rows))
                if np.linalg.det(matrix) > 0.5:
                    break
            values[name] = matrix
        else:
            values[name] = draw(rows, cols, variable.properties, rng)
    return values, sizes


def _close(actual: Array, expected: Array, rtol: float, what: str) -> None:
    scale = max(1.0, float(np.max(np.abs(expected))))
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale, err_msg=what)


def _along(values: dict[str, Array], name: str, step: Array) -> dict[str, Array]:
    return {**values, name: values[name] + step}


def _finite_differences(
    identity: Identity, f: Callable[[dict[str, Array]], Array], values: dict[str, Array]
) -> Array:
    """The derivative of ``f`` by ``identity.wrt`` at ``values``, by central differences."""
    x = values[identity.wrt]
    units = []
    for index in np.ndindex(x.shape):
        unit = np.zeros_like(x)
        unit[index] = 1.0
        units.append(unit)
    if identity.kind == "hessian":
        h = HESSIAN_STEP
        hessian = np.empty((len(units), len(units)))
        for i, ei in enumerate(units):
            for j, ej in enumerate(units):
                corners = [
                    sign * f(_along(values, identity.wrt, h * (si * ei + sj * ej)))[0, 0]
                    for si, sj, sign in ((1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1))
                ]
                hessian[i, j] = sum(corners) / (4 * h * h)
        return hessian
    columns = [
        (
            f(_along(values, identity.wrt, STEP * unit))
            - f(_along(values, identity.wrt, -STEP * unit))
        )
        / (2 * STEP)
        for unit in units
    ]
    if f(values).shape == (1, 1) and identity.kind != "jacobian":
        return np.array([c[0, 0] for c in columns]).reshape(x.shape)  # a gradient: shape of x
    return np.hstack([c.reshape(-1, 1) for c in columns])  # a Jacobian: a column per input


def _directional(
    identity: Identity,
    f: Callable[[dict[str, Array]], Array],
    values: dict[str, Array],
    direction: Array,
) -> Array:
    """The change of ``f`` along ``direction`` by central differences: the differential."""
    return (
        f(_along(values, identity.wrt, STEP * direction))
        - f(_along(values, identity.wrt, -STEP * direction))
    ) / (2 * STEP)


def _checked_at(
    identity: Identity,
    f: Callable[[dict[str, Array]], Array],
    values: dict[str, Array],
    rng: np.random.Generator,
) -> tuple[dict[str, Array], Array]:
    """The values to evaluate derivatives at (with ``dX`` for a differential) and the
    finite-difference derivative there."""
    if identity.kind != "differential":
        return values, _finite_differences(identity, f, values)
    direction = rng.standard_normal(values[identity.wrt].shape)
    return {**values, "d" + identity.wrt: direction}, _directional(identity, f, values, direction)


@pytest.mark.parametrize("identity", IDENTITIES, ids=[identity.id for identity in IDENTITIES])
def test_the_engine_and_finite_differences_agree_with_the_identity(identity: Identity) -> None:
    parsed = parse(identity.expression, identity.declarations())
    variables = dict(parsed.variables)
    result = parse(identity.result, variables).expr
    engine: Expr
    if identity.kind == "differential":
        engine = simplify(differential_steps(parsed.expr, {identity.wrt})[-1][0], set())
    else:
        derivative = differentiate(parsed, identity.wrt, identity.kind, "numerator")
        assert derivative.status != "failed-check", to_text(derivative.expr)
        engine = derivative.expr
    rng = np.random.default_rng(zlib.crc32(identity.id.encode()))
    for point in range(POINTS):
        values, sizes = _sample(identity, variables, rng)

        def f(at: dict[str, Array], sizes: dict[str, int] = sizes) -> Array:
            return evaluate(parsed.expr, at, sizes)

        at, numeric = _checked_at(identity, f, values, rng)
        expected = evaluate(result, at, sizes)
        where = f"{identity.id}, point {point}"
        _close(evaluate(engine, at, sizes), expected, 1e-9, f"{where}: engine {to_text(engine)}")
        _close(expected, numeric, RTOL, f"{where}: {identity.result} against finite differences")


@pytest.mark.parametrize("identity", IDENTITIES, ids=[identity.id for identity in IDENTITIES])
def test_the_finite_differences_reject_a_result_one_percent_off(identity: Identity) -> None:
    """The comparison above is tight enough to fail for a slightly wrong formula."""
    parsed = parse(identity.expression, identity.declarations())
    result = parse(identity.result, parsed.variables).expr
    rng = np.random.default_rng(1)
    values, sizes = _sample(identity, dict(parsed.variables), rng)
    at, numeric = _checked_at(identity, lambda v: evaluate(parsed.expr, v, sizes), values, rng)
    with pytest.raises(AssertionError):
        _close(1.01 * evaluate(result, at, sizes), numeric, RTOL, identity.id)
