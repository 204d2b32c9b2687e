"""Quiz takes in the database, on SQLite and PostgreSQL: migration 0004 and its queries."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, func, inspect, select, text

from app.store import quizzes
from app.store.db import make_engine, make_session_factory
from app.store.migrate import alembic_config, downgrade_to_base, upgrade_to_head
from app.store.models import Attempt, Learner, QuizAnswer, QuizTake


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_schema_url")
        return url
    return f"sqlite:///{tmp_path / 'data' / 'app.db'}"


def test_one_answer_per_question_per_take_is_kept_and_scored(database_url: str) -> None:
    upgrade_to_head(database_url)
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    try:
        with sessions() as db:
            learner = Learner(token="q" * 32)
            db.add(learner)
            db.commit()
            first = quizzes.start_take(db, learner.id, "lesson")
            second = quizzes.start_take(db, learner.id, "lesson")
            assert first.seed != second.seed
            assert quizzes.latest_take(db, learner.id, "lesson") == second
            assert quizzes.latest_take(db, learner.id, "other") is None
            assert quizzes.find_take(db, learner.id, "other", first.id) is None
            assert quizzes.find_take(db, learner.id + 1, "lesson", first.id) is None

            quizzes.record_answer(db, first, "p1", "6", True, ["correct"])
            with pytest.raises(quizzes.AlreadyAnswered):
                quizzes.record_answer(db, first, "p1", "7", False, ["wrong"])
            quizzes.record_answer(db, second, "p1", "7", False, ["wrong"])  # a take of its own
            quizzes.record_answer(db, first, "p2", "x", False, ["wrong"])

            progress = quizzes.progress(db, first, ["p1", "p2", "p3"])
            assert (progress.answered, progress.correct, progress.total) == (2, 1, 3)
            assert not progress.finished
            assert progress.answers["p1"].answer == "6"
            quizzes.record_answer(db, first, "p3", "y", True, ["correct"])
            assert quizzes.progress(db, first, ["p1", "p2", "p3"]).finished
            quizzes.mark_finished(db, first.id)
            finished_at = db.scalar(select(QuizTake.finished_at).where(QuizTake.id == first.id))
            assert finished_at is not None
            # The refused answer stored no attempt either.
            assert db.scalar(select(func.count()).select_from(Attempt)) == 4
            assert db.scalar(select(func.count()).select_from(QuizAnswer)) == 4
    finally:
        engine.dispose()
    downgrade_to_base(database_url)


def test_undoing_0004_keeps_learners_and_attempts(database_url: str) -> None:
    upgrade_to_head(database_url)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO learners (id, token) VALUES (3, 'abc')"))
        connection.execute(
            text(
                "INSERT INTO attempts (id, learner_id, problem_id, answer, correct, feedback_kinds)"
                " VALUES (5, 3, 'p', 'x', true, '[]')"
            )
        )
        connection.execute(
            text("INSERT INTO quiz_takes (id, learner_id, lesson, seed) VALUES (1, 3, 'l', 's')")
        )
        connection.execute(
            text(
                "INSERT INTO quiz_answers (take_id, problem_id, attempt_id, correct)"
                " VALUES (1, 'p', 5, true)"
            )
        )
    command.downgrade(alembic_config(database_url), "0003_learner_tokens")
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        assert not {"quiz_takes", "quiz_answers"} & tables
        assert connection.execute(text("SELECT count(*) FROM attempts")).scalar() == 1
    engine.dispose()
    upgrade_to_head(database_url)
    downgrade_to_base(database_url)
