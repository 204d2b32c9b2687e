"""The framework's ceiling for bench/load.py: a FastAPI app with one route and nothing else.

Its /healthz answers what ours does, so the difference between the two is what our
middleware, settings and routing cost.

    .venv/bin/python -m uvicorn bench._bare_app:app --workers 2
"""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
