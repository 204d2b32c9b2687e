"""The database engine and sessions, built from settings (SQLite under data/ by default)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000
"""How long a SQLite writer waits for another process's write to finish before failing."""


def make_engine(database_url: str, **options: Any) -> Engine:
    """An engine for ``database_url``; for a SQLite file, its folder is created first.

    ``options`` go to :func:`sqlalchemy.create_engine` (migrations pass a ``poolclass``).
    """
    ensure_sqlite_folder(database_url)
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **options)
    # FastAPI runs sync code in a thread pool, so one SQLite connection may cross threads.
    engine = create_engine(url, connect_args={"check_same_thread": False}, **options)
    event.listen(engine, "connect", _configure_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers run beside the one writer, and several uvicorn workers share one
    file: a writer waits up to ``SQLITE_BUSY_TIMEOUT_MS`` for another instead of failing
    with "database is locked". Both are set per connection, WAL once per file."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if _is_file(dbapi_connection):
            cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


def _is_file(dbapi_connection: Any) -> bool:
    cursor = dbapi_connection.cursor()
    try:
        # An in-memory database has no file name; WAL does not apply to it.
        rows = cursor.execute("PRAGMA database_list").fetchall()
    finally:
        cursor.close()
    return any(name == "main" and path for _seq, name, path in rows)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def ensure_sqlite_folder(database_url: str) -> None:
    """Create the folder of a SQLite database file (``data/`` on a fresh clone)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
