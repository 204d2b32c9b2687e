"""Quiz takes through the API and the quiz page, on SQLite and on PostgreSQL.

A take keeps its score, counts one answer per question (a second is a 409, a format error
uses nothing up), belongs to its learner alone, and a retake draws new numbers for the
questions with parameters. The quiz is written here, beside the fixture lessons, so
content/ never changes what these tests see.
"""

from __future__ import annotations

import re
import textwrap
import threading
from collections.abc import Iterator

import numpy as np
import pytest
import yaml
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select

from app.main import create_app
from app.settings import Settings
from app.store.models import Attempt, QuizAnswer
from tests.conftest import REPO_ROOT, write_fixture_lessons

LESSON = "02-vectors"  # one of the fixture lessons in tests/conftest.py
PROBLEMS = """\
    problems:
      - id: practice-slope
        title: A slope
        type: number
        prompt: What is the slope of $x^3$ at $x = 2$?
        answer: "12"
        solution: $3 \\cdot 2^2 = 12$.
    quiz:
      - id: take-slope
        title: Another slope
        type: number
        prompt: What is the slope of $x^2$ at $x = 3$?
        answer: "6"
        solution: $2 \\cdot 3 = 6$.
      - id: take-kink
        title: A kink
        type: choice
        prompt: Is $|x|$ differentiable at 0?
        choices:
          - text: "Yes"
          - text: "No"
            correct: true
        solution: The one-sided slopes are -1 and 1.
      - id: take-product
        title: In numbers
        type: matrix
        prompt: With $W = {{W}}$ and $x = {{x}}$, compute $W x$.
        parameters:
          W: {shape: [2, 2], low: -9, high: 9}
          x: {shape: [2], low: -9, high: 9}
        answer: W x
        solution: Multiply.
      - id: take-linear
        title: A linear gradient
        prompt: Find $\\nabla_x (a^T x)$.
        variables:
          a: {shape: [n]}
          x: {shape: [n]}
        answer: a
        solution: $a$.
    """
RIGHT = {"take-slope": "6", "take-kink": "1", "take-linear": "a"}
"""Right answers to the questions without parameters (take-product's depends on the take)."""
WRONG = {"take-slope": "7", "take-kink": "0", "take-product": "[0; 0]", "take-linear": "2 a"}
TAKES = f"/api/quizzes/{LESSON}/takes"
PAGE = f"/practice/quiz/{LESSON}"


