"""Database tables. Every change here needs a migration in app/store/migrations/versions/."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Learner(Base):
    """Someone using the site; progress tables (later issues) point here."""

    __tablename__ = "learners"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    """The random token of their cookie: unique, so concurrent first attempts share a row.
    Empty for learners created before migration 0003, who are known by id alone."""
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    user_id: Mapped[int | None] = mapped_column(
        Integer,
        ForeignKey("users.id", ondelete="CASCADE", name="fk_learners_user_id"),
        unique=True,
        nullable=True,
    )
    """The account this learner's progress belongs to, once they signed up or in."""


class User(Base):
    """An account: a username and an argon2 password hash; ``role`` is ``learner`` or
    ``instructor`` (granted by ``python -m app make-instructor``)."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("username", name="uq_users_username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False, server_default="learner")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class ReviewCard(Base):
    """The FSRS schedule of one problem for one learner: ``card`` is ``fsrs.Card.to_dict()``."""

    __tablename__ = "review_cards"
    __table_args__ = (
        UniqueConstraint("learner_id", "problem_id", name="uq_review_cards_learner_problem"),
        Index("ix_review_cards_learner_due", "learner_id", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("learners.id", ondelete="CASCADE"), nullable=False
    )
    problem_id: Mapped[str] = mapped_column(String(100), nullable=False)
    card: Mapped[dict[str, object]] = mapped_column(JSON, nullable=False)
    due: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class SignInFailure(Base):
    """A failed sign-in, keyed ``user:NAME`` or ``ip:ADDRESS``, for rate limiting."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), nullable=False)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class Attempt(Base):
    """One counted answer to a practice problem (format errors are not stored)."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("learners.id", ondelete="CASCADE"), index=True, nullable=False
    )
    problem_id: Mapped[str] = mapped_column(String(100), index=True, nullable=False)
    answer: Mapped[str] = mapped_column(Text, nullable=False)
    correct: Mapped[bool] = mapped_column(Boolean, nullable=False)
    feedback_kinds: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class QuizTake(Base):
    """One go at a lesson's quiz: a retake is a new row, with numbers of its own."""

    __tablename__ = "quiz_takes"
    __table_args__ = (Index("ix_quiz_takes_learner_lesson", "learner_id", "lesson"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("learners.id", ondelete="CASCADE"), nullable=False
    )
    lesson: Mapped[str] = mapped_column(String(200), nullable=False)
    seed: Mapped[str] = mapped_column(String(64), nullable=False)
    """Random, drawn when the take starts: the parameters of its questions come from it, so
    a reload shows the same numbers and a retake new ones."""
    started_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    """Set when the last of its questions is answered."""


class QuizAnswer(Base):
    """The one counted answer to a question within a take (format errors are not stored)."""

    __tablename__ = "quiz_answers"
    __table_args__ = (
        UniqueConstraint("take_id", "problem_id", name="uq_quiz_answers_take_problem"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    take_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("quiz_takes.id", ondelete="CASCADE"), nullable=False
    )
    problem_id: Mapped[str] = mapped_column(String(100), nullable=False)
    attempt_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("attempts.id", ondelete="CASCADE"), index=True, nullable=False
    )
    correct: Mapped[bool] = mapped_column(Boolean, nullable=False)
    answered_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
