"""``POST /api/derivative`` for matrix-by-matrix derivatives and Hessians by a matrix.

The table in tests/mathcore/test_tensor_cases.py, posted with ``at`` set to its seeded
inputs: the value (the vec-Jacobian, or its transpose in denominator layout) must match
finite differences of the table's own NumPy references, the slices payload must be the
tensor ∂F_ij/∂X_kl entry by entry, and the new fields (forms, vec convention, einsum and
self-check code) must be there. Oversized and hostile requests get a clean 422.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.mathcore.test_tensor_cases import CASES, IDS, TensorCase, scale

FD_RTOL = 1e-5


def request(case: TensorCase | Any, layout: str, inputs: dict[str, np.ndarray]) -> dict[str, Any]:
    """The derivative request for a table row (test_math_api_vector_forms.py's rows too)."""
    return {
        "expression": case.expression,
        "wrt": case.wrt,
        "variables": case.declarations(),
        "kind": case.kind,
        "layout": layout,
        "at": {name: np.asarray(v, dtype=float).tolist() for name, v in inputs.items()},
    }


def post(client: TestClient, body: dict[str, Any]) -> tuple[int, Any]:
    response = client.post("/api/derivative", json=body)
    return response.status_code, response.json()


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_tensor_derivative_answers_with_value_forms_and_code(
    client: TestClient, case: TensorCase, layout: str
) -> None:
    inputs = case.sample()
    status, body = post(client, request(case, layout, inputs))
    assert status == 200, body
    assert (body["verified"], body["status"], body["kind"]) == (True, "verified", case.kind)

    numeric = case.jacobian(inputs)
    if layout == "denominator" and case.kind == "jacobian":
        numeric = numeric.T
    value = np.asarray(body["value"], dtype=float)
    assert value.shape == numeric.shape
    assert body["shape"] == list(numeric.shape)
    np.testing.assert_allclose(value, numeric, rtol=FD_RTOL, atol=FD_RTOL * scale(numeric))

    slices = body["slices"]
    tensor = np.asarray(slices["tensor"], dtype=float)
    expected = case.tensor(inputs)
    assert tensor.shape == expected.shape
    assert slices["function_shape"] + slices["variable_shape"] == list(expected.shape)
    np.testing.assert_allclose(tensor, expected, rtol=FD_RTOL, atol=FD_RTOL * scale(expected))

    forms = body["forms"]
    assert forms["index"]["text"] == case.index
    assert forms["differential"]["text"].startswith(
        "d(∇f) = " if case.kind == "hessian" else "dF = "
    )
    assert all(forms[name]["latex"] for name in ("differential", "kronecker", "index"))
    if layout == "numerator" or case.kind == "hessian":
        assert body["derivative"] == case.kronecker
    assert "column" in body["vec_convention"]
    for key in ("numpy", "einsum", "selfcheck"):
        compile(body[key], f"<{key} for {case.id}>", "exec")  # run in tests/mathcore
    assert "def self_check(" in body["selfcheck"]


def test_without_values_the_forms_come_back_and_no_slices(client: TestClient) -> None:
    status, body = post(client, {"expression": "A X B", "wrt": "X"})
    assert status == 200, body
    assert body["derivative"] == "B^T ⊗ A"
    assert body["forms"]["index"]["text"] == "∂F_ij/∂X_kl = A_ik B_lj"
    assert body["value"] is None and body["slices"] is None
    assert body["status"] == "verified"


def test_vector_functions_of_vectors_keep_their_answer_and_fields(client: TestClient) -> None:
    status, body = post(client, {"expression": "A x", "wrt": "x"})
    assert status == 200
    assert body["derivative"] == "A"
    # A derivative by a vector has its forms too, but no vec convention or einsum code.
    assert body["forms"]["kronecker"]["text"] == "∂f/∂x = A"
    assert body["einsum"] is None and body["vec_convention"] is None


@pytest.mark.parametrize(
    "body",
    [
        {
            "expression": "A X B",
            "wrt": "X",
            "variables": {
                "A": {"shape": [50, 50]},
                "X": {"shape": [50, 50]},
                "B": {"shape": [50, 50]},
            },
        },
        {
            "expression": "A X",
            "wrt": "X",
            "variables": {"A": {"shape": ["n", "n"]}, "X": {"shape": ["n", "n"]}},
            "at": {"A": [[1.0] * 30] * 30, "X": [[1.0] * 30] * 30},
        },
        {
            "expression": "tr(X^T A X)",
            "wrt": "X",
            "kind": "hessian",
            "variables": {"A": {"shape": [50, 50]}, "X": {"shape": [50, 50]}},
        },
    ],
    ids=["declared 50x50", "values 30x30", "hessian 50x50"],
)
def test_tensors_past_the_size_cap_are_a_clear_422(
    client: TestClient, body: dict[str, Any]
) -> None:
    status, answer = post(client, body)
    assert status == 422, answer
    assert answer["error"]["kind"] == "limit"
    assert "250,000" in answer["error"]["message"]


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (
            {"expression": "t A", "wrt": "t", "variables": {"t": {"shape": []}}},
            "unsupported",
        ),
        ({"expression": "A X", "wrt": "X", "kind": "gradient"}, "unsupported"),
        ({"expression": "A X", "wrt": "X", "kind": "hessian"}, "unsupported"),
        ({"expression": "diag(x)", "wrt": "x"}, "unsupported"),
        (
            {
                "expression": "A X B",
                "wrt": "X",
                "at": {"A": [[1.0]], "X": [[1.0, 2.0]], "B": [[1.0]]},
            },
            "shape",
        ),
    ],
    ids=["matrix by scalar", "gradient of a matrix", "hessian of a matrix", "diag", "bad values"],
)
def test_what_is_not_a_tensor_derivative_is_a_clean_422(
    client: TestClient, body: dict[str, Any], kind: str
) -> None:
    status, answer = post(client, body)
    assert status == 422, answer
    assert answer["error"]["kind"] == kind
    assert answer["error"]["message"]


