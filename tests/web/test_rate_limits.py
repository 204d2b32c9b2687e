"""Per-client rate limits on the maths endpoints: a 429 with Retry-After, per address."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.web.ratelimit import client_key, group_of
from tests.conftest import REPO_ROOT, write_fixture_lessons

DERIVATIVE = {"expression": "x^T A x", "wrt": "x"}
REDIS_URL = os.environ.get("MC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def make_settings(folder: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "rate_limit": True,
        "rate_limit_maths": "3/minute",
        "rate_limit_preview": "5/minute",
        "rate_limit_plots": "5/minute",
        "warm_start": False,
        **overrides,
    }
    return Settings(
        base_dir=REPO_ROOT,
        content_root=write_fixture_lessons(folder / "content"),
        database_url=f"sqlite:///{folder / 'test.db'}",
        data_root=folder / "data",
        **values,  # type: ignore[arg-type]
    )


def random_address() -> str:
    # A fresh address per test, so counts kept in a shared Redis from earlier runs never meet.
    return ".".join(str(random.randint(1, 254)) for _ in range(4))  # noqa: S311


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(tmp_path)), client=(random_address(), 1)) as client:
        yield client


def test_a_client_over_its_budget_gets_a_429_with_retry_after(limited: TestClient) -> None:
    for _ in range(3):
        assert limited.post("/api/derivative", json=DERIVATIVE).status_code == 200
    refused = limited.post("/api/derivative", json=DERIVATIVE)
    assert refused.status_code == 429
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 60
    error = refused.json()["error"]
    assert error["kind"] == "rate-limit" and "try again" in error["message"]
    assert refused.headers["x-content-type-options"] == "nosniff"  # security headers too


def test_grading_shares_the_maths_budget(limited: TestClient) -> None:
    for _ in range(3):
        limited.post("/api/derivative", json=DERIVATIVE)
    check = {"answer": "2 x", "expected": "2 x", "variables": {"x": {"shape": [3]}}}
    assert limited.post("/api/check", json=check).status_code == 429


def test_other_budgets_and_pages_are_untouched(limited: TestClient) -> None:
    for _ in range(4):
        limited.post("/api/derivative", json=DERIVATIVE)
    assert limited.post("/api/parse", json={"expression": "x + x"}).status_code == 200
    assert limited.get("/healthz").status_code == 200
    assert limited.get("/api/problems").status_code == 200
    assert limited.get("/").status_code == 200


def test_each_address_has_its_own_budget(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path))
    with (
        TestClient(app, client=(random_address(), 1)) as first,
        TestClient(app, client=(random_address(), 2)) as second,
    ):
        for _ in range(4):
            first.post("/api/derivative", json=DERIVATIVE)
        assert first.post("/api/derivative", json=DERIVATIVE).status_code == 429
        assert second.post("/api/derivative", json=DERIVATIVE).status_code == 200


def test_limits_can_be_turned_off(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, rate_limit=False)
    with TestClient(create_app(settings), client=(random_address(), 1)) as client:
        codes = {client.post("/api/derivative", json=DERIVATIVE).status_code for _ in range(6)}
    assert codes == {200}


def redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL}")


def test_instances_sharing_redis_share_one_budget(tmp_path: Path) -> None:
    redis_or_skip()
    address = random_address()
    settings = [make_settings(tmp_path / name, rate_limit_storage=REDIS_URL) for name in "ab"]
    with (
        TestClient(create_app(settings[0]), client=(address, 1)) as first,
        TestClient(create_app(settings[1]), client=(address, 2)) as second,
    ):
        codes = [
            client.post("/api/derivative", json=DERIVATIVE).status_code
            for client in (first, second, first, second)
        ]
    assert codes == [200, 200, 200, 429]


def test_an_unreachable_storage_lets_requests_through(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, rate_limit_storage="redis://127.0.0.1:9/0")
    with TestClient(create_app(settings), client=(random_address(), 1)) as client:
        assert client.post("/api/derivative", json=DERIVATIVE).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "group"),
    [
        ("POST", "/api/derivative", "maths"),
        ("POST", "/api/check", "maths"),
        ("POST", "/api/check-derivation", "maths"),
        ("POST", "/api/problems/least-squares/attempt", "maths"),
        ("POST", "/api/quizzes/vectors/takes", "maths"),
        ("POST", "/api/parse", "preview"),
        ("POST", "/api/viz/jacobian", "plots"),
        ("POST", "/api/viz/descent", "plots"),
        ("GET", "/api/problems", None),
        ("GET", "/api/viz/jacobian", None),
        ("POST", "/signin", None),
        ("GET", "/healthz", None),
    ],
)
def test_group_of(method: str, path: str, group: str | None) -> None:
    assert group_of(method, path) == group


@pytest.mark.parametrize(
    ("client", "key"),
    [
        (("203.0.113.7", 1), "203.0.113.7"),
        (("2001:db8:1:2:aaaa::1", 1), "2001:db8:1:2::/64"),
        (("2001:db8:1:2:bbbb::9", 1), "2001:db8:1:2::/64"),  # the same host's network
        (("testclient", 1), "testclient"),
        (None, "unknown"),
    ],
)
def test_client_key(client: tuple[str, int] | None, key: str) -> None:
    assert client_key({"type": "http", "client": client}) == key
