"""Visualisations: server time and payload of the explore API, in-process and warm.

For each endpoint: a "new function" (a text never seen, so parsing, SymPy derivatives,
lambdify and the background all run) and a "point update" (same function, new point: cached
compilation and background). Medians over several runs, printed as markdown.

    .venv/bin/python bench/viz.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.main import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402

RUNS = 25


def jacobian(i: int, point: list[float]) -> dict[str, Any]:
    return {"f": [f"x + sin(y) + {i}", f"y + sin(x) - {i}"], "point": point}


def gradient(i: int, point: list[float]) -> dict[str, Any]:
    return {"f": f"x^2 + 2 y^2 + sin(x y) + {i}", "point": point, "direction": [1, 1]}


def finite_differences(i: int, point: list[float]) -> dict[str, Any]:
    return {"f": f"exp(x) sin(x) + {i}", "x": point[0]}


def descent(i: int, point: list[float]) -> dict[str, Any]:
    return {"f": f"x^2 + 2 y^2 + {i}", "start": point, "method": "newton", "iterations": 50}


CASES: list[tuple[str, Callable[[int, list[float]], dict[str, Any]]]] = [
    ("/api/viz/jacobian", jacobian),
    ("/api/viz/gradient", gradient),
    ("/api/viz/finite-differences", finite_differences),
    ("/api/viz/descent", descent),
]


def timed(client: TestClient, url: str, body: dict[str, Any]) -> tuple[float, int]:
    start = time.perf_counter()
    response = client.post(url, json=body)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.text
    return elapsed, len(response.content)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            base_dir=ROOT, database_url=f"sqlite:///{folder}/bench.db", rate_limit=False
        )
        with TestClient(create_app(settings)) as client:
            for url, make in CASES:  # warm the process (imports, first lambdify)
                timed(client, url, make(-1, [1.0, 1.0]))
            print("| endpoint | new function, median ms | point update, median ms | payload KB |")
            print("|---|---|---|---|")
            for url, make in CASES:
                fresh = [timed(client, url, make(i, [1.0, 0.5]))[0] for i in range(RUNS)]
                updates = []
                size = 0
                for i in range(RUNS):
                    point = [0.5 + 0.04 * i, 0.25 - 0.03 * i]
                    elapsed, size = timed(client, url, make(0, point))
                    updates.append(elapsed)
                print(
                    f"| `POST {url}` | {statistics.median(fresh):.1f} "
                    f"| {statistics.median(updates):.1f} | {size / 1024:.0f} |"
                )


if __name__ == "__main__":
    main()
