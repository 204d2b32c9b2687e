"""One place that turns domain errors into HTTP responses (JSON for the API, HTML for pages)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.mathcore.errors import MathError


async def math_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MathError)
    return JSONResponse(status_code=422, content={"error": exc.to_dict()})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MathError, math_error_handler)
