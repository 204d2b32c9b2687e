"""What the benchmarks share: a server started as `make run` starts it, the machine's
description, and writing one section of docs/benchmarks.md.

(`make bench` runs bench/[!_]*.py, so this module is imported, never run.)
"""

from __future__ import annotations

import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serve(
    env: dict[str, str],
    app: str = "app.main:create_app",
    *,
    factory: bool = True,
    workers: int = 1,
    access_log: bool = False,
) -> Iterator[str]:
    """``app`` under uvicorn on a free port, in a process group of its own, as `make run`
    starts it (without the access log unless asked); yields its base URL once /healthz
    answers, and stops it (and its workers) afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, *(["--factory"] if factory else [])]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    command += ["--log-level", "warning", *([] if access_log else ["--no-access-log"])]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{app} did not start")
            time.sleep(0.05)
        yield base
    finally:
        server.terminate()  # as Ctrl-C would: uvicorn shuts down and stops its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()


def machine() -> str:
    """Cores, CPU, memory, Python, wrk if installed, and the load average now."""
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    parts = [
        f"{os.cpu_count()} cores ({cpu})",
        f"{memory:.0f} GiB",
        f"Python {platform.python_version()}",
    ]
    if shutil.which("wrk"):
        version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
        parts.append(f"wrk {version.split()[1]}" if len(version.split()) > 1 else "wrk")
    parts.append(f"load average {os.getloadavg()[0]:.1f} at the start")
    return ", ".join(parts)


def write_section(section: str, text: str) -> None:
    """Replace the part of docs/benchmarks.md headed ``section`` (to the next ``## ``) with
    ``text``, or append it."""
    doc = DOC.read_text(encoding="utf-8")
    if section in doc:
        start = doc.index(section)
        following = doc.find("\n## ", start + len(section))
        doc = doc[:start] + text + ("\n" + doc[following + 1 :] if following != -1 else "")
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    DOC.write_text(doc, encoding="utf-8")
