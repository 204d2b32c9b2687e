"""Migrations: they run on a fresh SQLite file and on PostgreSQL, and can be undone."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from app.store.db import make_engine, make_session_factory
from app.store.migrate import downgrade_to_base, upgrade_to_head
from app.store.models import Learner

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def check_upgrade_insert_downgrade(url: str) -> None:
    upgrade_to_head(url)
    assert {"learners", "alembic_version"} <= table_names(url)

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        learner = Learner()
        session.add(learner)
        session.commit()
        assert learner.id is not None and learner.created_at is not None
    engine.dispose()

    upgrade_to_head(url)  # running again is a no-op, as on every restart
    downgrade_to_base(url)
    assert "learners" not in table_names(url)


def test_migrations_on_a_fresh_sqlite_file_in_a_new_folder(tmp_path: Path) -> None:
    database = tmp_path / "data" / "app.db"
    check_upgrade_insert_downgrade(f"sqlite:///{database}")
    assert database.is_file()


def test_migrations_on_postgresql() -> None:
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except OperationalError:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    finally:
        engine.dispose()
    downgrade_to_base(POSTGRES_URL)  # start clean if an earlier run stopped half-way
    check_upgrade_insert_downgrade(POSTGRES_URL)


def test_app_start_up_creates_the_sqlite_file(client: object, tmp_path: Path) -> None:
    assert (tmp_path / "data" / "test.db").is_file()
    assert "learners" in table_names(f"sqlite:///{tmp_path / 'data' / 'test.db'}")
