"""Widgets in the browser: how soon a learner sees numbers, measured in headless Chromium.

Starts the app the way `make run` does (uvicorn, its own process, a throwaway SQLite file),
then for each explore page, in a fresh browser context each time (empty cache, as a first
visit):

- first readout: from navigation start to the moment the widget has filled
  its readouts (``data-state="ready"``), and, for context, to its figures drawn
  (``data-figure="drawn"``);
- point update: from changing the point input of each widget to its readout for the new
  point (``data-state`` back to "ready").

Times are taken inside the page (``performance.now()``, whose origin is the navigation), so
Playwright's own round trips are not counted. Medians are printed and written into
docs/benchmarks.md under "Widgets in the browser", with the machine described.

    .venv/bin/python bench/widgets.py [--runs 7] [--updates 10] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Widgets in the browser"
CHROMIUM = "/usr/bin/chromium"
# The same flags as tests/e2e/conftest.py: Debian's chromium, no GPU (software WebGL).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}
FIRST_READOUT_GOAL_MS = 1000.0
POINT_UPDATE_GOAL_MS = 300.0

# Runs in every page before its scripts: note when each widget first reports each state. A
# readout counts from the frame that paints it (the next animation frame after data-state
# turned "ready"), not from the DOM change alone.
RECORD_STATES = """
(() => {
  const seen = (window.__widgetTimes = {});
  new MutationObserver((records) => {
    for (const record of records) {
      const el = record.target;
      if (!el.matches || !el.matches(".widget[data-widget]")) continue;
      const key = [...document.querySelectorAll(".widget[data-widget]")].indexOf(el);
      const times = (seen[key] ??= {});
      const name = `${record.attributeName}=${el.getAttribute(record.attributeName)}`;
      times[name] ??= performance.now();
      if (name === "data-state=ready") {
        requestAnimationFrame(() => { times["readout-painted"] ??= performance.now(); });
      }
    }
  }).observe(document, { subtree: true, attributes: true,
                         attributeFilter: ["data-state", "data-figure"] });
})();
"""

# From a settled widget (figures drawn), change its first number input (the point) as a
# learner typing a number would, and time until the frame that paints its new readout, then
# until its figures are redrawn.
POINT_UPDATE = """
async ([index, value]) => {
  const widget = document.querySelectorAll(".widget[data-widget]")[index];
  const input = widget.querySelector(".widget-controls input[type=number]");
  const when = (test) => new Promise((resolve, reject) => {
    const observer = new MutationObserver(() => check());
    const check = () => {
      if (widget.dataset.state === "error") {
        observer.disconnect();
        reject(new Error("the widget answered an error"));
      } else if (test()) {
        observer.disconnect();
        resolve(performance.now());
      }
    };
    observer.observe(widget, { attributes: true, attributeFilter: ["data-state", "data-figure"] });
    check();
  });
  const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));
  await when(() => widget.dataset.state === "ready" && widget.dataset.figure === "drawn");
  const start = performance.now();
  input.value = String(value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
  await when(() => widget.dataset.state === "ready");
  const readout = await nextFrame();
  const figure = await when(() => widget.dataset.figure === "drawn");
  return [readout - start, figure - start];
}
"""


@dataclass
class WidgetTimes:
    page: str
    widget: str
    first_readout: list[float] = field(default_factory=list)
    request_sent: list[float] = field(default_factory=list)
    request_took: list[float] = field(default_factory=list)
    figure_drawn: list[float] = field(default_factory=list)
    point_update: list[float] = field(default_factory=list)
    point_redrawn: list[float] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "MC_DATABASE_URL": f"sqlite:///{data_dir / 'bench.db'}",
        "MC_DATA_ROOT": str(data_dir),
        "MC_RATE_LIMIT": "0",  # one browser drags as fast as it can
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "app.main:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the app server exited during start-up")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return server, base
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the app server did not answer /healthz within 120 s")


def widget_pages(base: str) -> list[str]:
    with urllib.request.urlopen(f"{base}/explore", timeout=30) as response:
        html = response.read().decode()
    return sorted(set(re.findall(r'href="(/explore/[a-z0-9-]+)"', html)))


def measure(base: str, runs: int, updates: int) -> list[WidgetTimes]:
    from playwright.sync_api import sync_playwright

    results: dict[tuple[str, int], WidgetTimes] = {}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = widget_pages(base)
        if not pages:
            raise RuntimeError("/explore lists no widget pages")
        for run in range(runs + 1):  # run 0 warms the server's caches and is not counted
            for path in pages:
                context = browser.new_context(viewport=VIEWPORT)
                context.set_default_timeout(60_000)
                context.add_init_script(RECORD_STATES)
                page = context.new_page()
                page.goto(base + path)
                widgets = page.locator(".widget[data-widget]")
                page.wait_for_function(
                    """() => [...document.querySelectorAll('.widget[data-widget]')]
                        .every((w) => w.dataset.state === 'ready' && w.dataset.figure === 'drawn')"""
                )
                names = widgets.evaluate_all("ws => ws.map((w) => w.dataset.widget)")
                times: dict[str, dict[str, float]] = page.evaluate("window.__widgetTimes")
                # The widgets' first requests, in the order the widgets sent them.
                requests: list[list[float]] = page.evaluate(
                    """performance.getEntriesByType("resource")
                        .filter((e) => e.name.includes("/api/viz/"))
                        .map((e) => [e.startTime, e.responseEnd - e.startTime])"""
                )
                for index, name in enumerate(names):
                    record = results.setdefault((path, index), WidgetTimes(path, name))
                    marks = times[str(index)]
                    changes: list[list[float]] = []
                    for step in range(updates):
                        value = round(0.3 + 0.1 * step + 0.01 * run, 2)
                        changes.append(page.evaluate(POINT_UPDATE, [index, value]))
                    if run == 0:
                        continue
                    record.first_readout.append(marks["readout-painted"])
                    record.request_sent.append(requests[index][0])
                    record.request_took.append(requests[index][1])
                    record.figure_drawn.append(marks["data-figure=drawn"])
                    record.point_update.extend(readout for readout, _ in changes)
                    record.point_redrawn.extend(figure for _, figure in changes)
                context.close()
        browser.close()
    return list(results.values())


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        if found:
            cpu = found.group(1).strip()
    ram = "unknown RAM"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s+(\d+) kB", meminfo.read_text(), re.MULTILINE)
        if found:
            ram = f"{int(found.group(1)) / 1024**2:.1f} GiB RAM"
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {ram}, {platform.system()} {platform.release()}, "
        f"{chromium.strip() or 'Chromium'} headless without GPU (software WebGL)"
    )


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(results: list[WidgetTimes], runs: int, updates: int) -> list[str]:
    lines = [
        f"Medians over {runs} cold page loads (a fresh browser context each, so Plotly and the "
        f"scripts are fetched every time) and {runs * updates} point updates per widget.",
        "",
        "| page | widget | first readout | (request sent at | server answered in) "
        "| figures drawn | point update → readout | point update → figures |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| `{r.page}` | {r.widget} | {median(r.first_readout):.0f} ms "
            f"| {median(r.request_sent):.0f} ms | {median(r.request_took):.0f} ms "
            f"| {median(r.figure_drawn):.0f} ms | {median(r.point_update):.0f} ms "
            f"| {median(r.point_redrawn):.0f} ms |"
        )
    return lines


def verdict(results: list[WidgetTimes], load: tuple[float, float]) -> list[str]:
    worst_first = max(results, key=lambda r: median(r.first_readout))
    worst_update = max(results, key=lambda r: median(r.point_update))
    first = median(worst_first.first_readout)
    update = median(worst_update.point_update)
    sent = median(worst_first.request_sent)
    took = median(worst_first.request_took)
    met = "met" if first <= FIRST_READOUT_GOAL_MS else "missed"
    lines = [
        f"- First readout ≤ {FIRST_READOUT_GOAL_MS:.0f} ms: **{met}** (slowest median "
        f"{first:.0f} ms, {worst_first.widget} on `{worst_first.page}`). Of those, {sent:.0f} ms "
        f"pass before the widget can send its request (the browser loads and runs the page's "
        f"HTML, CSS, KaTeX and the widget modules), {took:.0f} ms in the server, "
        f"{first - sent - took:.0f} ms from the answer to the painted readout. Nothing on that "
        f"path waits for Plotly; the rest is CPU time, on two cores shared with other work "
        f"(load average {load[0]:.1f} at the start of the run, {load[1]:.1f} at its end)."
    ]
    met = "met" if update <= POINT_UPDATE_GOAL_MS else "missed"
    lines.append(
        f"- Point update ≤ {POINT_UPDATE_GOAL_MS:.0f} ms: **{met}** (slowest median "
        f"{update:.0f} ms, {worst_update.widget} on `{worst_update.page}`)."
    )
    return lines


def write_section(body: list[str]) -> None:
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    section = "\n".join([SECTION, "", *body]).rstrip() + "\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    DOC.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--updates", type=int, default=10)
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs alone")
    args = parser.parse_args(argv)
    try:
        import playwright  # noqa: F401
    except ImportError:
        print("bench/widgets.py needs Playwright: `make install-dev` installs it", file=sys.stderr)
        return 1
    if not Path(CHROMIUM).exists():
        print(f"bench/widgets.py needs {CHROMIUM}: apt-get install chromium", file=sys.stderr)
        return 1
    described = machine()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as data:
        server, base = start_server(Path(data))
        try:
            results = measure(base, args.runs, args.updates)
        finally:
            server.terminate()
            server.wait(timeout=30)
    load = (load_before, os.getloadavg()[0])
    body = [
        "`bench/widgets.py` (run by `make bench`) starts the app as `make run` does and drives "
        "headless Chromium through each explore page. *First readout*: navigation start to "
        'the frame that paints the widget\'s numbers (`data-state="ready"`); *figures '
        'drawn*: to its Plotly figures (`data-figure="drawn"`), which come after the numbers; '
        "*point update*: typing a new point into a settled widget to the readout (and the "
        "figures) for it.",
        "",
        "Before the readouts came first, a widget's numbers waited for the full 4.8 MB Plotly "
        "bundle and its figures: about 6 s on the gradient page, whose 3D surface is drawn in "
        "software WebGL. Now the numbers need only the page's own modules and one request; "
        "the figures follow with the 1.5 MB cartesian bundle (running it is most of the "
        "*figures drawn* column) and, for the surface alone, the 1.75 MB gl3d one.",
        "",
        f"Machine: {described}.",
        "",
        *table(results, args.runs, args.updates),
        "",
        *verdict(results, load),
    ]
    print("\n".join(body))
    if not args.no_write:
        write_section(body)
        print(f"\nwritten to {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