def quiz_ids() -> list[str]:
    """The quiz's question ids, in order, read from the fixture above."""
    return [str(q["id"]) for q in yaml.safe_load(textwrap.dedent(PROBLEMS))["quiz"]]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[TestClient]:
    """Fixture lessons and the quiz above, one app (and grading pool) per backend."""
    folder = tmp_path_factory.mktemp("quiz-takes")
    content = write_fixture_lessons(folder / "content")
    (content / "problems").mkdir()
    (content / "problems" / f"{LESSON}.yaml").write_text(
        textwrap.dedent(PROBLEMS), encoding="utf-8"
    )
    settings = Settings(
        base_dir=REPO_ROOT,
        content_root=content,
        database_url=database_url,
        data_root=folder / "data",
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def learner(site: TestClient) -> TestClient:
    """The module's client as a new learner: no cookie yet."""
    site.cookies.clear()
    return site


def new_learner(site: TestClient) -> TestClient:
    """A second client on the same app, with a cookie of its own."""
    other = TestClient(site.app)
    other.get("/practice")  # the first HTML page issues the cookie
    return other


def answer(client: TestClient, take: int, problem: str, text: str) -> dict[str, object]:
    response = client.post(f"{TAKES}/{take}/answers", json={"problem": problem, "answer": text})
    assert response.status_code == 200, response.text
    data: dict[str, object] = response.json()
    return data


def shown_numbers(client: TestClient, problem: str) -> list[np.ndarray]:
    """The matrices in ``problem``'s prompt as the quiz page shows it now (its latest take)."""
    page = BeautifulSoup(client.get(PAGE).text, "html.parser")
    prompt = page.select_one(f"#problem-{problem} .problem-prompt")
    assert prompt is not None
    found = re.findall(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", prompt.get_text())
    return [
        np.array([[float(x) for x in row.split("&")] for row in body.split("\\\\")])
        for body in found
    ]


def right_product(client: TestClient) -> str:
    """The right answer to take-product for the numbers the page shows: W x."""
    w, x = shown_numbers(client, "take-product")
    product = w @ x
    return "[" + "; ".join(", ".join(str(int(v)) for v in row) for row in product) + "]"


def test_a_new_take_starts_with_nothing_answered(learner: TestClient) -> None:
    response = learner.post(TAKES)
    assert response.status_code == 201
    data = response.json()
    assert isinstance(data["take"], int)
    assert data == {
        **data,
        "answered": 0,
        "correct": 0,
        "total": len(quiz_ids()),
        "finished": False,
    }
    assert [q["problem"] for q in data["questions"]] == quiz_ids()
    assert learner.get(f"{TAKES}/latest").json()["take"] == data["take"]


def test_answers_count_once_per_question_and_finish_the_take(learner: TestClient) -> None:
    take = learner.post(TAKES).json()["take"]
    first = answer(learner, take, "take-slope", RIGHT["take-slope"])
    assert first["correct"] is True and first["counted"] is True
    assert first["progress"] == {**first["progress"], "answered": 1, "correct": 1}  # type: ignore[dict-item]

    again = learner.post(f"{TAKES}/{take}/answers", json={"problem": "take-slope", "answer": "7"})
    assert again.status_code == 409
    assert "already answered" in again.json()["detail"]
    latest = learner.get(f"{TAKES}/latest").json()
    assert (latest["answered"], latest["correct"]) == (1, 1)  # the refused answer changed nothing

    answer(learner, take, "take-kink", WRONG["take-kink"])
    answer(learner, take, "take-linear", RIGHT["take-linear"])
    assert learner.get(f"{TAKES}/latest").json()["finished"] is False
    last = answer(learner, take, "take-product", right_product(learner))
    assert last["correct"] is True, last["feedback"]
    progress = last["progress"]
    total = len(quiz_ids())
    assert progress == {  # type: ignore[comparison-overlap]
        **progress,  # type: ignore[dict-item]
        "answered": total,
        "correct": total - 1,
        "finished": True,
        "message": f"You scored {total - 1} of {total}",
    }
    assert learner.get(f"{TAKES}/latest").json() == progress


def test_a_format_error_is_not_counted_and_uses_nothing_up(learner: TestClient) -> None:
    take = learner.post(TAKES).json()["take"]
    for text in ["6 +", "twelve", ""]:
        result = answer(learner, take, "take-slope", text)
        assert result["counted"] is False and result["correct"] is False
        assert result["progress"]["answered"] == 0  # type: ignore[index]
    lines = learner.post(
        f"{TAKES}/{take}/answers", json={"problem": "take-product", "answer": "[1, 2"}
    )
    assert lines.status_code == 200 and lines.json()["counted"] is False
    assert answer(learner, take, "take-slope", "6")["counted"] is True  # still open


def test_answers_are_stored_as_attempts_tied_to_their_take(
    learner: TestClient, database_url: str
) -> None:
    take = learner.post(TAKES).json()["take"]
    result = answer(learner, take, "take-linear", WRONG["take-linear"])
    assert result["attempts"] == 1  # the learner's counted attempts at the problem
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(QuizAnswer.problem_id, QuizAnswer.correct, Attempt.answer, Attempt.correct)
                .join(Attempt, Attempt.id == QuizAnswer.attempt_id)
                .where(QuizAnswer.take_id == take)
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in rows] == [("take-linear", False, "2 a", False)]


def test_two_answers_sent_at_once_count_one(learner: TestClient, database_url: str) -> None:
    """A double click or two tabs: the database lets one answer in; the other is a 409."""
    learner.get(PAGE)
    take = learner.post(TAKES).json()["take"]
    start = threading.Barrier(4)
    statuses: list[int] = []

    def send() -> None:
        start.wait()
        body = {"problem": "take-slope", "answer": "6"}
        statuses.append(learner.post(f"{TAKES}/{take}/answers", json=body).status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409, 409, 409]
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = connection.scalar(
                select(func.count()).select_from(QuizAnswer).where(QuizAnswer.take_id == take)
            )
    finally:
        engine.dispose()
    assert stored == 1
    assert learner.get(f"{TAKES}/latest").json()["answered"] == 1


def test_a_retake_is_a_new_take_with_new_numbers(learner: TestClient) -> None:
    learner.get(PAGE)  # starts the first take
    first = learner.get(f"{TAKES}/latest").json()
    answer(learner, first["take"], "take-slope", "6")
    seen = [tuple(m.tobytes() for m in shown_numbers(learner, "take-product"))]
    takes = [first["take"]]
    for _ in range(4):
        retake = learner.post(TAKES).json()
        assert retake["answered"] == 0 and retake["take"] not in takes
        takes.append(retake["take"])
        seen.append(tuple(m.tobytes() for m in shown_numbers(learner, "take-product")))
    assert len(set(seen)) > 1, "every take showed the same numbers"
    # The first take keeps its score; the newest is the one the page and "latest" show.
    assert learner.get(f"{TAKES}/latest").json()["take"] == takes[-1]
    again = learner.post(
        f"{TAKES}/{first['take']}/answers", json={"problem": "take-slope", "answer": "6"}
    )
    assert again.status_code == 409
    # Each take is graded at its own numbers: the newest take's right answer is right.
    assert answer(learner, takes[-1], "take-product", right_product(learner))["correct"] is True


def test_a_reload_shows_the_same_numbers(learner: TestClient) -> None:
    learner.get(PAGE)
    shown = shown_numbers(learner, "take-product")
    reloaded = shown_numbers(learner, "take-product")
    assert len(shown) == 2  # W and x
    assert all(np.array_equal(a, b) for a, b in zip(shown, reloaded, strict=True))


def test_a_retake_offers_a_solution_only_once_the_question_is_answered_again(
    learner: TestClient,
) -> None:
    take = BeautifulSoup(learner.get(PAGE).text, "html.parser").select_one("[data-quiz]")
    assert take is not None
    answer(learner, int(str(take["data-take"])), "take-slope", "6")
    solution = "#problem-take-slope .show-solution"
    page = BeautifulSoup(learner.get(PAGE).text, "html.parser")
    assert not page.select_one(solution).has_attr("hidden")  # solved in this take

    retake = learner.post(TAKES).json()["take"]
    page = BeautifulSoup(learner.get(PAGE).text, "html.parser")
    assert page.select_one(solution).has_attr("hidden")  # solved before, not in this take
    unread = answer(learner, retake, "take-slope", "6 +")
    assert unread["counted"] is False and unread["solution_available"] is False
    assert answer(learner, retake, "take-slope", "6")["solution_available"] is True
    page = BeautifulSoup(learner.get(PAGE).text, "html.parser")
    assert not page.select_one(solution).has_attr("hidden")


def test_another_learner_cannot_see_or_answer_your_take(learner: TestClient) -> None:
    take = learner.post(TAKES).json()["take"]
    other = new_learner(learner)
    body = {"problem": "take-slope", "answer": "6"}
    response = other.post(f"{TAKES}/{take}/answers", json=body)
    assert response.status_code == 404
    assert other.get(f"{TAKES}/latest").status_code == 404
    assert learner.get(f"{TAKES}/latest").json()["answered"] == 0
    other.post(TAKES)  # a take of their own changes nothing for this learner
    assert learner.get(f"{TAKES}/latest").json()["take"] == take


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/quizzes/no-such-lesson/takes", None),
        ("get", "/api/quizzes/no-such-lesson/takes/latest", None),
        ("post", "/api/quizzes/10-matrices/takes", None),  # a lesson without a quiz
        (
            "post",
            "/api/quizzes/no-such-lesson/takes/1/answers",
            {"problem": "take-slope", "answer": "6"},
        ),
        ("post", f"{TAKES}/999999/answers", {"problem": "take-slope", "answer": "6"}),
        ("post", f"{TAKES}/-1/answers", {"problem": "take-slope", "answer": "6"}),
        ("post", f"{TAKES}/{2**64}/answers", {"problem": "take-slope", "answer": "6"}),
        ("get", "/practice/quiz/no-such-lesson", None),
    ],
)
def test_what_does_not_exist_is_a_404(
    learner: TestClient, method: str, path: str, body: dict[str, str] | None
) -> None:
    learner.post(TAKES)  # a learner with a take of their own, asking for what is not there
    response = learner.request(method.upper(), path, json=body)
    assert response.status_code == 404


