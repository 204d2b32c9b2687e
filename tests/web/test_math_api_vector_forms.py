"""``POST /api/derivative`` for derivatives by a vector: the forms beside the old answer.

The table in tests/mathcore/test_tensor_vector_forms.py, posted with ``at`` set to its seeded
inputs: the answer and its value stay those of the vector path (checked against the table's
own NumPy references), and ``forms`` now carries the differential, matrix and index forms,
as text and non-empty LaTeX. The fields of four-index results stay unset.
"""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.mathcore.test_tensor_vector_forms import CASES, IDS, VectorCase, scale
from tests.web.test_math_api_tensor import post, request  # the same request, by a vector

FORMS = ("differential", "kronecker", "index")
RTOL = 1e-8


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_vector_derivative_answers_with_its_forms(
    client: TestClient, case: VectorCase, layout: str
) -> None:
    inputs = case.sample()
    status, body = post(client, request(case, layout, inputs))
    assert status == 200, body
    assert (body["verified"], body["status"], body["kind"]) == (True, "verified", case.kind)

    known = case.known(**inputs)
    if case.kind == "gradient":
        known = known[0]  # the gradient, shaped like x, in either layout
    elif case.kind == "jacobian" and layout == "denominator":
        known = known.T
    value = np.asarray(body["value"], dtype=float)
    assert value.shape == known.shape
    np.testing.assert_allclose(value, known, rtol=RTOL, atol=RTOL * scale(known))

    forms = body["forms"]
    assert forms is not None
    assert all(forms[name]["latex"] and forms[name]["text"] for name in FORMS)
    assert forms["index"]["text"] == case.index
    if layout == "numerator":
        assert forms["kronecker"]["text"].rsplit(" = ", 1)[1] == case.matrix
    assert forms["differential"]["text"].startswith(
        "d(∇f) = " if case.kind == "hessian" else "df = "
    )
    for field in ("index_structure", "vec_convention", "slices", "einsum", "selfcheck"):
        assert body[field] is None, field


def test_without_values_the_forms_come_back(client: TestClient) -> None:
    status, body = post(client, {"expression": "sigmoid(W x + b)", "wrt": "x"})
    assert status == 200, body
    assert body["value"] is None and body["status"] == "verified"
    forms = body["forms"]
    assert forms["differential"]["latex"].startswith(r"\mathrm{d}f = ")
    assert forms["kronecker"]["latex"].startswith(r"\frac{\partial f}{\partial x} = ")
    assert r"\operatorname{diag}" in forms["kronecker"]["latex"]
    assert forms["index"]["latex"].endswith("W_{ij}")


def test_the_gradient_names_its_layout(client: TestClient) -> None:
    texts = {}
    for layout in ("numerator", "denominator"):
        status, body = post(client, {"expression": "x^T A x", "wrt": "x", "layout": layout})
        assert status == 200, body
        assert body["derivative"] == "(A + A^T) x"  # the answer has the shape of x in both
        texts[layout] = body["forms"]["kronecker"]["text"]
    assert texts == {
        "numerator": "∂f/∂x = (∇f)^T = x^T (A^T + A)",
        "denominator": "∂f/∂x = ∇f = (A^T + A) x",
    }


def test_a_scalar_variable_has_no_forms(client: TestClient) -> None:
    status, body = post(
        client, {"expression": "sin(t)", "wrt": "t", "variables": {"t": {"shape": []}}}
    )
    assert status == 200, body
    assert body["forms"] is None
