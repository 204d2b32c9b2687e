"""PostgreSQL for tests: ``MC_TEST_DATABASE_URL``, one fresh schema per test.

Locally, a test needing PostgreSQL skips when the variable is unset or nobody answers; in
CI (``CI=true``, where ``.ci/run`` sets the variable) it fails instead, so a broken database
can never pass as a green run.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

ENV = "MC_TEST_DATABASE_URL"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(reason)


def postgres_url() -> str:
    """The server from ``MC_TEST_DATABASE_URL``, checked to answer (else skip, or fail in CI)."""
    url = os.environ.get(ENV, "")
    if not url:
        _unavailable(f"{ENV} is not set")
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except OperationalError as error:
        _unavailable(f"PostgreSQL at {ENV} does not answer: {error.orig}")
    finally:
        engine.dispose()
    return url


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A URL whose connections use a new, empty schema, dropped afterwards, so runs (and
    tests running at the same time) never see each other's tables."""
    schema = f"mc_test_{secrets.token_hex(6)}"
    admin = create_engine(url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
