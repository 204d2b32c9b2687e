"""A server killed mid-stream loses no attempt it had answered."""

from __future__ import annotations

import threading

import httpx
import pytest
from sqlalchemy import Engine

from tests.serving.conftest import LiveServer
from tests.serving.learners import REQUEST_TIMEOUT, Learner, quick_problem, stored_for

pytestmark = pytest.mark.serving

CLIENTS = 4
ANSWERED_BEFORE_THE_KILL = 40


def test_every_answered_attempt_survives_a_sigkill(
    shared_server: tuple[LiveServer, Engine],
) -> None:
    server, database = shared_server
    problem = quick_problem(server.url)
    learners = [Learner(server.url, problem) for _ in range(CLIENTS)]
    for learner in learners:
        learner.open_page()
    answered = threading.Semaphore(0)
    killing, killed = threading.Event(), threading.Event()
    errors_before_the_kill: list[str] = []

    def stream(learner: Learner) -> None:
        while not killed.is_set():
            try:
                learner.attempt()
            except httpx.TransportError as error:  # the server is gone, or failed us
                if not killing.is_set():
                    errors_before_the_kill.append(repr(error))
                return
            answered.release()

    threads = [threading.Thread(target=stream, args=(learner,)) for learner in learners]
    for thread in threads:
        thread.start()
    for _ in range(ANSWERED_BEFORE_THE_KILL):
        # A ceiling, so a stalled server fails the test instead of hanging it.
        assert answered.acquire(timeout=REQUEST_TIMEOUT), "the server stopped answering"
    killing.set()
    server.kill()  # while attempts are in flight
    killed.set()
    for thread in threads:
        thread.join()

    server.start()  # the same database, a fresh set of processes
    assert errors_before_the_kill == []
    assert sum(len(learner.counts) for learner in learners) >= ANSWERED_BEFORE_THE_KILL
    for learner in learners:
        assert set(learner.statuses) <= {200}, learner.statuses
        answered_count = len(learner.counts)
        assert learner.counts == list(range(1, answered_count + 1))
        stored = stored_for(database, learner.token, problem.id)
        # Each learner sends one at a time, so at most one unanswered attempt was in flight.
        assert answered_count <= stored <= answered_count + 1
        assert learner.attempts_shown() == stored
        # the learner's progress counts the same attempts, after the restart as before it
        assert learner.client.get("/api/progress").json()["attempts"] == stored
        learner.close()
