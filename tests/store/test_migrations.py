"""Migrations: they run on a fresh SQLite file and on PostgreSQL, once however many processes
start together, and can be undone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from app.store.db import make_engine, make_session_factory
from app.store.migrate import alembic_config, downgrade_to_base, migration_lock, upgrade_to_head
from app.store.models import Learner
from tests.conftest import REPO_ROOT

BACKENDS = ["sqlite", "postgresql"]
HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file in a new folder, or a PostgreSQL schema."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_schema_url")
        return url
    return f"sqlite:///{tmp_path / 'data' / 'app.db'}"


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def version(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            return None if found is None else str(found)
    finally:
        engine.dispose()


def test_upgrade_insert_upgrade_again_and_downgrade(database_url: str) -> None:
    upgrade_to_head(database_url)
    assert {"learners", "attempts", "alembic_version"} <= table_names(database_url)
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        learner = Learner(token="a" * 32)
        session.add(learner)
        session.commit()
        assert learner.id is not None and learner.created_at is not None
    engine.dispose()

    upgrade_to_head(database_url)  # running again is a no-op, as on every restart
    downgrade_to_base(database_url)
    assert not {"learners", "attempts"} & table_names(database_url)


def test_a_token_names_one_learner_and_rows_without_one_may_coexist(database_url: str) -> None:
    upgrade_to_head(database_url)
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    try:
        with sessions() as session:
            session.add_all([Learner(token=None), Learner(token=None), Learner(token="t1")])
            session.commit()
        with sessions() as session:
            session.add(Learner(token="t1"))
            with pytest.raises(IntegrityError):
                session.commit()
    finally:
        engine.dispose()
    downgrade_to_base(database_url)


def test_undoing_0003_keeps_learners_and_their_attempts(database_url: str) -> None:
    upgrade_to_head(database_url)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO learners (id, token) VALUES (7, 'abc')"))
        connection.execute(
            text(
                "INSERT INTO attempts (learner_id, problem_id, answer, correct, feedback_kinds)"
                " VALUES (7, 'p', 'x', true, '[]')"
            )
        )
    command.upgrade(alembic_config(database_url), "0003_learner_tokens")
    command.downgrade(alembic_config(database_url), "0002_attempts")
    assert version(database_url) == "0002_attempts"
    with engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("learners")}
        assert "token" not in columns
        assert connection.execute(text("SELECT count(*) FROM attempts")).scalar() == 1
        assert connection.execute(text("SELECT id FROM learners")).scalars().all() == [7]
    engine.dispose()
    upgrade_to_head(database_url)
    assert version(database_url) == HEAD
    downgrade_to_base(database_url)


UPGRADE_SCRIPT = """
import sys
from app.store.migrate import upgrade_to_head
print("ready", flush=True)
upgrade_to_head(sys.argv[1])
"""


def test_processes_starting_together_migrate_once_and_all_succeed(database_url: str) -> None:
    """While one process holds the migration lock, the others wait and create nothing; once
    it is released, each finds the database migrated (no "table already exists")."""
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    with migration_lock(database_url):
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", UPGRADE_SCRIPT, database_url],
                cwd=REPO_ROOT,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        assert [p.stdout.readline() if p.stdout else "" for p in processes] == ["ready\n"] * 3
        time.sleep(2)  # time enough for a process that ignored the lock to make its tables
        assert [p.poll() for p in processes] == [None, None, None]
        assert not {"learners", "attempts"} & table_names(database_url)
    outcomes = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], [err for _out, err in outcomes]
    assert version(database_url) == HEAD
    downgrade_to_base(database_url)


def test_app_start_up_creates_the_sqlite_file(client: object, tmp_path: Path) -> None:
    assert (tmp_path / "data" / "test.db").is_file()
    assert "learners" in table_names(f"sqlite:///{tmp_path / 'data' / 'test.db'}")


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert int(connection.execute(text("PRAGMA busy_timeout")).scalar() or 0) >= 10_000
    engine.dispose()


def test_the_migrations_build_exactly_the_models_tables(database_url: str) -> None:
    """Every model change has its migration: the migrated database and the models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.store.models import Base

    upgrade_to_head(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
