"""Practice API and pages against the real problems: attempts, cookies, solutions, quizzes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The real lessons and problems, one app (and grading pool) for the module."""
    folder = tmp_path_factory.mktemp("practice")
    settings = Settings(base_dir=REPO_ROOT, database_url=f"sqlite:///{folder / 'test.db'}")
    with TestClient(create_app(settings)) as client:
        yield client


def fresh(site: TestClient) -> TestClient:
    site.cookies.clear()
    return site


def test_problems_are_listed_per_lesson_without_their_answers(site: TestClient) -> None:
    listed = site.get("/api/problems", params={"lesson": "03-gradient-identities"}).json()
    assert [p["id"] for p in listed][:2] == ["quadratic-form-gradient", "least-squares-gradient"]
    detail = site.get("/api/problems/least-squares-gradient").json()
    assert detail["type"] == "expression" and "X" in detail["variables"]
    assert "answer" not in detail and "solution" not in detail and "mistakes" not in detail


def test_a_wrong_then_right_answer_counts_two_attempts(site: TestClient) -> None:
    client = fresh(site)
    url = "/api/problems/least-squares-gradient/attempt"
    wrong = client.post(url, json={"answer": "2 (X w - y)^T X"}).json()
    assert wrong["correct"] is False and wrong["counted"] is True and wrong["attempts"] == 1
    assert {"known_mistake", "transpose"} <= {f["kind"] for f in wrong["feedback"]}
    assert wrong["solution_html"] is None
    right = client.post(url, json={"answer": "2 X^T X w - 2 X^T y"}).json()
    assert right["correct"] is True and right["attempts"] == 2
    assert "Xw - y" in right["solution_html"] or "X^\\top" in right["solution_html"]


def test_a_format_error_is_not_counted_and_shows_a_caret(site: TestClient) -> None:
    client = fresh(site)
    data = client.post(
        "/api/problems/least-squares-gradient/attempt", json={"answer": "2 X^T (X w - y"}
    ).json()
    assert data["counted"] is False and data["attempts"] == 0
    assert data["feedback"][0]["kind"] == "format" and "^" in data["feedback"][0]["message"]


def test_the_solution_is_refused_before_three_attempts_and_given_after(site: TestClient) -> None:
    client = fresh(site)
    assert client.get("/api/problems/slope-of-cube/solution").status_code == 403
    for _ in range(3):
        client.post("/api/problems/slope-of-cube/attempt", json={"answer": "8"})
    assert client.get("/api/problems/slope-of-cube/solution").status_code == 200


def test_choice_and_derivation_attempts(site: TestClient) -> None:
    client = fresh(site)
    choice = client.post("/api/problems/relu-at-zero/attempt", json={"answer": "1"}).json()
    assert choice["correct"] is True
    lines = ["d(x^T A x) = dx^T A x + x^T A dx", "= x^T A dx + x^T A dx", "= (2 A x)^T dx"]
    derivation = client.post(
        "/api/problems/quadratic-form-derivation/attempt", json={"lines": lines}
    ).json()
    assert derivation["correct"] is False
    assert [s["ok"] for s in derivation["steps"]][:2] == [True, False]


def test_a_randomised_problem_keeps_its_variant_for_the_same_learner(site: TestClient) -> None:
    client = fresh(site)
    first = client.get("/api/problems/dense-layer-weight-gradient").json()["prompt_html"]
    again = client.get("/api/problems/dense-layer-weight-gradient").json()["prompt_html"]
    assert first == again and "bmatrix" in first


def test_the_lesson_page_lists_its_practice(site: TestClient) -> None:
    page = BeautifulSoup(site.get("/lessons/03-gradient-identities").text, "html.parser")
    links = [a["href"] for a in page.select("#practice .problem-list a")]
    assert "/practice/quadratic-form-gradient" in links
    assert (
        page.select_one("#practice a.quiz-link")["href"] == "/practice/quiz/03-gradient-identities"
    )


def test_the_practice_page_has_an_input_with_a_preview(site: TestClient) -> None:
    page = BeautifulSoup(site.get("/practice/least-squares-gradient").text, "html.parser")
    assert page.select_one("#answer-least-squares-gradient") is not None
    assert page.select_one("#answer-least-squares-gradient-preview") is not None
    assert page.select_one("script[src='/static/js/practice.js']") is not None


def test_the_quiz_page_shows_every_question(site: TestClient) -> None:
    page = BeautifulSoup(site.get("/practice/quiz/03-gradient-identities").text, "html.parser")
    assert len(page.select(".practice-problem")) == 3
    assert site.get("/practice/quiz/no-such-lesson").status_code == 404
    assert site.get("/practice/no-such-problem").status_code == 404