def test_a_question_of_another_quiz_or_a_practice_problem_is_a_404(learner: TestClient) -> None:
    take = learner.post(TAKES).json()["take"]
    for problem in ["practice-slope", "no-such-problem"]:
        response = learner.post(
            f"{TAKES}/{take}/answers", json={"problem": problem, "answer": "12"}
        )
        assert response.status_code == 404
    assert learner.get(f"{TAKES}/latest").json()["answered"] == 0


def test_latest_is_a_404_before_the_first_take(learner: TestClient) -> None:
    learner.get("/practice")
    assert learner.get(f"{TAKES}/latest").status_code == 404


def test_the_page_resumes_the_take_and_shows_the_score_after_a_reload(learner: TestClient) -> None:
    first = BeautifulSoup(learner.get(PAGE).text, "html.parser")
    quiz = first.select_one("[data-quiz]")
    assert quiz is not None
    take = int(str(quiz["data-take"]))
    assert (
        first.select_one(".quiz-score").get_text(strip=True) == f"0 of {len(quiz_ids())} answered"
    )
    assert first.select_one(".quiz-retake").has_attr("hidden")

    answer(learner, take, "take-slope", "6")
    answer(learner, take, "take-kink", "0")
    page = BeautifulSoup(learner.get(PAGE).text, "html.parser")
    assert int(str(page.select_one("[data-quiz]")["data-take"])) == take  # resumed, not new
    assert page.select_one(".quiz-score").get_text(strip=True) == f"2 of {len(quiz_ids())} answered"
    slope = page.select_one("#problem-take-slope")
    assert slope["data-answered"] == "true" and slope["data-correct"] == "true"
    assert slope.select_one("button[type=submit]").has_attr("disabled")
    assert "Correct" in slope.select_one(".verdict").get_text()
    kink = page.select_one("#problem-take-kink")
    assert (
        kink["data-correct"] == "false" and "Not correct" in kink.select_one(".verdict").get_text()
    )
    assert "Yes" in kink.select_one(".verdict").get_text()  # the choice picked, in words
    assert not page.select_one("#problem-take-linear").has_attr("data-answered")

    answer(learner, take, "take-linear", "a")
    answer(learner, take, "take-product", right_product(learner))
    done = BeautifulSoup(learner.get(PAGE).text, "html.parser")
    total = len(quiz_ids())
    score = done.select_one(".quiz-score")
    assert score.get_text(strip=True) == f"You scored {total - 1} of {total}"
    assert score["aria-live"] == "polite"
    retake = done.select_one("form.quiz-retake")
    assert not retake.has_attr("hidden") and retake["method"] == "post"
    assert retake.select_one("button[type=submit]").get_text(strip=True) == "Retake the quiz"


