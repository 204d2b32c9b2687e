"""Hostile inputs: how long each probe of the corpus takes to be answered.

Starts the app as `make run` does (one uvicorn process, a throwaway SQLite file, the
per-client rate limits off so every probe reaches the maths) and sends each probe of
tests/web/hostile.py once, timing the answer; /healthz is asked after each, so a probe
that blocked the server shows. The goal is every answer in under 3 s, none a 5xx.

    .venv/bin/python bench/hostile.py [--no-write]

Results are printed and written into docs/benchmarks.md under "Hostile inputs".
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import _common as common  # noqa: E402
from tests.web.hostile import probes  # noqa: E402

SECTION = "## Hostile inputs"
GOAL_SECONDS = 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rows: list[tuple[str, int, float]] = []
    health: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "MC_DATABASE_URL": f"sqlite:///{folder}/bench.db",
            "MC_SECRET_KEY": "bench-" + "k" * 40,
            "MC_RATE_LIMIT": "0",
        }
        with (
            common.serve(env) as base,
            httpx.Client(base_url=base, timeout=60) as client,
        ):
            for probe in probes():
                started = time.perf_counter()
                try:
                    response = client.request(
                        probe.method,
                        probe.path,
                        content=probe.body,
                        headers={"content-type": probe.content_type},
                    )
                    status = response.status_code
                except httpx.HTTPError:
                    status = 0
                rows.append((probe.name, status, time.perf_counter() - started))
                started = time.perf_counter()
                client.get("/healthz")
                health.append(time.perf_counter() - started)
    times = [seconds for _, _, seconds in rows]
    classes = Counter(f"{status // 100}xx" if status else "no answer" for _, status, _ in rows)
    slowest = sorted(rows, key=lambda row: -row[2])[:8]
    over = [row for row in rows if row[2] >= GOAL_SECONDS]
    lines = [
        SECTION,
        "",
        f"`bench/hostile.py`, one run on {common.machine()}: the {len(rows)} probes of",
        "`tests/web/hostile.py` sent one at a time to the app as `make run` starts it",
        "(rate limits off), each followed by a `/healthz`.",
        "",
        "| answers | median s | p99 s | max s | over 3 s | /healthz after, max s |",
        "|---|---|---|---|---|---|",
        f"| {', '.join(f'{k}: {v}' for k, v in sorted(classes.items()))} | "
        f"{statistics.median(times):.3f} | {sorted(times)[int(0.99 * (len(times) - 1))]:.3f} | "
        f"{max(times):.2f} | {len(over)} | {max(health):.3f} |",
        "",
        "The slowest probes:",
        "",
        "| probe | status | s |",
        "|---|---|---|",
        *[f"| {name} | {status} | {seconds:.2f} |" for name, status, seconds in slowest],
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        common.write_section(SECTION, text)


if __name__ == "__main__":
    main()
