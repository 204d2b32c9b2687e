"""Every endpoint against the hostile corpus: a clean answer, the server up, memory bounded.

Each probe in tests/web/hostile.py must get a 200 or a 4xx whose body says what is wrong
(a JSON error with a message, or an HTML page); none may get a 5xx or break the server.
How fast each answer comes is measured by `make bench` (bench/hostile.py), not here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.conftest import REPO_ROOT
from tests.web.hostile import Probe, probes

PROBES = list(probes())


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("hostile")
    settings = Settings(
        base_dir=REPO_ROOT,  # the real course: its problems and lessons
        database_url=f"sqlite:///{folder / 'test.db'}",
        data_root=folder / "data",
        warm_start=False,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def rss_before(site: TestClient) -> int:
    for _ in range(3):  # warm: the first calls load SymPy and fill caches
        site.post("/api/derivative", json={"expression": "x^T A x", "wrt": "x"})
    return rss_kib(os.getpid())


def send(client: TestClient, probe: Probe):  # type: ignore[no-untyped-def]
    headers = {"content-type": probe.content_type}
    return client.request(probe.method, probe.path, content=probe.body, headers=headers)


@pytest.mark.parametrize("probe", PROBES, ids=[p.name for p in PROBES])
def test_a_hostile_request_gets_a_clean_answer(
    site: TestClient, rss_before: int, probe: Probe
) -> None:
    response = send(site, probe)
    assert response.status_code < 500, response.text[:300]
    if probe.must_refuse:
        assert 400 <= response.status_code < 500, response.text[:300]
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            body = response.json()
            message = body.get("error", {}).get("message") or body.get("detail")
            assert message, body
        else:
            assert content_type.startswith("text/html") and "<h1" in response.text
    assert not Path("/tmp/pwned").exists()


def test_the_server_still_answers_and_its_memory_is_bounded(
    site: TestClient, rss_before: int
) -> None:
    assert site.get("/healthz").status_code == 200
    answer = site.post("/api/derivative", json={"expression": "x^T A x", "wrt": "x"})
    assert answer.status_code == 200 and answer.json()["derivative"] == "(A + A^T) x"
    # The corpus is over 400 requests, some of them 1 MB: the server process keeps none of it.
    grown = rss_kib(os.getpid()) - rss_before
    assert grown < 150 * 1024, f"the server grew by {grown} KiB"
