"""Many learners at once against two workers: every attempt stored once, nothing stalls."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine

from tests.serving.conftest import LiveServer
from tests.serving.learners import (
    Learner,
    quick_problem,
    stored_attempts,
    stored_for,
    stored_learners,
)

pytestmark = pytest.mark.serving

CLIENTS = 20
ATTEMPTS_EACH = 50
CEILING_SECONDS = 120.0
"""The issue's bound, as a ceiling that catches a stall (it was > 300 s), not a benchmark."""


def test_twenty_learners_sending_fifty_attempts_each(
    shared_server: tuple[LiveServer, Engine], record_property: pytest.RecordProperty
) -> None:
    server, database = shared_server
    attempts_before, learners_before = stored_attempts(database), stored_learners(database)
    problem = quick_problem(server.url)
    learners = [Learner(server.url, problem) for _ in range(CLIENTS)]

    def one_learner(learner: Learner) -> None:
        learner.open_page()
        for _ in range(ATTEMPTS_EACH):
            learner.attempt()

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as clients:
        list(clients.map(one_learner, learners))
    elapsed = time.monotonic() - started
    record_property("seconds", round(elapsed, 1))
    print(f"\n{CLIENTS} x {ATTEMPTS_EACH} attempts on {server.database_url}: {elapsed:.1f} s")

    assert [s for learner in learners for s in learner.statuses] == [200] * CLIENTS * ATTEMPTS_EACH
    for learner in learners:
        assert learner.counts == list(range(1, ATTEMPTS_EACH + 1))  # each answer saw its own
        assert learner.attempts_shown() == ATTEMPTS_EACH
        assert stored_for(database, learner.token, problem.id) == ATTEMPTS_EACH
        assert learner.client.get("/api/progress").json()["attempts"] == len(learner.counts)
        learner.close()
    assert stored_attempts(database) - attempts_before == CLIENTS * ATTEMPTS_EACH
    assert stored_learners(database) - learners_before == CLIENTS
    assert elapsed < CEILING_SECONDS


@pytest.mark.parametrize("at_once", [8])
def test_a_new_learner_sending_attempts_at_once_is_one_learner(
    shared_server: tuple[LiveServer, Engine], at_once: int
) -> None:
    """Several tabs, or a double click, on the first visit: one row, every attempt counted."""
    server, database = shared_server
    learners_before = stored_learners(database)
    learner = Learner(server.url, quick_problem(server.url))
    learner.open_page()
    with ThreadPoolExecutor(max_workers=at_once) as tabs:
        list(tabs.map(lambda _: learner.attempt(), range(at_once)))
    assert learner.statuses == [200] * at_once
    assert sorted(learner.counts)[-1] == at_once
    assert stored_learners(database) - learners_before == 1
    assert stored_for(database, learner.token, learner.problem.id) == at_once
    learner.close()
