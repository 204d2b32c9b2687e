"""Accounts on SQLite and PostgreSQL: sign-up, sign-in, sign-out, merging anonymous progress,
CSRF, sign-in throttling, the production key check, make-instructor and /insight.

Each "browser" is its own cookie jar on the module's one app (one grading pool per
backend). Usernames are drawn fresh in every test, so tests never see each other's
accounts; a settable clock (``app.state.clock``) stands in for waiting out the window.
"""

from __future__ import annotations

import secrets
import textwrap
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session

from app.__main__ import main as command_line
from app.main import create_app
from app.settings import ConfigurationError, Settings, get_settings
from app.store.models import Attempt, Learner, QuizTake, ReviewCard, SignInFailure, User
from app.web.learner import COOKIE, LearnerCookie, cookie_value, secret_key, serializer
from tests.conftest import REPO_ROOT, write_fixture_lessons

LESSON = "02-vectors"  # one of the fixture lessons in tests/conftest.py
PROBLEMS = """\
    problems:
      - id: quadratic-gradient
        title: A quadratic form
        prompt: Find $\\nabla_x (x^T A x)$.
        variables:
          A: {shape: [n, n]}
          x: {shape: [n]}
        answer: (A + A^T) x
        solution: $(A + A^\\top) x$.
      - id: cube-slope
        title: A slope
        type: number
        prompt: What is the slope of $x^3$ at $x = 2$?
        answer: "12"
        solution: $3 \\cdot 2^2 = 12$.
    """
GRADIENT, SLOPE = "quadratic-gradient", "cube-slope"
# One mistake (forgetting A is not symmetric) typed two ways, and another mistake.
SAME_MISTAKE, OTHER_MISTAKE = ("2 A x", "A x * 2"), "A^T x"
PASSWORD = "correct horse battery"
WINDOW = 15 * 60
PER_ACCOUNT, PER_ADDRESS = 5, 20


def site_settings(folder: Any, database_url: str, **overrides: Any) -> Settings:
    content = write_fixture_lessons(folder / "content")
    (content / "problems").mkdir(exist_ok=True)
    (content / "problems" / f"{LESSON}.yaml").write_text(
        textwrap.dedent(PROBLEMS), encoding="utf-8"
    )
    fields: dict[str, Any] = {
        "base_dir": REPO_ROOT,
        "content_root": content,
        "database_url": database_url,
        "data_root": folder / "data",
        "warm_start": False,
        "sign_in_window_seconds": WINDOW,
        "sign_in_failures_per_account": PER_ACCOUNT,
        "sign_in_failures_per_address": PER_ADDRESS,
    }
    return Settings(**{**fields, **overrides})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[TestClient]:
    settings = site_settings(tmp_path_factory.mktemp("accounts"), database_url)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def engine(site: TestClient, database_url: str) -> Iterator[Engine]:
    made = create_engine(database_url)
    yield made
    made.dispose()


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(site: TestClient) -> Iterator[Clock]:
    """The app's clock, which the test moves; every sign-in failure is dated by it."""
    clock = Clock()
    site.app.state.clock = clock  # type: ignore[attr-defined]
    yield clock
    del site.app.state.clock  # type: ignore[attr-defined]


class Browser:
    """One browser's cookies on the shared test client."""

    def __init__(self, site: TestClient) -> None:
        self.site = site
        self.jar: dict[str, str] = {}

    def request(self, method: str, url: str, **options: Any) -> Any:
        self.site.cookies.clear()
        for name, value in self.jar.items():
            self.site.cookies.set(name, value)
        response = self.site.request(method, url, **options)
        self.jar = {cookie.name: str(cookie.value) for cookie in self.site.cookies.jar}
        self.site.cookies.clear()
        return response

    def get(self, url: str, **options: Any) -> Any:
        return self.request("GET", url, **options)

    def post(self, url: str, **options: Any) -> Any:
        return self.request("POST", url, **options)

    def attempt(self, problem: str, answer: str) -> dict[str, Any]:
        if COOKIE not in self.jar:
            self.get(f"/practice/{problem}")  # a browser sees the page first
        response = self.post(f"/api/problems/{problem}/attempt", json={"answer": answer})
        assert response.status_code == 200
        body: dict[str, Any] = response.json()
        return body

    def attempts(self, problem: str) -> int:
        return int(self.get(f"/api/problems/{problem}").json()["attempts"])

    def whoami(self) -> dict[str, Any]:
        body: dict[str, Any] = self.get("/api/account").json()
        return body

    def form(self, path: str, **fields: str) -> Any:
        """Fill the form at ``path`` as a person would: its hidden fields come along."""
        page = BeautifulSoup(self.get(path).text, "html.parser")
        form = page.select_one(f'main form[action="{path.split("?")[0]}"]')
        assert form is not None
        data = {
            str(field["name"]): str(field.get("value", ""))
            for field in form.select("input[type=hidden]")
        }
        return self.post(path.split("?")[0], data={**data, **fields})

    def sign_up(self, username: str, password: str = PASSWORD) -> Any:
        return self.post("/api/account/signup", json={"username": username, "password": password})

    def sign_in(self, username: str, password: str = PASSWORD) -> Any:
        return self.post("/api/account/signin", json={"username": username, "password": password})


