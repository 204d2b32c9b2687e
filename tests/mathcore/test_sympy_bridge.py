"""The SymPy bridge builds SymPy objects from our tree and agrees with our evaluator."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from app.mathcore.errors import UnsupportedError
from app.mathcore.evaluate import evaluate
from app.mathcore.parse import parse
from app.mathcore.sympy_bridge import to_sympy

SCALARS = {"x": {"shape": []}, "y": {"shape": []}}

CASES = [
    "x^2 sin(x)",
    "3 x^4 + 2 x e^x + sin(x^2)",
    "log(1 + exp(x y))",
    "sigmoid(x) (1 - sigmoid(y))",
    "sqrt(x^2 + y^2) / (1 + x^2)",
    "tanh(x) - softplus(y) + abs(x - y)",
    "x^(1/2) + pi + e",
]


@pytest.mark.parametrize("text", CASES)
def test_bridge_agrees_with_the_numpy_evaluator(text: str) -> None:
    expr = parse(text, SCALARS).expr
    sym = to_sympy(expr)
    values = {"x": 0.7, "y": -0.4}
    ours = float(evaluate(expr, {k: np.array([[v]]) for k, v in values.items()})[0, 0])
    theirs = float(sym.subs({sympy.Symbol(k, real=True): v for k, v in values.items()}).evalf())
    assert ours == pytest.approx(theirs, rel=1e-12)


def test_sympy_differentiates_the_seed_example_like_our_engine() -> None:
    from app.mathcore.derivative import differentiate

    parsed = parse("3 x^4 + 2 x e^x + sin(x^2)", {"x": {"shape": []}})
    x = sympy.Symbol("x", real=True)
    expected = sympy.diff(to_sympy(parsed.expr), x)
    ours = to_sympy(differentiate(parsed, "x").expr)
    assert sympy.simplify(ours - expected) == 0


def test_a_map_of_scalars_becomes_a_sympy_matrix() -> None:
    sym = to_sympy(parse("[x + sin(y), y + sin(x)]").expr)
    assert isinstance(sym, sympy.MatrixBase) and sym.shape == (2, 1)


def test_vectors_are_refused() -> None:
    with pytest.raises(UnsupportedError):
        to_sympy(parse("x^T x").expr)
