"""Load: the app under 32 concurrent connections, against the framework's own ceiling.

Starts the app as `make run` does, with 2 worker processes (uvicorn, a throwaway SQLite
file), and a bare FastAPI app (bench/_bare_app.py) the same way, then drives each target
with wrk (32 connections, 2 threads) for a few seconds, in rounds, so that every target is
measured at the same points of a noisy machine's load; each figure is the median over the
rounds. Targets: /healthz on both apps, a lesson page, the calculator page, a static asset,
`POST /api/check`, `POST /api/derivative` and a plot point update (`POST /api/viz/gradient`).

The maths requests carry 64 learners' cookies in turn, so the 32 connections are many
learners, as in a class, each with its own lane in the maths workers (one learner gets one
call at a time). The per-address rate limits are off for the run (`MC_RATE_LIMIT=0`): wrk
is one address, and the point is to measure the server, not to watch it refuse.

    .venv/bin/python bench/load.py [--seconds 8] [--rounds 3] [--no-write]

Results are printed and written into docs/benchmarks.md under "Load".
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import _common as common  # noqa: E402

SECTION = "## Load"
CONNECTIONS = 32
THREADS = 2
WORKERS = 2


@dataclass(frozen=True)
class Target:
    name: str
    server: str  # "app" or "bare"
    path: str
    body: dict[str, object] | None = None


CHECK = {"expected": "2 X^T (X w - y)", "answer": "2 X^T X w - 2 X^T y"}
DERIVATIVE = {"expression": "x^T A x", "wrt": "x"}
PLOT = {"f": "x^2 + 3 y^2", "point": [1.0, 0.5]}


def targets(lesson: str, asset: str) -> list[Target]:
    return [
        Target("bare FastAPI /healthz", "bare", "/healthz"),
        Target("/healthz", "app", "/healthz"),
        Target(f"lesson page {lesson}", "app", lesson),
        Target("bare FastAPI, the same page's bytes", "bare", "/page"),
        Target("calculator page", "app", "/calculator"),
        Target("static asset (versioned)", "app", asset),
        Target("POST /api/check", "app", "/api/check", CHECK),
        Target("POST /api/derivative", "app", "/api/derivative", DERIVATIVE),
        Target("plot point update", "app", "/api/viz/gradient", PLOT),
    ]


@dataclass
class Run:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> Run:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+(?:us|ms|s|m))\s*$", output, re.MULTILINE))
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = 0
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(found.group(1))
    if found := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(n) for n in found.groups())
    return Run(rps, _ms(latency["50"]), _ms(latency["99"]), errors, requests)


def wrk(
    url: str, body: dict[str, object] | None, seconds: int, folder: Path, cookies: list[str]
) -> Run:
    """Drive ``url`` (POST ``body`` if given) as the learners whose ``cookies`` are given,
    one after another across the requests: 32 connections are 32 learners, not one."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "10s", "-H", "Accept-Encoding: gzip"]
    if body is not None:
        script = folder / f"post-{abs(hash(url))}.lua"
        lua_cookies = ", ".join(json.dumps(cookie) for cookie in cookies)
        script.write_text(
            f"local cookies = {{{lua_cookies}}}\n"
            f"local body = {json.dumps(json.dumps(body))}\n"
            "local n = 0\n"
            "request = function()\n"
            "  n = n + 1\n"
            "  local headers = {}\n"
            '  headers["Content-Type"] = "application/json"\n'
            '  headers["Cookie"] = cookies[n % #cookies + 1]\n'
            '  return wrk.format("POST", nil, headers, body)\n'
            "end\n"
        )
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def learner_cookies(base: str, count: int) -> list[str]:
    """``count`` learners' cookies, each issued by the app with a first page."""
    cookies = []
    for _ in range(count):
        response = httpx.get(f"{base}/", timeout=10)
        cookies.append(response.headers["set-cookie"].split(";", 1)[0])
    return cookies


def first_lesson(base: str) -> str:
    lessons = httpx.get(f"{base}/api/lessons", timeout=10).json()
    return f"/lessons/{lessons[0]['slug']}"


def versioned_asset(base: str) -> str:
    page = httpx.get(f"{base}/calculator", timeout=10).text
    return re.search(r'href="(/static/v-[0-9a-f]+/css/site\.css)"', page).group(1)  # type: ignore[union-attr]


