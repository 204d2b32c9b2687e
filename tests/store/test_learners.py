"""Learners by token: concurrent first attempts converge on one row; ids never cross tokens."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.store.db import make_engine, make_session_factory
from app.store.learners import find_learner, get_or_create_learner
from app.store.migrate import upgrade_to_head
from app.store.models import Learner


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_schema_url")
    else:
        url = f"sqlite:///{tmp_path / 'learners.db'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


def learner_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count(Learner.id))) or 0)


@pytest.mark.parametrize("requests", [2, 8])
def test_concurrent_first_attempts_with_one_token_make_one_row(
    sessions: sessionmaker[Session], requests: int
) -> None:
    start = threading.Barrier(requests)
    found: list[int] = []

    def first_attempt() -> None:
        start.wait()
        with sessions() as session:
            found.append(get_or_create_learner(session, "same-token"))

    threads = [threading.Thread(target=first_attempt) for _ in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == requests and len(set(found)) == 1
    assert learner_count(sessions) == 1


@pytest.mark.parametrize(
    ("row_token", "cookie_token", "same_row"),
    [
        (None, "any", True),  # a cookie from before tokens were stored keeps its learner
        ("mine", "mine", True),
        ("theirs", "mine", False),  # an id never reaches a row that holds another token
    ],
)
def test_an_old_cookie_id_counts_only_for_a_row_without_a_token(
    sessions: sessionmaker[Session], row_token: str | None, cookie_token: str, same_row: bool
) -> None:
    with sessions() as session:
        row = Learner(token=row_token)
        session.add(row)
        session.commit()
        found = get_or_create_learner(session, cookie_token, legacy_id=row.id)
        assert (found == row.id) is same_row
        assert find_learner(session, cookie_token, legacy_id=row.id) == found


def test_a_token_without_a_row_is_nobody_yet(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        assert find_learner(session, "new-token") is None
        assert find_learner(session, "new-token", legacy_id=12345) is None
