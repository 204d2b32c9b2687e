"""Store fixtures: a fresh PostgreSQL schema (see tests/store/postgres.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.store.postgres import fresh_schema, postgres_url


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    """A URL on ``MC_TEST_DATABASE_URL`` whose tables live in a schema of their own."""
    with fresh_schema(postgres_url()) as url:
        yield url
