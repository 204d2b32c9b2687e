"""One place that turns errors into HTTP responses: JSON under /api, HTML pages elsewhere."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.grading.worker import TooManyInFlight
from app.mathcore.errors import MathError
from app.web.request_context import request_id_of
from app.web.responses import JSONResponse

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 2
log = logging.getLogger("app.errors")


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path == API_PREFIX.rstrip("/") or path.startswith(API_PREFIX)


async def math_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MathError)
    if isinstance(exc, TooManyInFlight):
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return JSONResponse(status_code=429, content={"error": exc.to_dict()}, headers=headers)
    return JSONResponse(status_code=422, content={"error": exc.to_dict()})


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
