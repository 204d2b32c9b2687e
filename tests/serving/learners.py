"""What the serving tests do as learners: pick a quick problem, send attempts, count rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from sqlalchemy import Engine, text

from app.web.learner import COOKIE, serializer

QUICK_TYPES = ("choice", "number")
"""Answer types that grade in milliseconds; any answer of these is a counted attempt."""
REQUEST_TIMEOUT = 90.0


@dataclass(frozen=True)
class QuickProblem:
    id: str
    answer: str


def quick_problem(base_url: str) -> QuickProblem:
    """A problem from the server's own list whose answers grade quickly: never an id from
    content/, which the content writers change freely."""
    with httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT) as client:
        listed = client.get("/api/problems").json()
    for kind in QUICK_TYPES:
        for problem in listed:
            if problem["type"] == kind:
                return QuickProblem(problem["id"], "0")  # choice 0, or the number 0
    raise AssertionError(f"no {' or '.join(QUICK_TYPES)} problem in /api/problems")


@dataclass
class Learner:
    """One browser: its own cookie, issued by the first page it views."""

    base_url: str
    problem: QuickProblem
    statuses: list[int] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    """The ``attempts`` field of each 200 answer, in order."""
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.base_url, timeout=REQUEST_TIMEOUT)

    def open_page(self) -> None:
        response = self.client.get(f"/practice/{self.problem.id}")
        assert response.status_code == 200 and COOKIE in self.client.cookies

    @property
    def token(self) -> str:
        """The token the signed cookie carries (read without the server's key)."""
        _valid, payload = serializer(b"").loads_unsafe(str(self.client.cookies[COOKIE]))
        return str(payload["t"])

    def attempt(self) -> None:
        response = self.client.post(
            f"/api/problems/{self.problem.id}/attempt", json={"answer": self.problem.answer}
        )
        self.statuses.append(response.status_code)
        if response.status_code == 200:
            self.counts.append(int(response.json()["attempts"]))

    def attempts_shown(self) -> int:
        return int(self.client.get(f"/api/problems/{self.problem.id}").json()["attempts"])

    def close(self) -> None:
        self.client.close()


def stored_attempts(database: Engine) -> int:
    with database.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM attempts")).scalar() or 0)


def stored_learners(database: Engine) -> int:
    with database.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM learners")).scalar() or 0)


def stored_for(database: Engine, token: str, problem_id: str) -> int:
    """Attempts stored for the learner holding ``token`` on ``problem_id``."""
    query = text(
        "SELECT count(*) FROM attempts JOIN learners ON learners.id = attempts.learner_id"
        " WHERE learners.token = :token AND attempts.problem_id = :problem"
    )
    with database.connect() as connection:
        found = connection.execute(query, {"token": token, "problem": problem_id}).scalar()
        return int(found or 0)
