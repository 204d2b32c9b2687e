"""The derivative endpoint against an independent table of identities.

Each case in ``derivative_cases.CASES`` is posted to ``/api/derivative`` with ``at`` set to seeded
random inputs; the returned ``value`` must match fourth-order finite differences of the case's own
NumPy reference (and its textbook closed form, where the table has one), in the shape the
interface documents for the kind and layout. ``client`` is the shared fixture in tests/conftest.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.mathcore.derivative_cases import CASES, DerivativeCase

# Finite differences of the references are good to ~1e-9 relative (checked below against the
# closed forms at 1e-7), so 1e-5 leaves room for the engine's own rounding and nothing more.
FD_RTOL, FD_ATOL = 1e-5, 1e-6
# Closed forms are exact: only floating-point rounding separates them from a correct engine.
EXACT_RTOL, EXACT_ATOL = 1e-8, 1e-9

Response = dict[str, Any]


@pytest.fixture(scope="module")
def answers() -> dict[str, tuple[int, Response]]:
    """Responses by case id, so the second test does not post every case again."""
    return {}


def answer(
    client: TestClient, answers: dict[str, tuple[int, Response]], case: DerivativeCase
) -> tuple[dict[str, np.ndarray], int, Response]:
    inputs = case.sample()
    if case.id not in answers:
        response = client.post("/api/derivative", json=case.request(inputs))
        answers[case.id] = (response.status_code, response.json())
    status, body = answers[case.id]
    return inputs, status, body


def scale(expected: np.ndarray) -> float:
    return max(1.0, float(np.max(np.abs(expected), initial=0.0)))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_derivative_value_matches_finite_differences(
    client: TestClient, answers: dict[str, tuple[int, Response]], case: DerivativeCase
) -> None:
    inputs, status, body = answer(client, answers, case)
    assert status == 200, f"{case.expression!r} by {case.wrt}: HTTP {status} {body}"

    # The value first: when it is wrong, that is the message worth reading.
    shape = case.expected_shape(inputs)
    message = f"shape: expected {list(shape)}, got {body['shape']} for {body['derivative']!r}"
    if case.declare == "sizes":
        assert tuple(body["shape"]) == shape, message
    else:  # named or undeclared sizes: the shape is symbolic, the value below has the sizes
        assert len(body["shape"]) == len(shape), message
        assert all(isinstance(d, str) for d in body["shape"]), message
    value = np.asarray(body["value"], dtype=float)
    assert value.shape == shape, f"value is shaped {value.shape}, expected {shape}: {body['value']}"
    numeric = case.numeric(inputs)
    np.testing.assert_allclose(
        value,
        numeric,
        rtol=FD_RTOL,
        atol=FD_ATOL * scale(numeric),
        err_msg=f"{case.id}: engine gave {body['derivative']!r}; expected = finite differences",
    )
    known = case.closed_form(inputs)
    if known is not None:
        np.testing.assert_allclose(
            value,
            known,
            rtol=EXACT_RTOL,
            atol=EXACT_ATOL * scale(known),
            err_msg=f"{case.id}: engine gave {body['derivative']!r}; expected = closed form",
        )

    assert body["verified"] is True, f"{case.expression!r}: engine did not verify {body}"
    assert body["status"] == "verified", f"{case.expression!r}: status {body['status']!r}"
    for key in ("derivative", "latex"):
        assert isinstance(body[key], str) and body[key].strip(), f"empty {key!r}: {body}"
    steps = body["steps"]
    assert isinstance(steps, list) and steps, f"no steps: {body}"
    for step in steps:
        assert isinstance(step["rule"], str) and step["rule"], f"step without a rule: {step}"
        assert isinstance(step["latex"], str), f"step without latex: {step}"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_numpy_code_compiles(
    client: TestClient, answers: dict[str, tuple[int, Response]], case: DerivativeCase
) -> None:
    _, status, body = answer(client, answers, case)
    assert status == 200, f"{case.expression!r} by {case.wrt}: HTTP {status} {body}"
    code = body["numpy"]
    assert isinstance(code, str) and code.strip(), f"empty numpy code: {body}"
    compile(code, f"<numpy for {case.id}>", "exec")  # compiled only: never run generated code here


# Results a learner should be able to read: the table above checks their values, this pins their
# text (each simplification is an identity, so the value test above still holds).
READABLE = [
    ("d/dz -y^T log(softmax(z)) = softmax(z) - y (y simplex)", "softmax(z) - y"),
    ("d/dz -y^T log(softmax(z)) = sum(y) softmax(z) - y", "sum(y) softmax(z) - y"),
    (
        "H_z -y^T log(softmax(z)) = diag(s) - s s^T (y simplex)",
        "diag(softmax(z)) - softmax(z) softmax(z)^T",
    ),
    (
        "d/dx -y^T (W x - logsumexp(W x)) = W^T (softmax(W x) - y) (y simplex)",
        "W^T (softmax(W x) - y)",
    ),
    ("d/dx -y^T (W x - logsumexp(W x)) = W^T (sum(y) s - y)", "W^T (sum(y) softmax(W x) - y)"),
    ("d/dX tr(X^4) = 4 (X^3)^T", "4 (X^3)^T"),
    ("d/dX logdet(X^T X) = 2 X (X^T X)^{-1}", "2 X (X^T X)^-1"),
    ("d/dX log(det(X^T X)) = 2 X (X^T X)^-1 (sizes undeclared)", "2 X (X^T X)^-1"),
    ("d/dX logdet(X^T S X) = 2 S X (X^T S X)^-1 (named sizes, S spd)", "2 S X (X^T S X)^-1"),
    ("d/dx -(x - mu)^T (x - mu) / (2 sigma^2) = -(x - mu) / sigma^2", "-(x - mu) / sigma^2"),
    ("d/dx x^T diag(a) (b ./ a) = b", "b"),
    ("d/dx (b ./ a)^T diag(a) x = b", "b"),
]
CASES_BY_ID = {case.id: case for case in CASES}


@pytest.mark.parametrize(("case_id", "text"), READABLE, ids=[r[0] for r in READABLE])
def test_results_read_as_a_textbook_writes_them(
    client: TestClient, answers: dict[str, tuple[int, Response]], case_id: str, text: str
) -> None:
    case = CASES_BY_ID[case_id]
    _, status, body = answer(client, answers, case)
    assert status == 200, body
    assert body["derivative"] == text
    assumed = any("Assuming sum(y) = 1" in note for note in body["notes"])
    assert assumed == ("simplex" in case_id), body["notes"]


# --- the table's own health: a wrong reference must not pass for a wrong engine ------------------


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_reference_finite_differences_agree_with_closed_form(case: DerivativeCase) -> None:
    inputs = case.sample()
    assert np.all(np.isfinite(case.value(inputs))), "sampler drew an input outside the domain"
    numeric = case.numeric(inputs)
    assert numeric.shape == case.expected_shape(inputs)
    known = case.closed_form(inputs)
    assert known is not None, "every case in the table carries its textbook closed form"
    np.testing.assert_allclose(numeric, known, rtol=1e-7, atol=1e-8 * scale(known))


def test_reference_finite_differences_catch_a_missing_transpose() -> None:
    case = next(c for c in CASES if c.expression == "tr(X^2)")
    inputs = case.sample()
    numeric = case.numeric(inputs)
    np.testing.assert_allclose(numeric, 2 * inputs["X"].T, rtol=1e-7)
    assert not np.allclose(numeric, 2 * inputs["X"], rtol=1e-3)  # the classic slip: 2 X


def test_case_table_is_broad_and_well_formed() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) >= 70
    assert len(set(ids)) == len(ids), "case ids must be unique"
    kinds = {case.effective_kind(case.sample()) for case in CASES}
    assert kinds == {"gradient", "jacobian", "hessian"}
    assert {case.layout for case in CASES} >= {"numerator", "denominator"}
    for case in CASES:
        assert case.wrt in case.variables, case.id