def new_name() -> str:
    return f"u_{secrets.token_hex(5)}"


def learner_of(engine: Engine, username: str) -> int:
    with Session(engine) as session:
        found = session.scalar(
            select(Learner.id)
            .join(User, Learner.user_id == User.id)
            .where(User.username == username)
        )
    assert found is not None
    return found


def test_sign_up_keeps_the_anonymous_progress_and_shows_the_account(site: TestClient) -> None:
    browser, name = Browser(site), new_name()
    browser.attempt(SLOPE, "7")
    assert browser.whoami() == {"username": None, "role": None}
    response = browser.form("/signup", username=name, password=PASSWORD)
    assert response.status_code == 200 and response.url.path == "/"  # redirected home
    assert browser.whoami() == {"username": name, "role": "learner"}
    assert browser.attempts(SLOPE) == 1
    header = BeautifulSoup(browser.get("/practice").text, "html.parser").select_one("header")
    assert header is not None and name in header.text and "Sign out" in header.text
    assert header.select_one('a[href="/insight"]') is None  # learners have no Insight entry


def put_card(session: Session, learner: int, problem: str, tag: str, due: datetime) -> None:
    """Give the learner a review card for the problem due then (attempts may make one)."""
    card = session.scalar(
        select(ReviewCard).where(ReviewCard.learner_id == learner, ReviewCard.problem_id == problem)
    )
    if card is None:
        card = ReviewCard(learner_id=learner, problem_id=problem, card={}, due=due)
        session.add(card)
    card.card, card.due = {"tag": tag}, due


def test_sign_in_from_a_fresh_browser_merges_its_progress(site: TestClient, engine: Engine) -> None:
    first, name = Browser(site), new_name()
    first.get("/practice")
    assert first.sign_up(name).status_code == 200
    first.attempt(SLOPE, "7")
    account_learner = learner_of(engine, name)

    second = Browser(site)
    second.attempt(SLOPE, "8")
    second.attempt(GRADIENT, "2 A x")
    with Session(engine) as session:
        anonymous = session.scalar(select(Attempt.learner_id).order_by(Attempt.id.desc()).limit(1))
        assert anonymous is not None and anonymous != account_learner
        now = datetime.now(UTC)
        # Both have a card for the slope: the one due sooner (the anonymous one) stays.
        put_card(session, account_learner, SLOPE, "account", now + timedelta(days=5))
        put_card(session, anonymous, SLOPE, "anonymous", now + timedelta(days=1))
        put_card(session, anonymous, GRADIENT, "only", now)
        session.add(QuizTake(learner_id=anonymous, lesson=LESSON, seed="s"))
        session.commit()

    response = second.sign_in(name)
    assert response.status_code == 200 and response.json() == {"username": name, "role": "learner"}
    assert second.attempts(SLOPE) == 2 and second.attempts(GRADIENT) == 1
    assert first.attempts(SLOPE) == 2  # the first browser sees the merged progress too
    with Session(engine) as session:
        assert session.get(Learner, anonymous) is None
        cards = session.execute(
            select(ReviewCard.problem_id, ReviewCard.card).where(
                ReviewCard.learner_id == account_learner
            )
        ).all()
        assert sorted(cards) == sorted([(GRADIENT, {"tag": "only"}), (SLOPE, {"tag": "anonymous"})])
        assert (
            session.scalar(select(QuizTake.learner_id).where(QuizTake.seed == "s"))
            == account_learner
        )


def test_usernames_clash_whatever_their_case(site: TestClient) -> None:
    name = new_name()
    assert Browser(site).sign_up(name.upper().replace("U_", "Ab_")).status_code == 200
    clash = Browser(site).sign_up(name.replace("u_", "aB_"))
    assert clash.status_code == 409 and "taken" in clash.json()["detail"]
    assert clash.json()["field"] == "username"


