"""The NumPy code the calculator shows runs, checks shapes, and computes what the engine says.

The code is generated from our own tree, so running it here is safe; learner text is
never executed anywhere.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from app.mathcore.derivative import differentiate
from app.mathcore.evaluate import Evaluator
from app.mathcore.gallery import GALLERY
from app.mathcore.parse import parse
from app.mathcore.sampling import sample_instance

EXTRA = [
    ("norm(tanh(W x + b) - y)^2", "W", None),
    ("sum(relu(W x)) + softplus(a^T x)", "x", None),
    ("x^2 sin(x) + e^x", "x", {"x": {"shape": []}}),
    ("diag(x) A x", "x", None),
    # issue 8: broadcast scalars (s ones(n)), merged powers, cancelled diagonals, simplex sums
    ("-y^T (W x - logsumexp(W x))", "W", None),
    ("(x - sum(x)/3) / norm(x - sum(x)/3)", "x", None),
    ("tr(A (X - sum(X)))", "X", None),
    ("tr(X^4)", "X", None),
    ("x^T diag(a) (b ./ a)", "x", None),
    ("-y^T log(softmax(z))", "z", {"y": {"shape": ["n"], "properties": ["simplex"]}}),
    ("tr(inv(X^T X))", "X", None),
]
CASES = [(e.expression, e.wrt, e.variables or None, e.kind) for e in GALLERY] + [
    (text, wrt, variables, None) for text, wrt, variables in EXTRA
]


@pytest.mark.parametrize(("text", "wrt", "variables", "kind"), CASES, ids=[c[0] for c in CASES])
def test_generated_numpy_matches_the_engine(
    text: str, wrt: str, variables: dict[str, Any] | None, kind: str | None
) -> None:
    parsed = parse(text, variables)
    result = differentiate(parsed, wrt, kind)  # type: ignore[arg-type]
    namespace: dict[str, Any] = {}
    exec(compile(result.numpy, "<generated>", "exec"), namespace)  # noqa: S102 - our own code
    rng = np.random.default_rng(7)
    instance = sample_instance(parsed.variables, rng, positive=True)
    args = [
        float(value[0, 0]) if parsed.variables[name].shape == (1, 1) else value
        for name, value in instance.values.items()
    ]
    name = {"gradient": "grad_f", "jacobian": "jacobian_f", "hessian": "hessian_f"}[result.kind]
    expected = Evaluator(instance.values, instance.sizes)(result.expr)
    got = np.asarray(namespace[name](*args), dtype=float).reshape(expected.shape)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    f_value = namespace["f"](*args)
    f_expected = Evaluator(instance.values, instance.sizes)(parsed.expr)
    np.testing.assert_allclose(
        np.asarray(f_value, dtype=float).reshape(f_expected.shape), f_expected
    )


def test_generated_code_rejects_a_wrongly_shaped_argument() -> None:
    result = differentiate(parse("x^T A x"), "x")
    namespace: dict[str, Any] = {}
    exec(compile(result.numpy, "<generated>", "exec"), namespace)  # noqa: S102 - our own code
    with pytest.raises(AssertionError, match="A must be a matrix of shape"):
        namespace["grad_f"](np.ones((3, 1)), np.ones((3, 4)))
