"""Practice API and pages on fixture problems: attempts, cookies, solutions, quizzes.

The problems are written here, beside the fixture lessons, so changing content/ never
breaks these tests (content/ is checked by ``python -m app check-content``).
"""

from __future__ import annotations

import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select

from app.main import create_app
from app.settings import Settings
from app.store.models import Attempt, Learner
from app.web.learner import COOKIE, _stored_key
from tests.conftest import REPO_ROOT, write_fixture_lessons

LESSON = "02-vectors"  # one of the fixture lessons in tests/conftest.py
PROBLEMS = """\
    problems:
      - id: least-squares
        title: Least squares
        prompt: Find $\\nabla_w L$ for $L(w) = \\lVert Xw - y \\rVert^2$.
        variables:
          X: {shape: [m, n]}
          w: {shape: [n]}
          y: {shape: [m]}
        answer: 2 X^T (X w - y)
        hints: ["Write $L = r^T r$."]
        mistakes:
          - answer: 2 (X w - y)^T X
            message: That row is the numerator-layout derivative.
        solution: $\\nabla_w L = 2X^\\top(Xw - y)$.
      - id: cube-slope
        title: A slope
        type: number
        prompt: What is the slope of $x^3$ at $x = 2$?
        answer: "12"
        solution: $3 \\cdot 2^2 = 12$.
      - id: kink
        title: A kink
        type: choice
        prompt: Is $|x|$ differentiable at 0?
        choices:
          - text: "Yes"
          - text: "No"
            correct: true
        solution: The one-sided slopes are -1 and 1.
      - id: quadratic-derivation
        title: A derivation
        type: derivation
        prompt: Derive $\\nabla_x (x^T A x)$.
        variables:
          x: {shape: [n]}
          A: {shape: [n, n]}
        wrt: x
        answer: (A + A^T) x
        example:
          - d(x^T A x) = dx^T A x + x^T A dx
          - = x^T A^T dx + x^T A dx
          - = ((A + A^T) x)^T dx
        solution: $(A + A^\\top) x$.
      - id: numbers-layer
        title: In numbers
        type: matrix
        prompt: With $W = {{W}}$ and $x = {{x}}$, compute $W x$.
        parameters:
          W: {shape: [2, 2], low: -9, high: 9}
          x: {shape: [2], low: -9, high: 9}
        answer: W x
        solution: Multiply.
    quiz:
      - id: quiz-slope
        title: Another slope
        type: number
        prompt: What is the slope of $x^2$ at $x = 3$?
        answer: "6"
        solution: $2 \\cdot 3 = 6$.
      - id: quiz-shape
        title: A shape
        type: choice
        prompt: What is the shape of $\\partial (Ax) / \\partial x$ for $A \\in \\mathbb{R}^{m \\times n}$?
        choices:
          - text: $m \\times n$
            correct: true
          - text: $n \\times m$
        solution: One row per output.
      - id: quiz-linear
        title: A linear gradient
        prompt: Find $\\nabla_x (a^T x)$.
        variables:
          a: {shape: [n]}
          x: {shape: [n]}
        answer: a
        solution: $a$.
      - id: quiz-square
        title: A square
        type: number
        prompt: What is $\\frac{d}{dx} x^2$ at $x = 1$?
        answer: "2"
        solution: $2$.
    """
