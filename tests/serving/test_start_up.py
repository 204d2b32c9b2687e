"""Start-up with several workers: ``make run WORKERS=N``, migrations once on a fresh database."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import Engine, text

from tests.conftest import REPO_ROOT
from tests.serving.conftest import LiveServer

pytestmark = pytest.mark.serving


def test_two_workers_migrating_a_fresh_database_both_come_up(
    shared_server: tuple[LiveServer, Engine],
) -> None:
    """The shared server started both workers on a fresh database (LiveServer.start waits
    for both to report their start-up complete); neither raced the other's migration."""
    server, database = shared_server
    log = server.log_of(1).read_text(encoding="utf-8")
    assert log.count("Application startup complete.") == 2
    for sign_of_a_race in ("already exists", "Traceback", "died"):
        assert sign_of_a_race not in log, log[-4000:]
    with database.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ([], "--host 127.0.0.1 --port 8000 --workers 1"),
        (["WORKERS=3", "HOST=0.0.0.0", "PORT=9100"], "--host 0.0.0.0 --port 9100 --workers 3"),
    ],
)
def test_make_run_passes_workers_host_and_port_to_uvicorn(
    variables: list[str], expected: str
) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    dry_run = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", *variables],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    command = dry_run.stdout.strip().splitlines()[-1]
    assert "-m uvicorn app.main:create_app --factory" in command
    assert command.endswith(expected)
