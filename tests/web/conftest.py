"""Web-test fixtures: ``database_url``, a fresh database on each backend for a module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.store.postgres import fresh_schema, postgres_url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh database for the module: a SQLite file, then a schema on
    ``MC_TEST_DATABASE_URL`` (skipped without one, failed in CI)."""
    if request.param == "postgresql":
        with fresh_schema(postgres_url()) as url:
            yield url
        return
    yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