QUIZ = ["quiz-slope", "quiz-shape", "quiz-linear", "quiz-square"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("practice")


@pytest.fixture(scope="module")
def site(folder: Path) -> Iterator[TestClient]:
    """Fixture lessons and problems, one app (and grading pool) for the module."""
    content = write_fixture_lessons(folder / "content")
    (content / "problems").mkdir()
    (content / "problems" / f"{LESSON}.yaml").write_text(
        textwrap.dedent(PROBLEMS), encoding="utf-8"
    )
    settings = Settings(
        base_dir=REPO_ROOT,
        content_root=content,
        database_url=f"sqlite:///{folder / 'test.db'}",
        data_root=folder / "data",
    )
    with TestClient(create_app(settings)) as client:
        yield client


def fresh(site: TestClient) -> TestClient:
    site.cookies.clear()
    return site


def count_rows(folder: Path, table: type[Learner] | type[Attempt]) -> int:
    engine = create_engine(f"sqlite:///{folder / 'test.db'}")
    with engine.connect() as connection:
        found = connection.scalar(select(func.count()).select_from(table))
    engine.dispose()
    return int(found or 0)


def test_problems_are_listed_per_lesson_without_their_answers(site: TestClient) -> None:
    listed = site.get("/api/problems", params={"lesson": LESSON}).json()
    assert [p["id"] for p in listed][:2] == ["least-squares", "cube-slope"]
    everything = [p["id"] for p in site.get("/api/problems").json()]
    assert not set(QUIZ) & set(everything) and "least-squares" in everything
    detail = site.get("/api/problems/least-squares").json()
    assert detail["type"] == "expression" and "X" in detail["variables"]
    assert "answer" not in detail and "solution" not in detail and "mistakes" not in detail


def test_a_wrong_then_right_answer_counts_two_attempts(site: TestClient) -> None:
    client = fresh(site)
    url = "/api/problems/least-squares/attempt"
    wrong = client.post(url, json={"answer": "2 (X w - y)^T X"}).json()
    assert wrong["correct"] is False and wrong["counted"] is True and wrong["attempts"] == 1
    assert {"known_mistake", "transpose"} <= {f["kind"] for f in wrong["feedback"]}
    assert wrong["solution_html"] is None
    right = client.post(url, json={"answer": "2 X^T X w - 2 X^T y"}).json()
    assert right["correct"] is True and right["attempts"] == 2
    assert "X^\\top" in right["solution_html"]


def test_a_format_error_is_not_counted_and_shows_a_caret(site: TestClient) -> None:
    client = fresh(site)
    data = client.post(
        "/api/problems/least-squares/attempt", json={"answer": "2 X^T (X w - y"}
    ).json()
    assert data["counted"] is False and data["attempts"] == 0
    assert data["feedback"][0]["kind"] == "format" and "^" in data["feedback"][0]["message"]


def test_the_solution_is_refused_before_three_attempts_and_given_after(site: TestClient) -> None:
    client = fresh(site)
    assert client.get("/api/problems/cube-slope/solution").status_code == 403
    for _ in range(3):
        client.post("/api/problems/cube-slope/attempt", json={"answer": "8"})
    assert client.get("/api/problems/cube-slope/solution").status_code == 200


@pytest.mark.parametrize(("index", "correct"), [("1", True), ("0", False)])
def test_a_choice_attempt(site: TestClient, index: str, correct: bool) -> None:
    choice = fresh(site).post("/api/problems/kink/attempt", json={"answer": index}).json()
    assert choice["correct"] is correct and choice["counted"] is True


def test_a_derivation_attempt_marks_its_first_wrong_step(site: TestClient) -> None:
    lines = ["d(x^T A x) = dx^T A x + x^T A dx", "= x^T A dx + x^T A dx", "= (2 A x)^T dx"]
    derivation = (
        fresh(site).post("/api/problems/quadratic-derivation/attempt", json={"lines": lines}).json()
    )
    assert derivation["correct"] is False
    assert [s["ok"] for s in derivation["steps"]][:2] == [True, False]


def test_a_randomised_problem_keeps_its_variant_for_the_same_learner(site: TestClient) -> None:
    client = fresh(site)
    first = client.get("/api/problems/numbers-layer").json()["prompt_html"]
    again = client.get("/api/problems/numbers-layer").json()["prompt_html"]
    assert first == again and "bmatrix" in first


def test_the_lesson_page_lists_its_practice(site: TestClient) -> None:
    page = BeautifulSoup(site.get(f"/lessons/{LESSON}").text, "html.parser")
    links = [a["href"] for a in page.select("#practice .problem-list a")]
    assert "/practice/least-squares" in links
    assert page.select_one("#practice a.quiz-link")["href"] == f"/practice/quiz/{LESSON}"


def test_the_practice_page_has_an_input_with_a_preview(site: TestClient) -> None:
    page = BeautifulSoup(site.get("/practice/least-squares").text, "html.parser")
    assert page.select_one("#answer-least-squares") is not None
    assert page.select_one("#answer-least-squares-preview") is not None
    assert page.select_one("script[src$='/js/practice.js']") is not None


def test_the_quiz_page_shows_every_question(site: TestClient) -> None:
    page = BeautifulSoup(site.get(f"/practice/quiz/{LESSON}").text, "html.parser")
    assert len(page.select(".practice-problem")) == len(QUIZ)
    assert site.get("/practice/quiz/no-such-lesson").status_code == 404
    assert site.get("/practice/no-such-problem").status_code == 404


@pytest.mark.parametrize("path", ["/", f"/lessons/{LESSON}", "/practice", "/practice/kink"])
def test_the_first_html_page_issues_the_learner_cookie(site: TestClient, path: str) -> None:
    response = fresh(site).get(path)
    assert response.status_code == 200 and COOKIE in response.cookies
    again = site.get(path)  # the browser now holds it: not sent again
    assert COOKIE not in again.cookies


@pytest.mark.parametrize("path", ["/api/lessons", "/static/css/site.css"])
def test_other_responses_do_not_issue_it(site: TestClient, path: str) -> None:
    response = fresh(site).get(path)
    assert response.status_code == 200 and COOKIE not in response.cookies


def test_attempts_sent_at_once_after_the_first_page_make_one_learner(
    site: TestClient, folder: Path
) -> None:
    """A first-time learner with several tabs or a double click: one row, every attempt."""
    client = fresh(site)
    client.get("/practice/cube-slope")  # the cookie now held, as a browser would
    learners_before, attempts_before = count_rows(folder, Learner), count_rows(folder, Attempt)
    start = threading.Barrier(6)
    statuses: list[int] = []

    def send() -> None:
        start.wait()  # the test client hands each request to the app's event loop
        response = client.post("/api/problems/cube-slope/attempt", json={"answer": "7"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 6
    assert count_rows(folder, Learner) == learners_before + 1
    assert count_rows(folder, Attempt) == attempts_before + 6
    assert client.get("/api/problems/cube-slope").json()["attempts"] == 6


@pytest.mark.parametrize(
    "edit",
    [
        lambda value: "f" * 32 + value[32:],  # someone else's token, the old signature
        lambda value: value[:-4] + "0000",  # a forged signature
        lambda value: value.rsplit(".", 2)[0] + ".1." + value.rsplit(".", 1)[1],  # an id
        lambda value: "garbage",
    ],
)
def test_a_tampered_cookie_is_a_new_learner_who_sees_nothing(
    site: TestClient, edit: Callable[[str], str]
) -> None:
    client = fresh(site)
    cookie = client.get("/practice/cube-slope").cookies[COOKIE]
    client.cookies.set(COOKIE, cookie)
    client.post("/api/problems/cube-slope/attempt", json={"answer": "7"})
    assert client.get("/api/problems/cube-slope").json()["attempts"] == 1
    client.cookies.clear()
    client.cookies.set(COOKIE, edit(cookie))
    response = client.get("/practice/cube-slope")
    assert COOKIE in response.cookies and response.cookies[COOKIE] != cookie
    client.cookies.set(COOKIE, response.cookies[COOKIE])
    assert client.get("/api/problems/cube-slope").json()["attempts"] == 0


def test_the_cookie_key_is_kept_in_the_data_folder(site: TestClient, folder: Path) -> None:
    fresh(site).get("/practice")
    assert len((folder / "data" / "secret_key").read_text(encoding="utf-8").strip()) == 64


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, REPO_ROOT / "data"),
        ({"database_url": "sqlite:////srv/db/app.db"}, Path("/srv/db")),
        ({"database_url": "postgresql+psycopg://u@h/db"}, REPO_ROOT / "data"),
        ({"database_url": "sqlite:////srv/db/app.db", "data_root": "/var/mc"}, Path("/var/mc")),
    ],
)
def test_the_data_folder_follows_the_sqlite_file_unless_set(
    fields: dict[str, str], expected: Path
) -> None:
    assert Settings(base_dir=REPO_ROOT, **fields).data_dir == expected  # type: ignore[arg-type]


def test_workers_starting_together_agree_on_one_cookie_key(tmp_path: Path) -> None:
    """Each uvicorn worker makes the key if it is missing; all must end up with the same."""
    start = threading.Barrier(8)
    keys: list[bytes] = []

    def make_key() -> None:
        start.wait()
        keys.append(_stored_key.__wrapped__(tmp_path / "data"))  # past the per-process cache

    threads = [threading.Thread(target=make_key) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1 and len(keys[0]) == 64
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["secret_key"]
