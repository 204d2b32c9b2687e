"""The Dockerfile's image, as far as a machine without Docker can check it.

The image is assembled by hand here from the Dockerfile itself: the files its COPY lines
copy, its ENV, and its CMD run as written, so a change to any of them is tested. The
server must come up with more than one worker process, answer /healthz (what its
HEALTHCHECK asks), refuse to start without a secret key (MC_ENV=production), and log JSON.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml

from tests.conftest import REPO_ROOT
from tests.serving.conftest import START_UP_SECONDS, free_port

DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text()


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE)
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def image_env() -> dict[str, str]:
    env = {}
    for keyword, rest in final_stage():
        if keyword == "ENV":
            for item in shlex.split(rest):
                key, _, value = item.partition("=")
                env[key] = value
    return env


def test_the_image_is_multi_stage_unprivileged_and_checks_its_health() -> None:
    steps = instructions()
    assert sum(keyword == "FROM" for keyword, _ in steps) >= 2, "build and run stages"
    final = final_stage()
    users = [rest for keyword, rest in final if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")
    healthchecks = [rest for keyword, rest in final if keyword == "HEALTHCHECK"]
    assert healthchecks and "/healthz" in healthchecks[0]
    assert int(image_env()["WEB_CONCURRENCY"]) > 1
    assert not any(keyword == "RUN" and "gcc" in rest for keyword, rest in final)


def test_the_compose_file_runs_the_app_on_postgresql() -> None:
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    apps = [s for s in services.values() if s.get("build") == "."]
    assert len(apps) >= 2, "several instances share the database"
    for app in apps:
        assert app["environment"]["MC_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "MC_SECRET_KEY" in app["environment"]
    assert services["db"]["image"].startswith("postgres")


def assemble(into: Path) -> Path:
    """Copy what the final stage's COPY lines copy from the build context into ``into``."""
    workdir = into
    for keyword, rest in final_stage():
        if keyword == "WORKDIR":
            workdir = into / rest.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        if keyword == "COPY" and "--from=" not in rest:
            parts = [p for p in shlex.split(rest) if not p.startswith("--")]
            *sources, target = parts
            for source in sources:
                destination = workdir / target
                shutil.copytree(REPO_ROOT / source, destination, dirs_exist_ok=True)
    return workdir


def command() -> list[str]:
    cmd = [rest for keyword, rest in final_stage() if keyword == "CMD"][-1]
    parsed: list[str] = json.loads(cmd)
    return parsed


def test_the_image_command_serves_with_several_workers_and_json_logs(tmp_path: Path) -> None:
    workdir = assemble(tmp_path / "image")
    assert (workdir / "static" / "css" / "site.css").exists()
    port = free_port()
    argv = command()
    argv[argv.index("--port") + 1] = str(port)
    argv[argv.index("--host") + 1] = "127.0.0.1"
    env = {
        **os.environ,
        **image_env(),
        "MC_BASE_DIR": str(workdir),
        "MC_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "MC_DATA_ROOT": str(tmp_path / "data"),
        "MC_SECRET_KEY": "container-test-" + "k" * 40,
        # What this checks needs no warm maths workers: start faster, with one each.
        "MC_WARM_START": "0",
        "MC_MATH_WORKERS": "1",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            argv, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + START_UP_SECONDS
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        page = httpx.get(f"http://127.0.0.1:{port}/calculator", timeout=30)
        assert page.status_code == 200 and "/static/v-" in page.text
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True)
        workers = [pid for pid in children.stdout.split() if pid]
        assert len(workers) >= int(image_env()["WEB_CONCURRENCY"])
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=60)
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    access = [r for r in records if r["logger"] == "app.access" and r.get("path") == "/calculator"]
    assert access and access[0]["status"] == 200 and access[0]["request_id"]


def test_the_image_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    workdir = assemble(tmp_path / "image")
    env = {**os.environ, **image_env(), "MC_BASE_DIR": str(workdir)}
    env.pop("MC_SECRET_KEY", None)
    probe = [sys.executable, "-c", "from app.main import create_app; create_app()"]
    result = subprocess.run(
        probe, cwd=workdir, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "MC_SECRET_KEY" in result.stderr
