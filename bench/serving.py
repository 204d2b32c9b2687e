"""Serving under stress: the first check after a start, slow inputs, and an attacker.

Starts the app the way `make run` does (uvicorn in its own process, a throwaway SQLite
file) and measures, in one run:

- cold start: the first /api/check after the server says it is up, against the median of
  the checks after it (each start is a fresh server);
- slow inputs: inputs that once held the event loop for 14-25 s, each now answered (a
  typed 422 at the time limit, or a result), with a /healthz probe sent while each runs;
- an attacker: an honest learner checks answers one after another for a while, first
  alone, then while an attacker sends one slow input every 2 s; the honest success rate
  and p95 latency of both phases, and their ratio.

    .venv/bin/python bench/serving.py [--seconds 60] [--starts 3] [--no-write]

Results are printed and written into docs/benchmarks.md under "Serving under stress".
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from app.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import _common as common  # noqa: E402

SECTION = "## Serving under stress"

HONEST_CHECKS = [
    {"expected": "(A + A^T) x", "answer": "A x + A^T x"},
    {"expected": "(A + A^T) x", "answer": "2 A x"},
    {"expected": "2 X^T (X w - y)", "answer": "2 X^T X w - 2 X^T y"},
    {"expected": "X^-T", "answer": "inv(X)^T"},
]
TR_300 = "tr(" + " ".join(["X"] * 300) + ")"
DET_200 = "det(" + " ".join(["X"] * 200) + ")"
EXP_90 = "exp(" * 90 + "x" + ")" * 90
SUM_500 = "+".join(f"{k % 9 + 1}x" for k in range(500))  # within the 2,000-character limit
SLOW_INPUTS = [
    ("/api/derivative", "tr(X X … X), 300 factors, by X", {"expression": TR_300, "wrt": "X"}),
    ("/api/derivative", "det(X X … X), 200 factors, by X", {"expression": DET_200, "wrt": "X"}),
    ("/api/viz/gradient", "90 nested exp(", {"f": EXP_90, "point": [0.1, 0.1]}),
    ("/api/parse", "a sum of 500 terms", {"expression": SUM_500}),
]
ATTACK = SLOW_INPUTS[0]


@contextmanager
def serve(workers: int = 1) -> Iterator[str]:
    """The app as `make run` starts it (its access log on), with its own database."""
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ,
            "MC_DATABASE_URL": f"sqlite:///{data}/bench.db",
            "MC_SECRET_KEY": "bench-" + "k" * 40,
            "MC_RATE_LIMIT": "0",  # one address sends everything: measure lanes, not refusals
        }
        with common.serve(env, workers=workers, access_log=True) as base:
            yield base


def timed_post(client: httpx.Client, url: str, body: dict[str, object]) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        status = client.post(url, json=body, timeout=60).status_code
    except httpx.HTTPError:
        status = 0
    return status, (time.perf_counter() - started) * 1000


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def cold_start(starts: int) -> list[tuple[float, float]]:
    """(first check, median of the next 20) in ms, for each fresh start."""
    results = []
    for _ in range(starts):
        with serve() as base, httpx.Client(base_url=base) as client:
            _, first = timed_post(client, "/api/check", HONEST_CHECKS[0])
            rest = [timed_post(client, "/api/check", HONEST_CHECKS[i % 4])[1] for i in range(20)]
            results.append((first, statistics.median(rest)))
    return results


@dataclass
class SlowResult:
    label: str
    status: int
    ms: float
    health_ms: float


def slow_inputs() -> list[SlowResult]:
    results = []
    with serve() as base, httpx.Client(base_url=base) as client:
        for url, label, body in SLOW_INPUTS:
            outcome: dict[str, tuple[int, float]] = {}

            def send(
                u: str = url, b: dict[str, object] = body, o: dict[str, tuple[int, float]] = outcome
            ) -> None:
                o["slow"] = timed_post(client, u, b)

            worker = threading.Thread(target=send)
            worker.start()
            time.sleep(0.3)  # while it runs, is the server still answering?
            started = time.perf_counter()
            httpx.get(f"{base}/healthz", timeout=60)
            health = (time.perf_counter() - started) * 1000
            worker.join()
            status, ms = outcome["slow"]
            results.append(SlowResult(label, status, ms, health))
    return results


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    attacks: list[int] = field(default_factory=list)

    @property
    def success(self) -> float:
        total = len(self.latencies) + self.failures
        return len(self.latencies) / total if total else 0.0


def honest_phase(base: str, seconds: float, attacker: bool) -> Phase:
    phase = Phase()
    stop = threading.Event()

    def send_attack(client: httpx.Client) -> None:
        url, _, body = ATTACK
        phase.attacks.append(timed_post(client, url, body)[0])

    def attack() -> None:
        # No cookie: an attacker need not keep one. One slow input every 2 s.
        with httpx.Client(base_url=base) as client:
            while not stop.is_set():
                threading.Thread(target=send_attack, args=(client,)).start()
                stop.wait(2.0)

    with httpx.Client(base_url=base) as honest:
        honest.get("/")  # the first page view issues the learner cookie
        if attacker:
            threading.Thread(target=attack, daemon=True).start()
        deadline = time.monotonic() + seconds
        i = 0
        while time.monotonic() < deadline:
            status, ms = timed_post(honest, "/api/check", HONEST_CHECKS[i % 4])
            if status == 200:
                phase.latencies.append(ms)
            else:
                phase.failures += 1
            i += 1
    stop.set()
    time.sleep(3)  # let the last attack finish before the server stops
    return phase


def report(
    starts: list[tuple[float, float]], slow: list[SlowResult], alone: Phase, attacked: Phase
) -> str:
    alone_p95, attacked_p95 = (
        percentile(alone.latencies, 0.95),
        percentile(attacked.latencies, 0.95),
    )
    lines = [
        SECTION,
        "",
        f"`bench/serving.py`, one run on {common.machine()}; one uvicorn process (as `make run`) with",
        f"{Settings().math_workers} maths workers, a {Settings().task_time_limit:g} s limit per task.",
        "",
        "**Cold start**: the first `/api/check` after the server is up, against the median of",
        "the 20 after it, each on a fresh start.",
        "",
        "| start | first check | median after | ratio |",
        "| --- | --- | --- | --- |",
    ]
    for k, (first, median) in enumerate(starts, 1):
        lines.append(f"| {k} | {first:.0f} ms | {median:.1f} ms | {first / median:.1f}× |")
    lines += [
        "",
        "**Slow inputs**: each answered at the time limit at most, while `/healthz` sent",
        "during it answers at once.",
        "",
        "| input | endpoint | answer | time | /healthz meanwhile |",
        "| --- | --- | --- | --- | --- |",
    ]
    for (url, _, _), result in zip(SLOW_INPUTS, slow, strict=True):
        lines.append(
            f"| {result.label} | `{url}` | {result.status} | {result.ms:.0f} ms "
            f"| {result.health_ms:.1f} ms |"
        )
    attacks = attacked.attacks
    lines += [
        "",
        "**An attacker**: an honest learner checks answers one after another, alone and then",
        f"while an attacker sends `{ATTACK[1]}` every 2 s ({len(attacks)} sent; answers: "
        + ", ".join(f"{s}: {attacks.count(s)}" for s in sorted(set(attacks)))
        + "; a 0 is an attack still queued in its lane when the server stopped).",
        "",
        "| phase | honest checks | success | median | p95 |",
        "| --- | --- | --- | --- | --- |",
        f"| alone | {len(alone.latencies) + alone.failures} | {alone.success:.1%} "
        f"| {statistics.median(alone.latencies):.1f} ms | {alone_p95:.1f} ms |",
        f"| with the attacker | {len(attacked.latencies) + attacked.failures} "
        f"| {attacked.success:.1%} | {statistics.median(attacked.latencies):.1f} ms "
        f"| {attacked_p95:.1f} ms |",
        "",
        f"Honest p95 with the attacker is {attacked_p95 / alone_p95:.2f}× its value alone "
        f"(goal ≤ 3×); honest success {attacked.success:.1%} (goal ≥ 99 %).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="each attacker phase")
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    starts = cold_start(args.starts)
    slow = slow_inputs()
    with serve() as base:
        alone = honest_phase(base, args.seconds, attacker=False)
        attacked = honest_phase(base, args.seconds, attacker=True)
    text = report(starts, slow, alone, attacked)
    print(text)
    if not args.no_write:
        common.write_section(SECTION, text)


if __name__ == "__main__":
    main()
