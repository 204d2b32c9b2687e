"""Liveness probe for containers and uptime checks."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    # async: it does no blocking work, so it needs no trip through the thread pool.
    return {"status": "ok"}
