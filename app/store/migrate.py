"""Run the Alembic migrations from code, so start-up brings any database up to date."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from app.store.db import ensure_sqlite_folder

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute rather than an ini option: configparser would treat a "%"
    # in a password as interpolation.
    config.attributes["database_url"] = database_url
    return config


def upgrade_to_head(database_url: str) -> None:
    """Apply every migration not yet applied to ``database_url``."""
    ensure_sqlite_folder(database_url)
    command.upgrade(alembic_config(database_url), "head")


def downgrade_to_base(database_url: str) -> None:
    """Undo every migration (used by tests to check each one can be reversed)."""
    command.downgrade(alembic_config(database_url), "base")
