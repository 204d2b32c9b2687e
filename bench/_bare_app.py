"""The framework's ceiling for bench/load.py: a FastAPI app with nothing of ours in it.

``/healthz`` answers what ours does, so the difference between the two is what our
middleware, settings and routing cost. ``/page`` sends the bytes in the file named by
``BENCH_PAGE`` (the app's own gzipped lesson page, written by bench/load.py) with the same
headers, so the difference from our lesson page is what our page serving costs beyond
moving that many bytes.

    BENCH_PAGE=page.html.gz .venv/bin/python -m uvicorn bench._bare_app:app --workers 2
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import Response

app = FastAPI()
_PAGE = Path(os.environ["BENCH_PAGE"]).read_bytes() if os.environ.get("BENCH_PAGE") else b""


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/page")
async def page() -> Response:
    headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
    return Response(_PAGE, headers=headers, media_type="text/html")
