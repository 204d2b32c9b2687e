"""A malformed request body is a typed 422 even when it carries NaN, never a 500."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_nan_in_a_rejected_field_is_a_422_not_a_500(client: TestClient) -> None:
    body = b'{"expression": NaN, "wrt": "x"}'
    response = client.post(
        "/api/derivative", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("expression:")
