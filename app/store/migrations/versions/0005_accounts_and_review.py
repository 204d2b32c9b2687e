"""Accounts, spaced review and sign-in throttling.

A learner may belong to an account (``learners.user_id``): signing up or in merges the
anonymous learner's progress into the account's. ``review_cards`` keeps one FSRS card per
learner and problem; ``sign_in_failures`` counts failed sign-ins per account and per address,
in the database so that every app instance sees the same counts.

Revision ID: 0005_accounts_and_review
Revises: 0004_quiz_takes
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005_accounts_and_review"
down_revision: str | None = "0004_quiz_takes"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(40), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False, server_default="learner"),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    with op.batch_alter_table("learners") as batch:
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_learners_user_id", "users", ["user_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_unique_constraint("uq_learners_user_id", ["user_id"])
    op.create_table(
        "review_cards",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "learner_id",
            sa.Integer(),
            sa.ForeignKey("learners.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("problem_id", sa.String(100), nullable=False),
        sa.Column("card", sa.JSON(), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.UniqueConstraint("learner_id", "problem_id", name="uq_review_cards_learner_problem"),
    )
    op.create_index("ix_review_cards_learner_due", "review_cards", ["learner_id", "due"])
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_sign_in_failures_key_at", "sign_in_failures", ["key", "at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_failures_key_at", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
    op.drop_index("ix_review_cards_learner_due", table_name="review_cards")
    op.drop_table("review_cards")
    with op.batch_alter_table("learners") as batch:
        batch.drop_constraint("uq_learners_user_id", type_="unique")
        batch.drop_constraint("fk_learners_user_id", type_="foreignkey")
        batch.drop_column("user_id")
    op.drop_table("users")
