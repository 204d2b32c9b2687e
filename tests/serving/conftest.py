"""A live server started the way ``make run`` starts it, on a throwaway database.

``LiveServer`` runs ``python -m uvicorn app.main:create_app --factory --workers N`` from the
checkout in a process group of its own, so a test can SIGKILL the whole server (its uvicorn
workers and their maths workers) and start it again on the same database. Its output goes
to a log file in the test's tmp folder; a server that fails to start shows that log.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine

from tests.conftest import REPO_ROOT
from tests.store.postgres import fresh_schema, postgres_url

START_UP_SECONDS = 240.0
"""A ceiling for a cold start on a busy machine (imports, migrations, warm maths workers)."""
STARTED = "Application startup complete."


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "serving: runs a live multi-worker server (tests/serving)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LiveServer:
    """One uvicorn server process group; ``start`` and ``kill`` may be called repeatedly."""

    def __init__(self, database_url: str, folder: Path, workers: int = 2) -> None:
        self.database_url = database_url
        self.folder = folder
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def log_path(self) -> Path:
        return self.log_of(self.starts)

    def log_of(self, start: int) -> Path:
        """The output of the ``start``-th start (from 1)."""
        return self.folder / f"server-{start}.log"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def failure_report(self) -> str:
        """The first traceback in the log (the cause) and the log's end (what followed)."""
        log = self.log()
        first = log.find("Traceback")
        cause = log[first : first + 6000] + "\n...\n" if first >= 0 else ""
        return cause + log[-4000:]

    def start(self) -> None:
        """Start the server and wait until every worker has finished its start-up."""
        self.starts += 1
        environment = {
            **os.environ,
            "MC_DATABASE_URL": self.database_url,
            "MC_SECRET_KEY": "serving-tests-key",
            "MC_DATA_ROOT": str(self.folder / "data"),
            "PYTHONUNBUFFERED": "1",
        }
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "app.main:create_app",
                    "--factory",
                    "--workers",
                    str(self.workers),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                cwd=REPO_ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as one
            )
        deadline = time.monotonic() + START_UP_SECONDS
        while self.log().count(STARTED) < self.workers:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"the server did not start:\n{self.failure_report()}")
            time.sleep(0.2)
        with httpx.Client(base_url=self.url, timeout=30) as client:
            assert client.get("/healthz").status_code == 200

    def kill(self) -> None:
        """SIGKILL every process of the server at once, as a power cut or OOM killer would."""
        self._signal_group(signal.SIGKILL)
        self._wait_for_group()

    def stop(self) -> None:
        self._signal_group(signal.SIGTERM)
        if not self._wait_for_group(timeout=30):
            self.kill()

    def _signal_group(self, number: signal.Signals) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.process.pid, number)

    def _wait_for_group(self, timeout: float = 60) -> bool:
        """Wait for the leader to be reaped and every process of its group to be gone."""
        if self.process is None:
            return True
        deadline = time.monotonic() + timeout
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.1)
        return False


BACKENDS = ["sqlite", "postgresql"]


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """A fresh database: a SQLite file in ``folder``, or a schema of its own on PostgreSQL."""
    if backend == "postgresql":
        with fresh_schema(postgres_url()) as url:
            yield url
    else:
        yield f"sqlite:///{folder / 'db' / 'app.db'}"


@contextmanager
def running(database_url: str, folder: Path) -> Iterator[tuple[LiveServer, Engine]]:
    """A two-worker server on ``database_url`` (not yet started) and an engine for counting
    what it stored; the server is stopped afterwards, whatever the test did to it."""
    live = LiveServer(database_url, folder)
    engine = create_engine(database_url)
    try:
        yield live, engine
    finally:
        live.stop()
        engine.dispose()


@pytest.fixture(scope="package", params=BACKENDS)
def shared_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, Engine]]:
    """One server per backend, started on a fresh database (so its first start-up is also
    the test of two workers migrating at once); a test may kill and restart it, and must
    leave it running."""
    folder = tmp_path_factory.mktemp(f"serving-{request.param}")
    with fresh_database(request.param, folder) as url, running(url, folder) as (live, engine):
        live.start()
        yield live, engine
