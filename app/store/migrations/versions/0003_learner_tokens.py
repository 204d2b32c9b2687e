"""Know a learner by their cookie's token, unique, so concurrent first attempts make one row.

Revision ID: 0003_learner_tokens
Revises: 0002_attempts
Create Date: 2025-01-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003_learner_tokens"
down_revision: str | None = "0002_attempts"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # A plain ADD COLUMN and a unique index: no table rebuild on SQLite, and both SQLite
    # and PostgreSQL let the existing rows keep an empty (NULL) token.
    op.add_column("learners", sa.Column("token", sa.String(64), nullable=True))
    op.create_index("ix_learners_token", "learners", ["token"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_learners_token", table_name="learners")
    with op.batch_alter_table("learners") as batch:
        batch.drop_column("token")