def rendered(structure: dict[str, Any]) -> str:
    """The right side of the index form, rebuilt from ``index_structure`` as the page does."""
    pieces = []
    for number, term in enumerate(structure["terms"]):
        parts = []
        if term["summed"]:
            parts.append(r"\sum_{" + ",".join(term["summed"]) + "}")
        if term["coefficient"]:
            parts.append(term["coefficient"])
        parts += [r"\delta_{" + a + b + "}" for a, b in term["deltas"]]
        for entry in term["entries"]:
            letters = (entry["rows"] or "") + (entry["cols"] or "")
            parts.append(entry["base"] + "_{" + letters + "}")
        body = " ".join(parts) or "1"
        negative = term["sign"] < 0
        pieces.append(
            ("-" if negative else "") + body
            if number == 0
            else (" - " if negative else " + ") + body
        )
    return "".join(pieces) or "0"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_index_structure_is_the_index_form_shown(client: TestClient, case: TensorCase) -> None:
    body = request(case, "numerator", case.sample())
    del body["at"]
    status, answer = post(client, body)
    assert status == 200, answer
    structure = answer["index_structure"]
    assert answer["forms"]["index"]["latex"].split(" = ", 1)[1] == rendered(structure)
    shape = [
        size for letter, size in zip(structure["free"], structure["sizes"], strict=True) if letter
    ]
    inputs = case.sample()
    assert shape == list(case.tensor(inputs).shape)


def test_the_einsum_names_are_listed_with_what_they_stand_for(client: TestClient) -> None:
    status, body = post(client, {"expression": "sigmoid(W x)", "wrt": "W"})
    assert status == 200, body
    named = [(n["name"], n["text"]) for n in body["subexpressions"]]
    assert named == [("t_0", "W x"), ("t_1", "sigmoid(t_0)"), ("t_2", "t_1 .* (ones(n) - t_1)")]
    assigned = [
        line.split(" = ")[0].strip() for line in body["einsum"].splitlines() if " t_" in line[:8]
    ]
    assert assigned == ["t_0", "t_1", "t_2"]


def test_a_large_tensor_has_its_value_but_no_slices(client: TestClient) -> None:
    # 12×12 by 12×12: 20,736 entries, over the 20,000 sent whole for the slice explorer
    eye = np.eye(12).tolist()
    body = {"expression": "A X", "wrt": "X", "at": {"A": eye, "X": eye}}
    status, answer = post(client, body)
    assert status == 200, answer
    np.testing.assert_array_equal(np.asarray(answer["value"]), np.eye(144))  # I ⊗ A, A = I
    assert answer["slices"] is None
    assert any("slice explorer" in note for note in answer["notes"])
    body["at"] = {"A": np.eye(11).tolist(), "X": np.eye(11).tolist()}  # 14,641 entries
    status, answer = post(client, body)
    assert np.asarray(answer["slices"]["tensor"]).shape == (11, 11, 11, 11)


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_the_jacobian_of_a_scalar_by_a_matrix_is_a_row_of_the_gradient(
    client: TestClient, layout: str
) -> None:
    rng = np.random.default_rng(3)
    A, X = rng.standard_normal((3, 2)), rng.standard_normal((2, 3))
    body = {
        "expression": "tr(A X)",
        "wrt": "X",
        "kind": "jacobian",
        "layout": layout,
        "variables": {"A": {"shape": [3, 2]}, "X": {"shape": [2, 3]}},
        "at": {"A": A.tolist(), "X": X.tolist()},
    }
    status, answer = post(client, body)
    assert status == 200, answer
    row = np.reshape(A.T, (1, -1), order="F")  # vec(∇f)^T with ∇f = A^T
    expected = row if layout == "numerator" else row.T
    value = np.asarray(answer["value"], dtype=float).reshape(expected.shape)
    assert answer["shape"] == ([1, 6] if layout == "numerator" else [6])  # a column is [n]
    np.testing.assert_allclose(value, expected, rtol=1e-12)
    assert answer["forms"]["index"]["text"] == "∂F/∂X_kl = A_lk"