def report(results: dict[str, list[Run]], names: list[str], seconds: int, rounds: int) -> str:
    def median(name: str, field: str) -> float:
        return statistics.median(getattr(run, field) for run in results[name])

    rps = {name: median(name, "requests_per_second") for name in names}
    bare, health = rps[names[0]], rps[names[1]]
    lesson = names[2]
    lines = [
        SECTION,
        "",
        f"`bench/load.py`, one run on {common.machine()}. The app as `make run` starts it with",
        f"{WORKERS} worker processes and `MC_RATE_LIMIT=0`; the bare app (`bench/_bare_app.py`) the",
        f"same way. wrk with {CONNECTIONS} connections and {THREADS} threads, on the same machine, {seconds} s per",
        f"target in each of {rounds} rounds; medians over the rounds. Errors are non-2xx/3xx",
        "answers and socket errors, summed over the rounds.",
        "",
        "| target | requests/s | p50 ms | p99 ms | errors | of healthz |",
        "|---|---|---|---|---|---|",
    ]
    for name in names:
        errors = sum(run.errors for run in results[name])
        share = f"{100 * rps[name] / health:.0f} %" if name != names[1] else "100 %"
        lines.append(
            f"| {name} | {rps[name]:.0f} | {median(name, 'p50_ms'):.1f} | "
            f"{median(name, 'p99_ms'):.1f} | {errors} | {share} |"
        )
    check_p99 = median("POST /api/check", "p99_ms")
    total_errors = sum(run.errors for runs in results.values() for run in runs)
    goals = [
        ("zero errors", total_errors == 0, f"{total_errors} errors"),
        ("/healthz ≥ 90 % of the bare app's", health >= 0.9 * bare, f"{100 * health / bare:.0f} %"),
        (
            "lesson pages ≥ 80 % of /healthz",
            rps[lesson] >= 0.8 * health,
            f"{100 * rps[lesson] / health:.0f} %",
        ),
        ("`/api/check` p99 ≤ 150 ms", check_p99 <= 150, f"{check_p99:.0f} ms"),
    ]
    lines += ["", "| goal | met | measured |", "|---|---|---|"]
    lines += [
        f"| {goal} | {'yes' if met else '**no**'} | {measured} |" for goal, met, measured in goals
    ]
    check_rps = rps["POST /api/check"]
    if check_p99 > 150:
        lines += [
            "",
            f"`/api/check` is CPU-bound: {check_rps:.0f} checks/s is what the 2 cores give (shared with",
            f"wrk), so with {CONNECTIONS} requests in flight each waits about {CONNECTIONS} / {check_rps:.0f} s ="
            f" {1000 * CONNECTIONS / check_rps:.0f} ms",
            "on average (Little's law), before the spread that makes p99. A p99 of 150 ms at",
            f"{CONNECTIONS} connections needs a higher rate than that: more cores, or fewer connections",
            'per core (see "Why the load goals are missed").',
        ]
    same_bytes = rps[names[3]]
    lines += [
        "",
        "For scale: the bare app sending the lesson page's own gzipped bytes answers",
        f"{same_bytes:.0f}/s ({100 * same_bytes / health:.0f} % of our /healthz); our lesson page is",
        f"{100 * rps[lesson] / same_bytes:.0f} % of that, which is what serving it costs beyond",
        "moving its bytes.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/load.py needs wrk: apt-get install wrk (make bench installs it as root)")
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "MC_DATABASE_URL": f"sqlite:///{folder}/bench.db",
            "MC_SECRET_KEY": "bench-" + "k" * 40,
            "MC_RATE_LIMIT": "0",
        }
        with common.serve(env, workers=WORKERS) as app:
            lesson = first_lesson(app)
            page = Path(folder) / "page.html.gz"
            page.write_bytes(gzipped_page(app + lesson))
            bare_env = {**env, "BENCH_PAGE": str(page)}
            with common.serve(
                bare_env, "bench._bare_app:app", factory=False, workers=WORKERS
            ) as bare:
                results, plan = measure(app, bare, lesson, args, Path(folder))
    text = report(results, [target.name for target in plan], args.seconds, args.rounds)
    print(text)
    if not args.no_write:
        common.write_section(SECTION, text)


def gzipped_page(url: str) -> bytes:
    """The page's bytes as the app sends them to a client that accepts gzip."""
    with httpx.stream("GET", url, headers={"Accept-Encoding": "gzip"}, timeout=10) as response:
        return b"".join(response.iter_raw())


def measure(
    app: str, bare: str, lesson: str, args: argparse.Namespace, folder: Path
) -> tuple[dict[str, list[Run]], list[Target]]:
    plan = targets(lesson, versioned_asset(app))
    bases = {"app": app, "bare": bare}
    cookies = learner_cookies(app, 2 * CONNECTIONS)
    for target in plan:  # warm each worker's caches before measuring
        wrk(bases[target.server] + target.path, target.body, 2, folder, cookies)
    results: dict[str, list[Run]] = {target.name: [] for target in plan}
    for round_number in range(args.rounds):
        for target in plan:
            url = bases[target.server] + target.path
            run = wrk(url, target.body, args.seconds, folder, cookies)
            results[target.name].append(run)
            print(
                f"round {round_number + 1} {target.name}: {run.requests_per_second:.0f}/s "
                f"p50 {run.p50_ms:.1f} ms p99 {run.p99_ms:.1f} ms errors {run.errors}",
                flush=True,
            )
    return results, plan


if __name__ == "__main__":
    main()
