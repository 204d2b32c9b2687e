"""One place that turns errors into HTTP responses: JSON under /api, HTML pages elsewhere."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.grading.worker import TooManyInFlight
from app.mathcore.errors import MathError, ParseError
from app.mathcore.suggest import suggestion_for
from app.web.request_context import request_id_of
from app.web.responses import JSONResponse

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 2
MATH_SOURCE = "math_source"
"""``request.state`` attribute a route may set to say which text it read (``text``,
``variables``, ``expected``), for the suggestion; else the body's ``expression`` is used."""
log = logging.getLogger("app.errors")


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path == API_PREFIX.rstrip("/") or path.startswith(API_PREFIX)


async def math_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MathError)
    if isinstance(exc, TooManyInFlight):
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return JSONResponse(status_code=429, content={"error": exc.to_dict()}, headers=headers)
    error = exc.to_dict()
    # `suggestion` is the whole text with one fix that reads, or absent (an ambiguous run's
    # own reading, "xy z", is kept in its message and options)
    error.pop("suggestion", None)
    suggestion = await _suggestion(request, exc)
    if suggestion is not None:
        error["suggestion"] = suggestion
    return JSONResponse(status_code=422, content={"error": error})


async def _suggestion(request: Request, exc: MathError) -> str | None:
    """The one most likely fix for a text that does not read, worked out in the maths
    workers (it parses candidates, and the text is the learner's)."""
    if not isinstance(exc, ParseError) or exc.position is None:
        return None
    source = getattr(request.state, MATH_SOURCE, None) or await _expression_in_body(request)
    pool = getattr(request.app.state, "grading_pool", None)
    if not isinstance(source, dict) or pool is None or not isinstance(source.get("text"), str):
        return None
    try:
        suggestion: str | None = await pool.run(
            suggestion_for,
            source["text"],
            exc,
            source.get("variables"),
            source.get("expected"),
            time_limit=pool.extra_time_limit,  # an extra: the request's own call came first
        )
    except MathError:  # the time limit, a busy lane: no suggestion, the error stands
        return None
    return suggestion


async def _expression_in_body(request: Request) -> dict[str, Any] | None:
    """``expression`` and ``variables`` of the JSON body the route has read (and validated)."""
    try:
        body = json.loads(await request.body())
    except (RuntimeError, ValueError):
        return None
    if not isinstance(body, dict) or not isinstance(body.get("expression"), str):
        return None
    variables = body.get("variables")
    return {
        "text": body["expression"],
        "variables": variables if isinstance(variables, dict) else None,
    }


async def internal_error_handler(request: Request, exc: Exception) -> Response:
    """A bug of ours: logged with its traceback and request id; the learner gets our page.

    Starlette calls this from its outermost middleware, so it must not depend on anything
    the failed request may have half set up; if even the page fails, plain HTML it is.
    """
    request_id = request_id_of(request.scope)
    log.error(
        "unhandled error in %s %s (request %s)",
        request.method,
        request.url.path,
        request_id,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    headers = {"X-Request-ID": request_id}
    message = "Something went wrong on our side. It has been logged; please try again."
    if wants_json(request):
        content = {"error": {"kind": "internal", "message": message, "request_id": request_id}}
        return JSONResponse(status_code=500, content=content, headers=headers)
    try:
        templates: Jinja2Templates = request.app.state.templates
        context = {"message": message, "request_id": request_id}
        return templates.TemplateResponse(
            request, "errors/500.html", context, status_code=500, headers=headers
        )
    except Exception:  # the page itself failed: still answer in HTML, never a bare text body
        log.exception("the error page failed too (request %s)", request_id)
        body = f"<!doctype html><title>Error</title><h1>Error</h1><p>{message}</p>"
        return HTMLResponse(body + f"<p>Request {request_id}</p>", 500, headers=headers)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if wants_json(request):
        return JSONResponse(
            status_code=exc.status_code, content={"detail": exc.detail}, headers=exc.headers
        )
    if exc.status_code == 404:
        templates: Jinja2Templates = request.app.state.templates
        return templates.TemplateResponse(
            request, "errors/404.html", {"detail": exc.detail}, status_code=404
        )
    return await http_exception_handler(request, exc)


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """A malformed request body: the maths error shape, with FastAPI's details alongside."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(part) for part in first["loc"] if part != "body")
    message = f"{where}: {first['msg']}" if where else str(first["msg"])
    content = {
        "error": {"kind": "syntax", "message": message, "position": None},
        # Only where and what: echoing the input back could carry NaN, which JSON cannot.
        "detail": [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")}
            for e in errors
        ],
    }
    return JSONResponse(status_code=422, content=content)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MathError, math_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    # Registered for Starlette's class so unknown URLs (raised by the router) come here too.
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(Exception, internal_error_handler)
