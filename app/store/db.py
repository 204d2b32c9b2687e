"""The database engine and sessions, built from settings (SQLite under data/ by default)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(database_url: str) -> Engine:
    """An engine for ``database_url``; for a SQLite file, its folder is created first."""
    ensure_sqlite_folder(database_url)
    url = make_url(database_url)
    # FastAPI runs sync routes in a thread pool, so one SQLite connection may cross threads.
    connect_args = {"check_same_thread": False} if url.get_backend_name() == "sqlite" else {}
    return create_engine(url, connect_args=connect_args, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def ensure_sqlite_folder(database_url: str) -> None:
    """Create the folder of a SQLite database file (``data/`` on a fresh clone)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