def test_the_retake_button_starts_a_new_take(learner: TestClient) -> None:
    first = BeautifulSoup(learner.get(PAGE).text, "html.parser")
    token = first.select_one(".quiz-retake input[name=csrf]")["value"]  # type: ignore[index]
    before = learner.get(f"{TAKES}/latest").json()["take"]
    response = learner.post(f"{PAGE}/retake", data={"csrf": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == PAGE
    page = BeautifulSoup(learner.get(PAGE).text, "html.parser")
    take = int(str(page.select_one("[data-quiz]")["data-take"]))
    assert take != before and take == learner.get(f"{TAKES}/latest").json()["take"]
    assert page.select_one(".quiz-score").get_text(strip=True).startswith("0 of ")


def test_the_retake_form_needs_this_pages_csrf_token(learner: TestClient) -> None:
    learner.get(PAGE)  # the learner holds a cookie
    before = learner.get(f"{TAKES}/latest").json()["take"]
    forged = learner.post(f"/practice/quiz/{LESSON}/retake", data={}, follow_redirects=False)
    assert forged.status_code == 403
    assert learner.get(f"{TAKES}/latest").json()["take"] == before  # no take was started
    page = BeautifulSoup(learner.get(PAGE).text, "html.parser")
    token = page.select_one(".quiz-retake input[name=csrf]")["value"]  # type: ignore[index]
    sent = learner.post(
        f"/practice/quiz/{LESSON}/retake", data={"csrf": token}, follow_redirects=False
    )
    assert sent.status_code == 303
    assert learner.get(f"{TAKES}/latest").json()["take"] != before