def test_sign_ups_racing_for_one_name_in_two_cases_make_one_account(site: TestClient) -> None:
    name = new_name()
    start = threading.Barrier(6)
    statuses: list[int] = []

    def send(index: int) -> None:
        spelled = name.upper() if index % 2 else name
        start.wait()
        statuses.append(
            site.post(
                "/api/account/signup", json={"username": spelled, "password": PASSWORD}
            ).status_code
        )

    threads = [threading.Thread(target=send, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    site.cookies.clear()
    assert sorted(statuses) == [200] + [409] * 5


def test_signing_in_to_another_account_never_merges_the_first(site: TestClient) -> None:
    browser, first, second = Browser(site), new_name(), new_name()
    Browser(site).sign_up(second)
    browser.sign_up(first)
    browser.attempt(SLOPE, "7")
    assert browser.sign_in(second).json()["username"] == second
    assert browser.attempts(SLOPE) == 0
    again = Browser(site)
    again.sign_in(first)
    assert again.attempts(SLOPE) == 1


def test_wrong_password_and_unknown_user_get_the_same_message(site: TestClient) -> None:
    name = new_name()
    Browser(site).sign_up(name)
    wrong = Browser(site).sign_in(name, "not the password")
    unknown = Browser(site).sign_in(new_name(), PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"] == "Wrong username or password."
    page = Browser(site).form("/signin", username=name, password="not the password")
    assert page.status_code == 400 and "Wrong username or password." in page.text


@pytest.mark.parametrize(
    ("username", "password", "field", "words"),
    [
        ("ab", PASSWORD, "username", "at least 3"),
        ("a" * 41, PASSWORD, "username", "at most 40"),
        ("with space", PASSWORD, "username", "only letters"),
        ("fine_name", "short", "password", "at least 8"),
        ("fine_name", "x" * 201, "password", "at most 200"),
    ],
)
def test_sign_up_explains_what_is_wrong_beside_the_field(
    site: TestClient, username: str, password: str, field: str, words: str
) -> None:
    answer = Browser(site).sign_up(username, password)
    assert answer.status_code == 422 and answer.json()["field"] == field
    assert words in answer.json()["detail"]
    page = BeautifulSoup(
        Browser(site).form("/signup", username=username, password=password).text, "html.parser"
    )
    box = page.select_one(f"input#{field}")
    error = page.select_one(f"#{field}-error")
    assert box is not None and error is not None and words in error.text
    assert box["aria-invalid"] == "true" and f"{field}-error" in str(box["aria-describedby"])


def test_sign_in_is_throttled_per_account_then_allowed_after_the_window(
    site: TestClient, clock: Clock, engine: Engine
) -> None:
    name = new_name()
    Browser(site).sign_up(name)
    attacker = Browser(site)
    for _ in range(PER_ACCOUNT):
        assert attacker.sign_in(name, "guess guess").status_code == 401
    refused = attacker.sign_in(name)  # even the right password waits
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= WINDOW
    page = Browser(site).form("/signin", username=name, password=PASSWORD)
    assert page.status_code == 429 and "Too many failed sign-ins" in page.text
    clock.now += timedelta(seconds=WINDOW + 1)
    assert Browser(site).sign_in(name).status_code == 200
    with Session(engine) as session:  # the success cleared the account's failures
        assert not session.scalar(
            select(func.count(SignInFailure.id)).where(SignInFailure.key == f"user:{name}")
        )


def test_sign_in_is_throttled_per_address(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, site: TestClient
) -> None:
    """A second app on the same database: the counts are shared, as between instances."""
    settings = site_settings(
        tmp_path_factory.mktemp("address"), database_url, sign_in_failures_per_address=3
    )
    fresh_user = new_name()
    Browser(site).sign_up(fresh_user)
    with TestClient(create_app(settings), client=("203.0.113.7", 50000)) as other:
        for _ in range(3):
            guess = {"username": new_name(), "password": "nope nope"}
            assert other.post("/api/account/signin", json=guess).status_code == 401
        right = {"username": fresh_user, "password": PASSWORD}
        answer = other.post("/api/account/signin", json=right)
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0
    assert Browser(site).sign_in(fresh_user).status_code == 200  # another address is fine


def test_a_form_post_without_its_csrf_token_is_refused(site: TestClient) -> None:
    browser, name = Browser(site), new_name()
    browser.get("/signup")
    refused = browser.post("/signup", data={"username": name, "password": PASSWORD})
    assert refused.status_code == 403 and "expired" in refused.text
    assert Browser(site).sign_in(name).status_code == 401  # no account was made
    # A token from another browser's page does not do either.
    elsewhere = BeautifulSoup(Browser(site).get("/signup").text, "html.parser")
    token = elsewhere.select_one("input[name=csrf]")
    assert token is not None
    forged = browser.post(
        "/signup", data={"username": name, "password": PASSWORD, "csrf": str(token["value"])}
    )
    assert forged.status_code == 403
    assert browser.sign_up(name).status_code == 200
    assert browser.post("/signout").status_code == 403
    assert browser.whoami()["username"] == name


def test_json_endpoints_take_only_json(site: TestClient) -> None:
    browser, name = Browser(site), new_name()
    for path in ("/api/account/signup", "/api/account/signin", "/api/account/signout"):
        answer = browser.post(path, data={"username": name, "password": PASSWORD})
        assert answer.status_code == 415
        plain = browser.post(
            path, content=b'{"username": "x"}', headers={"content-type": "text/plain"}
        )
        assert plain.status_code == 415
    assert browser.whoami()["username"] is None


def test_sign_out_ends_every_copy_of_the_session(site: TestClient) -> None:
    browser, name = Browser(site), new_name()
    browser.sign_up(name)
    browser.attempt(SLOPE, "7")
    copy = Browser(site)
    copy.jar = dict(browser.jar)
    assert copy.whoami()["username"] == name
    assert browser.post("/signout", data={"csrf": ""}).status_code == 403
    home = BeautifulSoup(browser.get("/").text, "html.parser")
    form = home.select_one('header form[action="/signout"]')  # the header's sign-out button
    assert form is not None
    csrf = form.select_one("input[name=csrf]")
    assert csrf is not None
    assert browser.post("/signout", data={"csrf": str(csrf["value"])}).status_code == 200
    assert browser.whoami()["username"] is None and browser.attempts(SLOPE) == 0
    assert copy.whoami()["username"] is None
    again = Browser(site)
    assert again.sign_in(name).status_code == 200 and again.attempts(SLOPE) == 1


def test_a_signed_cookie_naming_another_user_is_not_their_session(
    site: TestClient, engine: Engine
) -> None:
    """Even with the key, a cookie pairing some token with a user id is no way in: the row
    holding the token must be that user's learner."""
    victim = new_name()
    Browser(site).sign_up(victim)
    with Session(engine) as session:
        victim_id = session.scalar(select(User.id).where(User.username == victim))
    assert victim_id is not None
    intruder = Browser(site)
    intruder.attempt(SLOPE, "7")
    token = serializer(b"").loads_unsafe(intruder.jar[COOKIE])[1]["t"]
    key = secret_key(site.app.state.settings)  # type: ignore[attr-defined]
    intruder.jar[COOKIE] = cookie_value(LearnerCookie(token, user_id=victim_id), key)
    assert intruder.whoami() == {"username": None, "role": None}
    assert intruder.attempts(SLOPE) == 1  # still only their own progress


def test_the_cookie_is_secure_over_https(site: TestClient) -> None:
    secure = TestClient(site.app, base_url="https://testserver")
    header = secure.get("/practice").headers["set-cookie"]
    plain = TestClient(site.app).get("/practice").headers["set-cookie"]
    assert (
        "secure" in header.lower()
        and "httponly" in header.lower()
        and "samesite=lax" in header.lower()
    )
    assert "secure" not in plain.lower()


def test_make_instructor_sets_the_role(
    site: TestClient,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = new_name()
    browser = Browser(site)
    browser.sign_up(name)
    monkeypatch.setenv("MC_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        assert command_line(["make-instructor", name.upper()]) == 0
        assert command_line(["make-instructor", new_name()]) == 1
    finally:
        get_settings.cache_clear()
    assert "no user called" in capsys.readouterr().err
    assert browser.whoami() == {"username": name, "role": "instructor"}


def make_instructor(site: TestClient, engine: Engine) -> Browser:
    browser, name = Browser(site), new_name()
    browser.sign_up(name)
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.username == name))
        assert user is not None
        user.role = "instructor"
        session.commit()
    return browser


def test_insight_is_for_instructors(site: TestClient, engine: Engine) -> None:
    anonymous = Browser(site).get("/insight")
    assert anonymous.status_code == 401
    link = BeautifulSoup(anonymous.text, "html.parser").select_one("main a[href^='/signin']")
    assert link is not None
    learner = Browser(site)
    learner.sign_up(new_name())
    assert learner.get("/insight").status_code == 403
    instructor = make_instructor(site, engine)
    page = instructor.get("/insight")
    assert page.status_code == 200
    nav = BeautifulSoup(page.text, "html.parser").select_one('header a[href="/insight"]')
    assert nav is not None


def test_insight_groups_one_mistake_typed_two_ways(site: TestClient, engine: Engine) -> None:
    before = insight_of(make_instructor(site, engine), "")
    for answer in (*SAME_MISTAKE, SAME_MISTAKE[0], OTHER_MISTAKE):
        Browser(site).attempt(GRADIENT, answer)
    solver = Browser(site)
    solver.attempt(GRADIENT, "A^T x")
    solver.attempt(GRADIENT, "A x + A^T x")
    after = insight_of(make_instructor(site, engine), "")
    problem = after[GRADIENT]
    assert int(problem["attempts"]) == int(before.get(GRADIENT, {}).get("attempts", 0)) + 6
    groups = problem["groups"]
    top = groups[0]
    assert set(SAME_MISTAKE) <= set(top["texts"]) and OTHER_MISTAKE not in top["texts"]
    assert any(OTHER_MISTAKE in group["texts"] for group in groups[1:])


def insight_of(browser: Browser, query: str) -> dict[str, dict[str, Any]]:
    """What /insight shows, by problem: its figures, and its wrong-answer groups."""
    page = browser.get(f"/insight{query}")
    assert page.status_code == 200
    found: dict[str, dict[str, Any]] = {}
    for article in BeautifulSoup(page.text, "html.parser").select("article[data-problem]"):
        stats = {str(dd["data-stat"]): dd.text.strip() for dd in article.select("dd[data-stat]")}
        groups = [
            {
                "texts": [code.text for code in row.select("code")],
                "times": int(row.select("[data-stat=times]")[0].text),
            }
            for row in article.select("tr.insight-group")
        ]
        found[str(article["data-problem"])] = {**stats, "groups": groups}
    return found


def test_insight_counts_only_the_chosen_days(site: TestClient, engine: Engine) -> None:
    instructor = make_instructor(site, engine)
    with Session(engine) as session:
        learners = [Learner(token=secrets.token_hex(16)) for _ in range(2)]
        session.add_all(learners)
        session.flush()
        day = datetime(2020, 1, 15, 12, tzinfo=UTC)
        rows = [  # learner 0: wrong, wrong, right; learner 1: right at once; one the day after
            (learners[0].id, "7", False, day),
            (learners[0].id, "8", False, day + timedelta(minutes=1)),
            (learners[0].id, "12", True, day + timedelta(minutes=2)),
            (learners[1].id, "12", True, day + timedelta(minutes=3)),
            (learners[1].id, "13", False, day + timedelta(days=1)),
        ]
        session.add_all(
            Attempt(
                learner_id=learner,
                problem_id=SLOPE,
                answer=answer,
                correct=correct,
                feedback_kinds=[] if correct else ["wrong"],
                created_at=at,
            )
            for learner, answer, correct, at in rows
        )
        session.commit()
    that_day = insight_of(instructor, "?from=2020-01-15&to=2020-01-15")
    assert list(that_day) == [SLOPE]
    slope = that_day[SLOPE]
    assert (slope["attempts"], slope["learners"], slope["success"]) == ("4", "2", "50%")
    assert slope["median"] == "2"  # 3 attempts and 1 attempt to the first right answer
    assert sorted(group["texts"][0] for group in slope["groups"]) == ["7", "8"]
    both = insight_of(instructor, "?from=2020-01-01&to=2020-01-31")
    assert both[SLOPE]["attempts"] == "5"
    assert insight_of(instructor, "?from=2019-01-01&to=2019-12-31") == {}


@pytest.mark.parametrize(
    "query", ["?from=2020-13-01", "?to=yesterday", "?from=2020-02-01&to=2020-01-01"]
)
def test_insight_refuses_bad_dates_clearly(site: TestClient, engine: Engine, query: str) -> None:
    page = make_instructor(site, engine).get(f"/insight{query}")
    assert page.status_code == 422
    error = BeautifulSoup(page.text, "html.parser").select_one("#period-error")
    assert error is not None and ("YYYY-MM-DD" in error.text or "after" in error.text)


def test_production_needs_a_long_secret_key(tmp_path: Any, fixture_content_dir: Any) -> None:
    base = {
        "base_dir": REPO_ROOT,
        "content_root": fixture_content_dir,
        "data_root": tmp_path / "data",
        "database_url": f"sqlite:///{tmp_path / 'data' / 'db.db'}",
        "env": "production",
    }
    for key in ("", "x" * 31):
        with pytest.raises(ConfigurationError, match="MC_SECRET_KEY of at least 32 bytes"):
            create_app(Settings(**base, secret_key=key))
    create_app(Settings(**base, secret_key="k" * 32))
    assert not (
        tmp_path / "data" / "secret_key"
    ).exists()  # production never makes a key of its own
