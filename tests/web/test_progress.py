"""Progress, the review queue, export and delete, on SQLite and on PostgreSQL.

The problems are written here, beside the fixture lessons (tests/conftest.py), so content/
never changes what these tests see. Each test is a new learner (a cookie of its own) on one
app per backend; times come from a clock the test sets (``app.state.clock``), never a sleep.
"""

from __future__ import annotations

import json
import secrets
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.main import create_app
from app.settings import Settings
from app.store.models import Attempt, Learner, QuizAnswer, QuizTake, ReviewCard, User
from app.store.review import QUEUE_AHEAD
from tests.conftest import REPO_ROOT, write_fixture_lessons

VECTORS = "02-vectors"  # fixture lessons: 01-scalars (no problems), 02-vectors, 10-matrices
MATRICES = "10-matrices"
VECTOR_PROBLEMS = """\
    problems:
      - id: vec-slope
        title: A slope
        type: number
        difficulty: 1
        skills: [scalar-rules]
        prompt: What is the slope of $x^3$ at $x = 2$?
        answer: "12"
        solution: $3 \\cdot 2^2 = 12$.
      - id: vec-kink
        title: A kink
        type: choice
        difficulty: 2
        skills: [subgradient, scalar-rules]
        prompt: Is $|x|$ differentiable at 0?
        choices:
          - text: "Yes"
          - text: "No"
            correct: true
        solution: The one-sided slopes are -1 and 1.
      - id: vec-gradient
        title: Least squares
        difficulty: 3
        skills: [gradient, regression]
        prompt: Find $\\nabla_w L$ for $L(w) = \\lVert Xw - y \\rVert^2$.
        variables:
          X: {shape: [m, n]}
          w: {shape: [n]}
          y: {shape: [m]}
        answer: 2 X^T (X w - y)
        solution: $2X^\\top(Xw - y)$.
    quiz:
      - id: vec-quiz-slope
        title: Another slope
        type: number
        skills: [scalar-rules]
        prompt: What is the slope of $x^2$ at $x = 3$?
        answer: "6"
        solution: $6$.
      - id: vec-quiz-kink
        title: Another kink
        type: choice
        prompt: Is $x^2$ differentiable at 0?
        choices:
          - text: "Yes"
            correct: true
          - text: "No"
        solution: Yes.
      - id: vec-quiz-square
        title: A square
        type: number
        prompt: What is $\\frac{d}{dx} x^2$ at $x = 1$?
        answer: "2"
        solution: $2$.
      - id: vec-quiz-cube
        title: A cube
        type: number
        prompt: What is $\\frac{d}{dx} x^3$ at $x = 1$?
        answer: "3"
        solution: $3$.
    """
MATRIX_PROBLEMS = """\
    problems:
      - id: mat-size
        title: A size
        type: number
        difficulty: 1
        skills: [shapes]
        prompt: How many entries has a $2 \\times 2$ matrix?
        answer: "4"
        solution: $4$.
    """
RIGHT = {"vec-slope": "12", "vec-kink": "1", "vec-gradient": "2 X^T (X w - y)", "mat-size": "4"}
WRONG = {"vec-slope": "11", "vec-kink": "0", "vec-gradient": "2 (X w - y)^T X", "mat-size": "5"}
"""vec-gradient's wrong answer is its transpose: the grader diagnoses ``transpose``."""


