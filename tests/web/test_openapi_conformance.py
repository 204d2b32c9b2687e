"""Schemathesis drives every operation in /openapi.json with generated requests.

Each operation gets a bounded number of examples (the same ones every run: the repeatable
Hypothesis profile in tests/conftest.py); every answer must be no 5xx, have a status code,
content type and body that the schema documents, and keep the app answering.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.main import create_app
from app.settings import Settings
from tests.conftest import REPO_ROOT, write_fixture_lessons

EXAMPLES_PER_OPERATION = 8

_folder = Path(tempfile.mkdtemp(prefix="mc-schemathesis-"))
APP = create_app(
    Settings(
        base_dir=REPO_ROOT,
        content_root=write_fixture_lessons(_folder / "content"),
        database_url=f"sqlite:///{_folder / 'test.db'}",
        data_root=_folder / "data",
        warm_start=False,
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def running_app() -> object:
    """Run the app's lifespan (migrations, the maths workers) around the whole module."""
    with TestClient(APP) as client:
        yield client


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_to_its_schema(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.path}: {response.text[:500]}"
    case.validate_response(
        response,
        checks=(status_code_conformance, content_type_conformance, response_schema_conformance),
    )


def test_the_app_still_answers_afterwards(running_app: TestClient) -> None:
    assert running_app.get("/healthz").status_code == 200
    assert running_app.post("/api/parse", json={"expression": "x + x"}).status_code == 200


def test_the_schema_documents_the_api_and_not_the_pages(running_app: TestClient) -> None:
    paths = running_app.get("/openapi.json").json()["paths"]
    assert "/api/derivative" in paths and "/healthz" in paths
    assert [path for path in paths if not path.startswith("/api/") and path != "/healthz"] == []
    derivative = paths["/api/derivative"]["post"]["responses"]
    assert {"200", "400", "413", "422", "429"} <= set(derivative)
    assert "Retry-After" in derivative["429"]["headers"]
    assert "404" in paths["/api/problems/{problem_id}"]["get"]["responses"]
    assert "429" not in paths["/api/problems"]["get"]["responses"]
