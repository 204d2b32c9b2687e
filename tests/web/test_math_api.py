"""The maths API as the calculator and the live preview use it.

``POST /api/parse`` answers with the LaTeX, shape, variables and canonical text of an
expression, or a 422 whose body is ``{"error": {"kind", "message", "position"}}``;
``POST /api/derivative`` differentiates, checks and evaluates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient


def parse_api(
    client: TestClient, expression: str, variables: dict[str, Any] | None = None
) -> tuple[int, Any]:
    body: dict[str, Any] = {"expression": expression}
    if variables is not None:
        body["variables"] = variables
    response = client.post("/api/parse", json=body)
    return response.status_code, response.json()


# ------------------------------------------------------------------------ /api/parse


def test_parse_returns_latex_shape_variables_and_text(client: TestClient) -> None:
    status, body = parse_api(client, "x' A x")
    assert status == 200
    assert body == {
        "latex": "x^{\\top} A x",
        "shape": [],
        "variables": {"x": ["n"], "A": ["n", "n"]},
        "text": "x^T A x",
        "readings": [],
    }


@pytest.mark.parametrize(
    ("expression", "shape"),
    [("alpha", []), ("x", ["n"]), ("x^T", [1, "n"]), ("A", ["n", "m"]), ("[1, 2; 3, 4]", [2, 2])],
)
def test_parse_reports_the_shape_in_declared_form(
    client: TestClient, expression: str, shape: list[Any]
) -> None:
    status, body = parse_api(client, expression)
    assert (status, body["shape"]) == (200, shape)


def test_parse_honours_declarations(client: TestClient) -> None:
    status, body = parse_api(
        client, "W x + b", {"W": {"shape": [2, 3]}, "x": {"shape": [3]}, "b": {"shape": [2]}}
    )
    assert status == 200
    assert body["shape"] == [2]
    assert body["variables"] == {"W": [2, 3], "x": [3], "b": [2]}


def test_declared_scalar_makes_juxtaposition_a_product(client: TestClient) -> None:
    status, body = parse_api(client, "2 x e^x", {"x": {"shape": []}})
    assert (status, body["text"], body["shape"]) == (200, "2 x exp(x)", [])


def test_declared_symmetric_matrix_is_accepted(client: TestClient) -> None:
    status, body = parse_api(
        client,
        "x^T A x",
        {"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"], "properties": ["symmetric"]}},
    )
    assert (status, body["variables"]) == (200, {"x": ["n"], "A": ["n", "n"]})


def test_the_canonical_text_parses_back_to_itself(client: TestClient) -> None:
    _, first = parse_api(client, "\\frac{1}{2}\\|x\\|^2 + \\lambda \\operatorname{tr}(A^\\top A)")
    status, again = parse_api(client, first["text"])
    assert status == 200
    assert again["text"] == first["text"]
    assert again["latex"] == first["latex"]


@pytest.mark.parametrize(
    ("expression", "variables", "error"),
    [
        ("foo(x)", None, {"kind": "syntax", "position": 0}),
        ("(x", None, {"kind": "syntax", "position": 0}),
        (
            "x^T A",
            {"x": {"shape": ["n"]}, "A": {"shape": ["m", "n"]}},
            {"kind": "shape", "position": 4, "message": "cannot multiply x^T (1×n) by A (m×n)"},
        ),
        ("A^(1/2)", None, {"kind": "unsupported", "position": 1}),
        ("9^9^9^9", None, {"kind": "limit", "position": 3}),
        ("x" * 2001, None, {"kind": "limit", "position": 2000}),
    ],
    ids=["syntax", "brackets", "shape", "unsupported", "limit", "too long"],
)
def test_parse_errors_are_422_with_kind_message_and_position(
    client: TestClient, expression: str, variables: dict[str, Any] | None, error: dict[str, Any]
) -> None:
    status, body = parse_api(client, expression, variables)
    assert status == 422
    assert set(body) == {"error"}
    # A syntax error may also carry the one most likely fix (app/mathcore/suggest.py).
    assert {"kind", "message", "position"} <= set(body["error"])
    assert set(body["error"]) - {"kind", "message", "position"} <= {"suggestion"}
    assert body["error"]["message"]
    assert {key: body["error"][key] for key in error} == error


@pytest.mark.parametrize(
    ("variables", "kind"),
    [
        ({"x": {"shape": ["n"], "properties": ["symmetric"]}}, "syntax"),
        ({"x": {"shape": [0]}}, "limit"),
        ({"x": {"shape": [51]}}, "limit"),
        ({"x": {"shape": ["n", "m", "p"]}}, "syntax"),
        ({"x": {"shape": ["n"], "properties": ["bogus"]}}, "syntax"),
        ({"x": {"shape": ["not a name"]}}, "syntax"),
    ],
    ids=["symmetric vector", "size 0", "size 51", "three dims", "unknown property", "bad dim name"],
)
def test_bad_declarations_are_422(client: TestClient, variables: dict[str, Any], kind: str) -> None:
    status, body = parse_api(client, "x", variables)
    assert status == 422
    assert body["error"]["kind"] == kind
    assert body["error"]["message"]


def test_malformed_json_body_is_422_with_an_error(client: TestClient) -> None:
    response = client.post(
        "/api/parse", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["kind"] == "syntax"
    assert response.json()["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [{}, {"expression": 3}, {"expression": None}, {"expression": "x" * 10_001}, []],
    ids=["missing", "number", "null", "over 10000", "a list"],
)
def test_invalid_request_bodies_are_422_with_an_error(client: TestClient, body: Any) -> None:
    response = client.post("/api/parse", json=body)
    assert response.status_code == 422
    assert set(response.json()["error"]) == {"kind", "message", "position"}


# ------------------------------------------------------------------------ /api/derivative


def derivative_api(client: TestClient, **body: Any) -> tuple[int, Any]:
    response = client.post("/api/derivative", json=body)
    return response.status_code, response.json()


def test_gradient_of_the_quadratic_form(client: TestClient) -> None:
    x, A = [1.0, 2.0], [[1.0, 2.0], [3.0, 4.0]]
    status, body = derivative_api(client, expression="x^T A x", wrt="x", at={"x": x, "A": A})
    assert status == 200
    assert body["derivative"] == "(A + A^T) x"
    assert body["verified"] is True
    assert body["check"]["passed"] is True
    assert body["steps"] and all(step["latex"] for step in body["steps"])
    assert body["shape"] == ["n"]
    A_, x_ = np.array(A), np.array(x)
    np.testing.assert_allclose(body["value"], (A_ + A_.T) @ x_)


def test_jacobian_of_a_linear_map_in_both_layouts(client: TestClient) -> None:
    A = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    at = {"x": [1.0, -1.0, 0.5], "A": A}
    status, numerator = derivative_api(client, expression="A x", wrt="x", at=at)
    assert status == 200
    assert (numerator["kind"], numerator["layout"], numerator["derivative"]) == (
        "jacobian",
        "numerator",
        "A",
    )
    np.testing.assert_allclose(numerator["value"], A)
    status, denominator = derivative_api(
        client, expression="A x", wrt="x", layout="denominator", at=at
    )
    assert status == 200
    assert denominator["derivative"] == "A^T"
    np.testing.assert_allclose(denominator["value"], np.array(A).T)


def test_jacobian_of_a_broadcast_sum_wrt_the_scalar_is_a_column_of_ones(client: TestClient) -> None:
    """``alpha + x`` adds alpha to every entry, so its derivative by alpha is n×1 ones."""
    at = {"alpha": 2.0, "x": [1.0, 2.0, 3.0]}
    status, body = derivative_api(client, expression="alpha + x", wrt="alpha", at=at)
    assert status == 200
    assert body["value"] == [1.0, 1.0, 1.0]
    assert (body["shape"], body["verified"]) == (["n"], True)


# Inputs that answered HTTP 500 (a scalar broadcast inside a product, then an uncaught shape
# conflict), or a wrong Jacobian, or "not verified" for a correct result: typed as learners do,
# without declarations; (expression, wrt, kind).
ONCE_BROKEN = [
    ("W x - logsumexp(W x)", "x", None),
    ("-y^T (W x - logsumexp(W x))", "x", None),
    ("-y^T (W x - logsumexp(W x))", "W", None),
    ("A x + a^T x", "x", None),
    ("A (x - sum(x)/3)", "x", None),
    ("(x - sum(x)/3) / norm(x - sum(x)/3)", "x", None),
    ("sigmoid(W x - logsumexp(W x))", "x", None),
    ("norm(x - sum(x)/3)^2", "x", "hessian"),
    ("tr(inv(X^T X))", "X", None),
    ("log(det(X^T X))", "X", None),
]


@pytest.mark.parametrize(("expression", "wrt", "kind"), ONCE_BROKEN)
def test_broadcast_scalars_and_gram_matrices_are_differentiated_and_verified(
    client: TestClient, expression: str, wrt: str, kind: str | None
) -> None:
    body: dict[str, Any] = {"expression": expression, "wrt": wrt}
    if kind is not None:
        body["kind"] = kind
    status, answer = derivative_api(client, **body)
    assert status == 200, answer
    assert (answer["verified"], answer["status"]) == (True, "verified"), answer["check"]


def test_a_probability_vector_can_be_declared_and_its_sum_is_used(client: TestClient) -> None:
    variables = {"y": {"shape": ["n"], "properties": ["simplex"]}, "z": {"shape": ["n"]}}
    status, body = derivative_api(
        client, expression="-y^T log(softmax(z))", wrt="z", variables=variables
    )
    assert status == 200
    assert (body["derivative"], body["status"]) == ("softmax(z) - y", "verified")
    assert any("sum(y) = 1" in note for note in body["notes"])


def test_gradient_wrt_a_symmetric_matrix_has_a_note(client: TestClient) -> None:
    variables = {"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"], "properties": ["symmetric"]}}
    status, body = derivative_api(client, expression="x^T A x", wrt="A", variables=variables)
    assert status == 200
    assert body["derivative"] == "x x^T"
    assert any("symmetric" in note for note in body["notes"])


def test_gradient_wrt_an_unconstrained_matrix_has_no_symmetry_note(client: TestClient) -> None:
    status, body = derivative_api(client, expression="x^T A x", wrt="A")
    assert status == 200
    assert not any("symmetric" in note for note in body["notes"])


def test_unknown_wrt_is_422(client: TestClient) -> None:
    status, body = derivative_api(client, expression="x^T A x", wrt="z")
    assert status == 422
    assert "'z'" in body["error"]["message"]


def test_a_gradient_of_a_matrix_valued_expression_is_refused(client: TestClient) -> None:
    # A B by A is a Jacobian (B^T ⊗ I, see test_math_api_tensor.py), never a gradient.
    status, body = derivative_api(client, expression="A B", wrt="A", kind="gradient")
    assert status == 422
    assert body["error"]["message"]


def test_derivative_of_a_bad_expression_is_the_parse_error(client: TestClient) -> None:
    status, body = derivative_api(client, expression="foo(x)", wrt="x")
    assert (status, body["error"]["kind"], body["error"]["position"]) == (422, "syntax", 0)


def test_values_of_the_wrong_shape_are_422(client: TestClient) -> None:
    status, body = derivative_api(
        client, expression="x^T A x", wrt="x", at={"x": [1.0, 2.0], "A": [[1.0, 0.0, 0.0]]}
    )
    assert status == 422
    assert body["error"]["kind"] == "shape"


# ------------------------------------------------------------------------ OpenAPI


def test_openapi_documents_both_paths_and_their_422(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/api/parse", "/api/derivative"):
        post = schema["paths"][path]["post"]
        assert "requestBody" in post
        assert {"200", "422"} <= set(post["responses"])
    parse_response = schema["components"]["schemas"]["ParseResponse"]
    assert {"latex", "shape", "variables", "text"} <= set(parse_response["properties"])