def fixture_problems() -> dict[str, dict[str, object]]:
    """Every fixture problem (practice and quiz) by id, read from the YAML above."""
    found: dict[str, dict[str, object]] = {}
    for text in (VECTOR_PROBLEMS, MATRIX_PROBLEMS):
        data = yaml.safe_load(textwrap.dedent(text))
        for problem in (*data["problems"], *data.get("quiz", [])):
            found[str(problem["id"])] = problem
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("progress")
    content = write_fixture_lessons(folder / "content")
    (content / "problems").mkdir()
    for lesson, text in ((VECTORS, VECTOR_PROBLEMS), (MATRICES, MATRIX_PROBLEMS)):
        (content / "problems" / f"{lesson}.yaml").write_text(
            textwrap.dedent(text), encoding="utf-8"
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
def learner(site: TestClient) -> Iterator[TestClient]:
    """The module's client as a new learner, on the system clock unless the test sets one."""
    site.cookies.clear()
    site.get("/practice")  # the first HTML page issues the cookie
    yield site
    state = site.app.state  # type: ignore[attr-defined]
    if hasattr(state, "clock"):  # back to the system clock (app.web.accounts reads it too)
        del state.clock


def sessions(client: TestClient) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = client.app.state.session_factory  # type: ignore[attr-defined]
    return factory


def send(client: TestClient, problem: str, answer: str) -> dict[str, object]:
    response = client.post(f"/api/problems/{problem}/attempt", json={"answer": answer})
    assert response.status_code == 200, response.text
    data: dict[str, object] = response.json()
    assert data["counted"] is True
    return data


def progress(client: TestClient) -> dict[str, object]:
    response = client.get("/api/progress")
    assert response.status_code == 200, response.text
    data: dict[str, object] = response.json()
    return data


def learner_id(client: TestClient) -> int:
    exported = client.get("/api/progress/export").json()
    assert exported["learner"] is not None
    return int(exported["learner"]["id"])


def card_due(client: TestClient, problem: str) -> datetime:
    with sessions(client)() as db:
        due = db.scalar(
            select(ReviewCard.due).where(
                ReviewCard.learner_id == learner_id(client), ReviewCard.problem_id == problem
            )
        )
    assert due is not None
    return due if due.tzinfo else due.replace(tzinfo=UTC)


def by_key(items: object, key: str) -> dict[str, dict[str, object]]:
    assert isinstance(items, list)
    return {str(item[key]): item for item in items}


def test_a_new_learner_has_empty_progress_in_the_documented_shape(learner: TestClient) -> None:
    data = progress(learner)
    assert {"lessons", "skills", "attempts", "review"} <= set(data)
    assert data["attempts"] == 0 and data["skills"] == [] and data["review"] == []
    assert data["streak"] == 0 and data["quizzes"] == []
    lessons = by_key(data["lessons"], "slug")
    assert set(lessons) == {VECTORS, MATRICES}  # 01-scalars has no practice problems
    for lesson in lessons.values():
        assert {"slug", "completed", "mastery"} <= set(lesson)
        assert lesson["completed"] == 0 and lesson["mastery"] == 0
    assert learner.get("/api/review/next").json()["problem"] is None


def test_progress_after_a_known_sequence_of_attempts(learner: TestClient) -> None:
    problems = fixture_problems()
    sequence = [
        ("vec-slope", WRONG),
        ("vec-slope", RIGHT),
        ("vec-kink", RIGHT),
        ("vec-gradient", WRONG),  # a transposed answer: diagnosed, counts against layout
    ]
    for problem, answers in sequence:
        send(learner, problem, answers[problem])
    data = progress(learner)
    assert data["attempts"] == len(sequence)

    vectors = by_key(data["lessons"], "slug")[VECTORS]
    practice = ["vec-slope", "vec-kink", "vec-gradient"]
    solved = {"vec-slope", "vec-kink"}
    assert (vectors["solved"], vectors["total"]) == (len(solved), len(practice))
    assert vectors["completed"] == pytest.approx(len(solved) / len(practice), abs=1e-3)
    weight = {p: int(problems[p]["difficulty"]) for p in practice}  # type: ignore[call-overload]
    latest_right = {"vec-slope", "vec-kink"}  # vec-gradient's latest attempt is wrong
    expected = sum(weight[p] for p in latest_right) / sum(weight.values())
    assert vectors["mastery"] == pytest.approx(expected, abs=1e-3)
    assert vectors["done"] is False
    assert by_key(data["lessons"], "slug")[MATRICES]["completed"] == 0

    skills = by_key(data["skills"], "skill")
    # scalar-rules: vec-slope wrong, vec-slope right, vec-kink right.
    assert (skills["scalar-rules"]["right"], skills["scalar-rules"]["wrong"]) == (2, 1)
    assert skills["scalar-rules"]["mastery"] == pytest.approx(2 / 3, abs=1e-3)
    assert skills["subgradient"]["mastery"] == 1
    assert skills["gradient"]["mastery"] == 0 and skills["regression"]["mastery"] == 0
    # layout is no tag of vec-gradient's: its diagnosed transpose counts against it.
    assert (skills["layout"]["right"], skills["layout"]["wrong"]) == (0, 1)
    assert "shapes" not in skills  # never practised, never diagnosed

    # The miss is due at once, the right answers are not.
    assert [card["problem"] for card in data["review"]] == ["vec-gradient"]  # type: ignore[union-attr]
    assert data["review"][0]["url"] == "/practice/vec-gradient"  # type: ignore[index]


def test_a_diagnosed_mistake_counts_against_its_skill_once(learner: TestClient) -> None:
    feedback = send(learner, "vec-gradient", WRONG["vec-gradient"])["feedback"]
    assert "transpose" in {f["kind"] for f in feedback}  # type: ignore[attr-defined]
    send(learner, "vec-gradient", RIGHT["vec-gradient"])
    skills = by_key(progress(learner)["skills"], "skill")
    assert (skills["layout"]["right"], skills["layout"]["wrong"]) == (0, 1)
    assert (skills["gradient"]["right"], skills["gradient"]["wrong"]) == (1, 1)
    assert skills["gradient"]["mastery"] == pytest.approx(0.5)


def test_a_miss_is_queued_and_a_right_answer_moves_it_later(learner: TestClient) -> None:
    send(learner, "mat-size", WRONG["mat-size"])
    missed_due = card_due(learner, "mat-size")
    assert missed_due <= datetime.now(UTC) + QUEUE_AHEAD
    nxt = learner.get("/api/review/next").json()
    assert nxt["problem"] == "mat-size" and nxt["lesson"] == MATRICES
    assert nxt["url"] == "/practice/mat-size" and nxt["due"]
    assert [c["problem"] for c in progress(learner)["review"]] == ["mat-size"]  # type: ignore[union-attr]

    send(learner, "mat-size", RIGHT["mat-size"])  # right after a miss: Hard
    assert card_due(learner, "mat-size") > missed_due
    assert progress(learner)["review"] == []
    assert learner.get("/api/review/next").json() == {
        "problem": None,
        "due": None,
        "lesson": None,
        "url": None,
        "title": None,
    }


def test_a_problem_solved_first_time_comes_back_days_later(learner: TestClient) -> None:
    send(learner, "vec-slope", RIGHT["vec-slope"])
    assert progress(learner)["review"] == []
    due = card_due(learner, "vec-slope")
    assert due - datetime.now(UTC) > timedelta(days=1)
    learner.app.state.clock = lambda: due + timedelta(minutes=1)  # type: ignore[attr-defined]
    assert learner.get("/api/review/next").json()["problem"] == "vec-slope"


def test_the_most_overdue_problem_is_next(learner: TestClient) -> None:
    send(learner, "vec-slope", WRONG["vec-slope"])
    send(learner, "mat-size", WRONG["mat-size"])
    queue = [c["problem"] for c in progress(learner)["review"]]  # type: ignore[union-attr]
    assert queue == ["vec-slope", "mat-size"]  # missed first, due first
    assert learner.get("/api/review/next").json()["problem"] == "vec-slope"


def test_a_quiz_answer_updates_the_review_card(learner: TestClient) -> None:
    take = learner.post(f"/api/quizzes/{VECTORS}/takes").json()["take"]
    response = learner.post(
        f"/api/quizzes/{VECTORS}/takes/{take}/answers",
        json={"problem": "vec-quiz-slope", "answer": "7"},
    )
    assert response.status_code == 200, response.text
    data = progress(learner)
    assert [c["problem"] for c in data["review"]] == ["vec-quiz-slope"]  # type: ignore[union-attr]
    assert data["attempts"] == 1
    quiz = by_key(data["quizzes"], "lesson")[VECTORS]
    assert (quiz["correct"], quiz["answered"], quiz["finished"]) == (0, 1, False)
    assert by_key(data["skills"], "skill")["scalar-rules"]["wrong"] == 1


def add_attempts_on(client: TestClient, days: list[datetime]) -> None:
    """Stored attempts at the given times, as if sent then (the clock cannot move the
    database's own timestamps)."""
    owner = learner_id(client)
    with sessions(client)() as db:
        for moment in days:
            db.add(
                Attempt(
                    learner_id=owner,
                    problem_id="vec-slope",
                    answer="12",
                    correct=True,
                    feedback_kinds=["correct"],
                    created_at=moment,
                )
            )
        db.commit()


def test_the_streak_counts_consecutive_utc_days_ending_today_or_yesterday(
    learner: TestClient,
) -> None:
    send(learner, "vec-slope", WRONG["vec-slope"])  # creates the learner's row
    today = datetime(2031, 5, 20, 12, 0, tzinfo=UTC)
    # Three days running (the 17th late and the 19th just after midnight UTC), a gap, one more.
    add_attempts_on(
        learner,
        [
            today - timedelta(days=3, hours=11, minutes=30),  # 17th 00:30
            today - timedelta(days=2),  # 18th
            today - timedelta(hours=35, minutes=59),  # 19th 00:01
            today - timedelta(days=6),
        ],
    )
    clock = {"now": today}
    learner.app.state.clock = lambda: clock["now"]  # type: ignore[attr-defined]
    assert progress(learner)["streak"] == 3  # ending yesterday: not lost yet
    add_attempts_on(learner, [today])
    assert progress(learner)["streak"] == 4  # and today
    clock["now"] = today + timedelta(days=1, hours=11, minutes=59)  # the 21st, 23:59
    assert progress(learner)["streak"] == 4  # yesterday counts
    clock["now"] = today + timedelta(days=2)  # the 22nd: a day missed
    assert progress(learner)["streak"] == 0


def test_export_contains_every_attempt_take_and_card(learner: TestClient) -> None:
    send(learner, "vec-slope", WRONG["vec-slope"])
    send(learner, "vec-kink", RIGHT["vec-kink"])
    take = learner.post(f"/api/quizzes/{VECTORS}/takes").json()["take"]
    learner.post(
        f"/api/quizzes/{VECTORS}/takes/{take}/answers",
        json={"problem": "vec-quiz-square", "answer": "2"},
    )
    response = learner.get("/api/progress/export")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    data = json.loads(response.text)
    sent = [
        ("vec-slope", WRONG["vec-slope"], False),
        ("vec-kink", RIGHT["vec-kink"], True),
        ("vec-quiz-square", "2", True),
    ]
    assert [(a["problem"], a["answer"], a["correct"]) for a in data["attempts"]] == sent
    assert all(a["created_at"] for a in data["attempts"])
    assert [t["id"] for t in data["quiz_takes"]] == [take]
    assert [a["problem"] for a in data["quiz_takes"][0]["answers"]] == ["vec-quiz-square"]
    assert {c["problem"] for c in data["review_cards"]} == {p for p, _, _ in sent}
    assert all("stability" in c["card"] for c in data["review_cards"])
    assert data["account"] is None


def counts_for(client: TestClient, owner: int) -> dict[str, int]:
    with sessions(client)() as db:
        takes = select(QuizTake.id).where(QuizTake.learner_id == owner)
        return {
            "learner": db.scalar(select(func.count()).where(Learner.id == owner)) or 0,
            "attempts": db.scalar(select(func.count()).where(Attempt.learner_id == owner)) or 0,
            "takes": db.scalar(select(func.count()).where(QuizTake.learner_id == owner)) or 0,
            "answers": db.scalar(select(func.count()).where(QuizAnswer.take_id.in_(takes))) or 0,
            "cards": db.scalar(select(func.count()).where(ReviewCard.learner_id == owner)) or 0,
        }


def make_account(client: TestClient, owner: int, username: str) -> int:
    with sessions(client)() as db:
        user = User(username=username, password_hash="not-a-real-hash")
        db.add(user)
        db.flush()
        row = db.get(Learner, owner)
        assert row is not None
        row.user_id = user.id
        db.commit()
        return user.id


def test_delete_removes_everything_and_the_next_request_is_a_new_learner(
    learner: TestClient,
) -> None:
    send(learner, "vec-slope", WRONG["vec-slope"])
    take = learner.post(f"/api/quizzes/{VECTORS}/takes").json()["take"]
    learner.post(
        f"/api/quizzes/{VECTORS}/takes/{take}/answers",
        json={"problem": "vec-quiz-square", "answer": "2"},
    )
    owner = learner_id(learner)
    old_cookie = learner.cookies.get("mc_learner")
    user = make_account(learner, owner, f"del-{owner}")
    assert learner.get("/api/progress/export").json()["account"]["username"] == f"del-{owner}"
    assert all(counts_for(learner, owner).values())

    response = learner.delete("/api/progress")
    assert response.status_code == 204
    assert "mc_learner=" in response.headers["set-cookie"]
    assert "max-age=0" in response.headers["set-cookie"].lower()
    assert not learner.cookies.get("mc_learner")
    assert counts_for(learner, owner) == dict.fromkeys(counts_for(learner, owner), 0)
    with sessions(learner)() as db:
        assert db.get(User, user) is None

    assert progress(learner)["attempts"] == 0
    learner.get("/practice")
    assert learner.cookies.get("mc_learner") not in (None, old_cookie)  # a new token
    send(learner, "vec-slope", RIGHT["vec-slope"])
    exported = learner.get("/api/progress/export").json()
    assert [a["answer"] for a in exported["attempts"]] == [RIGHT["vec-slope"]]
    assert exported["account"] is None


def page(client: TestClient, path: str) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def test_the_progress_page_shows_lessons_skills_streak_quizzes_and_the_queue(
    learner: TestClient,
) -> None:
    send(learner, "vec-slope", RIGHT["vec-slope"])
    send(learner, "mat-size", WRONG["mat-size"])
    take = learner.post(f"/api/quizzes/{VECTORS}/takes").json()["take"]
    learner.post(
        f"/api/quizzes/{VECTORS}/takes/{take}/answers",
        json={"problem": "vec-quiz-square", "answer": "2"},
    )
    html = page(learner, "/progress")
    assert html.select_one("nav a[aria-current=page]").get_text() == "Progress"  # type: ignore[union-attr]
    assert html.select_one(".attempt-total").get_text() == "3 counted attempts"  # type: ignore[union-attr]
    assert html.select_one(".streak").get_text() == "Streak: 1 day"  # type: ignore[union-attr]
    vectors = html.select_one(f"[data-lesson='{VECTORS}']")
    assert vectors is not None and "1 of 3 solved" in vectors.get_text()
    assert vectors.select_one("progress")["value"] == "1"  # type: ignore[index]
    skills = {s["data-skill"]: s.get_text(" ", strip=True) for s in html.select(".skill")}
    assert "100%" in skills["scalar-rules"] and "0%" in skills["shapes"]
    queue = [a["href"] for a in html.select(".review-list a")]
    assert queue == ["/practice/mat-size"]
    quiz = html.select_one(f"[data-quiz-lesson='{VECTORS}']")
    assert quiz is not None and "1 of 4 answered" in quiz.get_text()
    assert html.select_one("a[href='/api/progress/export']") is not None
    form = html.select_one("form.delete-progress")
    assert form is not None and form["method"] == "post" and form["action"] == "/progress/delete"
    assert form.select_one("input[type=checkbox][name=confirm]") is not None


def csrf_of(client: TestClient) -> str:
    field = page(client, "/progress").select_one("form.delete-progress input[name=csrf]")
    assert field is not None and field["value"]
    return str(field["value"])


def test_the_delete_form_is_refused_without_this_learners_csrf_token(
    learner: TestClient,
) -> None:
    other = TestClient(learner.app)
    other.get("/practice")
    theirs = csrf_of(other)
    send(learner, "vec-slope", RIGHT["vec-slope"])
    owner = learner_id(learner)
    for token in ("", "forged", theirs):
        refused = learner.post("/progress/delete", data={"confirm": "yes", "csrf": token})
        assert refused.status_code == 403
    assert counts_for(learner, owner)["attempts"] == 1


def test_the_delete_form_needs_its_confirmation(learner: TestClient) -> None:
    send(learner, "vec-slope", RIGHT["vec-slope"])
    owner = learner_id(learner)
    csrf = csrf_of(learner)
    unconfirmed = learner.post("/progress/delete", data={"csrf": csrf}, follow_redirects=False)
    assert unconfirmed.status_code == 303 and "confirm=missing" in unconfirmed.headers["location"]
    assert counts_for(learner, owner)["attempts"] == 1
    assert "Tick the box" in learner.get(unconfirmed.headers["location"]).text

    confirmed = learner.post(
        "/progress/delete", data={"confirm": "yes", "csrf": csrf}, follow_redirects=False
    )
    assert confirmed.status_code == 303
    assert counts_for(learner, owner) == dict.fromkeys(counts_for(learner, owner), 0)
    html = page(learner, confirmed.headers["location"])
    assert "was deleted" in html.get_text()
    assert html.select_one(".attempt-total").get_text() == "0 counted attempts"  # type: ignore[union-attr]


def next_link(client: TestClient, problem: str) -> str | None:
    link = page(client, f"/practice/{problem}").select_one("a.next-problem")
    return None if link is None else str(link["href"])


def test_the_next_problem_is_by_difficulty_then_the_next_lesson(learner: TestClient) -> None:
    problems = fixture_problems()
    practice = [p for p in problems.values() if not str(p["id"]).startswith("vec-quiz")]
    order = sorted(
        practice,
        key=lambda p: (p["id"].startswith("mat"), p["difficulty"]),  # type: ignore[union-attr]
    )
    ids = [str(p["id"]) for p in order]
    for current, following in zip(ids, ids[1:], strict=False):
        assert next_link(learner, current) == f"/practice/{following}"
    assert next_link(learner, ids[-1]) is None
    assert next_link(learner, "vec-quiz-slope") is None


def test_practice_and_lesson_pages_show_what_is_solved(learner: TestClient) -> None:
    # The lesson page is first seen (and kept in the page cache) with nothing solved.
    assert page(learner, f"/lessons/{VECTORS}").select(".problem-list li.solved") == []
    before = page(learner, "/practice/vec-kink").select_one(".solved-state")
    assert before is not None and before["data-solved"] == "false"
    send(learner, "vec-kink", RIGHT["vec-kink"])
    after = page(learner, "/practice/vec-kink").select_one(".solved-state")
    assert after is not None and after["data-solved"] == "true" and "Solved" in after.get_text()

    lesson = page(learner, f"/lessons/{VECTORS}")
    marked = [li.a["href"] for li in lesson.select(".problem-list li.solved")]  # type: ignore[index]
    assert marked == ["/practice/vec-kink"]
    assert "1 of 3 solved" in lesson.select_one(".practice-done").get_text()  # type: ignore[union-attr]
    # Another learner, served from the same cache, sees only their own.
    learner.cookies.clear()
    assert page(learner, f"/lessons/{VECTORS}").select(".problem-list li.solved") == []


def test_deleting_a_signed_up_learners_progress_deletes_the_account(learner: TestClient) -> None:
    password = "correct horse battery"
    name = f"progress-{secrets.token_hex(4)}"
    signed_up = learner.post("/api/account/signup", json={"username": name, "password": password})
    assert signed_up.status_code in (200, 201), signed_up.text
    send(learner, "vec-slope", RIGHT["vec-slope"])
    assert learner.get("/api/progress/export").json()["account"]["username"] == name

    assert learner.delete("/api/progress").status_code == 204
    with sessions(learner)() as db:
        assert db.scalar(select(func.count()).where(User.username == name)) == 0
    assert learner.get("/api/account").json().get("username") is None
    again = learner.post("/api/account/signin", json={"username": name, "password": password})
    assert again.status_code == 401
