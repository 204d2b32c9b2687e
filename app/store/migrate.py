"""Run the Alembic migrations from code, so start-up brings any database up to date.

Every uvicorn worker runs :func:`upgrade_to_head` as it starts. Without a lock, two workers
on a fresh database would both see no tables and both create them, and the second would die
with ``table attempts already exists``; so the upgrade runs under a lock that every process
sharing the database takes (a file lock beside a SQLite file, an advisory lock on
PostgreSQL). The second worker to get it finds the database at head and does nothing.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, pool, text
from sqlalchemy.engine import make_url

from app.store.db import ensure_sqlite_folder

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ADVISORY_LOCK_KEY = 0x6D63_6D69  # "mcmi": any constant the app's processes agree on


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute rather than an ini option: configparser would treat a "%"
    # in a password as interpolation.
    config.attributes["database_url"] = database_url
    return config


def upgrade_to_head(database_url: str) -> None:
    """Apply every migration not yet applied to ``database_url``, one process at a time."""
    with migration_lock(database_url):
        command.upgrade(alembic_config(database_url), "head")


def downgrade_to_base(database_url: str) -> None:
    """Undo every migration (used by tests to check each one can be reversed)."""
    with migration_lock(database_url):
        command.downgrade(alembic_config(database_url), "base")


@contextmanager
def migration_lock(database_url: str) -> Iterator[None]:
    """Hold a lock that every process migrating ``database_url`` waits for."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            yield  # private to this process: nobody to wait for
            return
        ensure_sqlite_folder(database_url)
        database = Path(url.database)
        with _file_lock(database.with_name(database.name + ".migrate-lock")):
            yield
    elif backend == "postgresql":
        with _advisory_lock(database_url):
            yield
    else:
        yield


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    # flock is released by the kernel if the process dies, so a crash never leaves it held.
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _advisory_lock(database_url: str) -> Iterator[None]:
    # A session-level lock on a connection of its own, outside the migration's transaction;
    # PostgreSQL releases it if this connection drops.
    engine = create_engine(database_url, poolclass=pool.NullPool)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
    finally:
        engine.dispose()
