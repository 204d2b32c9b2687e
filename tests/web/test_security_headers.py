"""Security headers on every kind of response, and the 413 for oversized API bodies."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from app.grading.derivation import MAX_LINES
from app.main import create_app
from app.mathcore.syntax import MAX_LENGTH
from app.settings import Settings
from tests.conftest import REPO_ROOT, write_fixture_lessons

BASIC = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "cross-origin-opener-policy": "same-origin",
    "x-frame-options": "DENY",
}
VECTOR = {"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"]}}


def make_settings(folder: Path, **overrides: object) -> Settings:
    return Settings(
        base_dir=REPO_ROOT,
        content_root=write_fixture_lessons(folder / "content"),
        database_url=f"sqlite:///{folder / 'test.db'}",
        data_root=folder / "data",
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def app_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("security"))


@pytest.fixture(scope="module")
def api(app_settings: Settings) -> Iterator[TestClient]:
    """One app with its maths workers for the module (the large-request tests grade)."""
    with TestClient(create_app(app_settings)) as client:
        yield client


def csp_of(response: httpx.Response) -> dict[str, str]:
    """The Content-Security-Policy as {directive: sources}."""
    policy = response.headers["content-security-policy"]
    directives = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return {name: rest for name, rest in directives}


def assert_secure_headers(response: httpx.Response) -> None:
    for name, value in BASIC.items():
        assert response.headers.get(name) == value, (name, response.headers.get(name))
    csp = csp_of(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no inline script, no eval
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'self'" and csp["form-action"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert "strict-transport-security" not in response.headers  # plain HTTP


def test_an_html_page_has_the_headers(api: TestClient) -> None:
    response = api.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert_secure_headers(response)


def test_a_json_endpoint_has_the_headers(api: TestClient) -> None:
    response = api.get("/api/lessons")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert_secure_headers(response)


def test_a_static_file_has_the_headers(api: TestClient) -> None:
    response = api.get("/static/js/math.js")
    assert response.status_code == 200
    assert_secure_headers(response)


def test_a_404_has_the_headers(api: TestClient) -> None:
    for path in ("/no-such-page", "/api/no-such-endpoint", "/static/no-such-file.js"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert_secure_headers(response)


def test_a_422_has_the_headers(api: TestClient) -> None:
    response = api.post("/api/parse", json={"expression": 3})
    assert response.status_code == 422
    assert_secure_headers(response)


def test_a_500_has_the_headers(app_settings: Settings) -> None:
    def explode() -> None:
        raise RuntimeError("a bug in a route")

    app = create_app(app_settings)
    app.add_api_route("/api/explode", explode)
    app.add_api_route("/explode", explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        for path in ("/api/explode", "/explode"):
            response = client.get(path)
            assert response.status_code == 500, path
            assert_secure_headers(response)


def test_hsts_is_sent_over_https_only(app_settings: Settings) -> None:
    app = create_app(app_settings)
    with TestClient(app, base_url="https://testserver") as secure:
        response = secure.get("/")
        assert response.headers["strict-transport-security"] == (
            "max-age=31536000; includeSubDomains"
        )
        assert_secure_headers_but_hsts = {k: response.headers.get(k) for k in BASIC}
        assert assert_secure_headers_but_hsts == BASIC
    with TestClient(app, base_url="http://testserver") as plain:
        assert "strict-transport-security" not in plain.get("/").headers


def test_the_frame_ancestors_setting_is_the_policy(tmp_path: Path) -> None:
    lms = "https://lms.example.edu"
    settings = make_settings(tmp_path, frame_ancestors=lms, warm_start=False)
    with TestClient(create_app(settings)) as client:
        response = client.get("/")
    assert csp_of(response)["frame-ancestors"] == lms
    # X-Frame-Options cannot name an origin: it would forbid the embedding the setting allows.
    assert "x-frame-options" not in response.headers


def test_a_body_over_the_limit_by_content_length_is_a_413(
    api: TestClient, app_settings: Settings
) -> None:
    limit = app_settings.max_body_bytes
    body = {"expression": "x" * (limit + 1)}
    response = api.post("/api/parse", json=body)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["kind"] == "limit" and str(limit) in error["message"]
    assert_secure_headers(response)
    assert api.post("/api/parse", json={"expression": "x + x"}).status_code == 200


def test_a_body_just_within_the_limit_is_parsed(api: TestClient, app_settings: Settings) -> None:
    # Not a 413: the body reaches validation, which refuses the too-long expression itself.
    padding = app_settings.max_body_bytes - len('{"expression": ""}')
    response = api.post(
        "/api/parse",
        content=b'{"expression": "' + b"x" * padding + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422 and response.json()["error"]["kind"] == "syntax"


@pytest.fixture(scope="module")
def live(app_settings: Settings) -> Iterator[str]:
    """The app on a real uvicorn server, so a chunked body really arrives in pieces."""
    server = uvicorn.Server(
        uvicorn.Config(create_app(app_settings), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_a_chunked_body_over_the_limit_is_a_413(live: str, app_settings: Settings) -> None:
    limit = app_settings.max_body_bytes
    chunk = b"x" * 4096
    sent: list[int] = []

    def body() -> Iterator[bytes]:
        yield b'{"expression": "'
        for _ in range(limit // len(chunk) + 2):
            sent.append(len(chunk))
            yield chunk
        yield b'"}'

    with httpx.Client(base_url=live, timeout=60) as client:
        response = client.post(
            "/api/parse", content=body(), headers={"content-type": "application/json"}
        )
        assert "content-length" not in response.request.headers  # it was sent chunked
        assert sum(sent) > limit
        assert response.status_code == 413
        assert response.json()["error"]["kind"] == "limit"
        assert_secure_headers(response)
        after = client.post("/api/parse", json={"expression": "x + x"})
        assert after.status_code == 200 and after.json()["text"]


def test_a_chunked_body_within_the_limit_is_answered(live: str) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"expression": '
        yield b'"x + x"}'

    with httpx.Client(base_url=live, timeout=60) as client:
        response = client.post(
            "/api/parse", content=body(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 200


def test_a_check_at_the_expression_length_limit_is_accepted(api: TestClient) -> None:
    # Both expressions as long as the parser takes (spaces are valid input).
    expected = "(A + A^T) x".ljust(MAX_LENGTH)
    answer = "A x + A^T x".ljust(MAX_LENGTH)
    body = {"expected": expected, "answer": answer, "variables": VECTOR}
    response = api.post("/api/check", json=body)
    assert response.status_code == 200 and response.json()["equivalent"] is True


def test_the_longest_derivation_is_accepted(api: TestClient, app_settings: Settings) -> None:
    # The most lines a derivation may have, each as long as the parser takes: the largest
    # request a learner can make that the app still grades must fit the body limit.
    first = "d(x^T A x) = dx^T A x + x^T A dx"
    middle = "= dx^T A x + x^T A dx"
    last = "= ((A + A^T) x)^T dx"
    lines = [first] + [middle] * (MAX_LINES - 2) + [last]
    body = {"lines": [line.ljust(MAX_LENGTH) for line in lines], "variables": VECTOR, "wrt": "x"}
    size = len(httpx.Request("POST", "http://testserver", json=body).content)
    assert MAX_LINES * MAX_LENGTH < size < app_settings.max_body_bytes
    response = api.post("/api/check-derivation", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["correct"] is True


def test_mc_https_makes_cookies_secure_and_sends_hsts_behind_any_proxy(tmp_path: Path) -> None:
    # A TLS proxy in front that forwards plain HTTP and no scheme: MC_HTTPS=1 says it anyway.
    settings = make_settings(tmp_path, https=True, warm_start=False)
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        response = client.get("/")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    cookie = response.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_without_https_the_cookie_is_not_secure_so_plain_http_keeps_working(
    api: TestClient,
) -> None:
    api.cookies.clear()
    cookie = api.get("/").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie.replace("samesite", "")


def test_a_form_body_over_the_limit_is_a_413_too(api: TestClient, app_settings: Settings) -> None:
    data = {"username": "x" * (app_settings.max_body_bytes + 1), "password": "p"}
    response = api.post("/signin", data=data)
    assert response.status_code == 413
    assert_secure_headers(response)
