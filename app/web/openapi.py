"""The OpenAPI schema at /openapi.json: the JSON API only, with every answer it can give.

FastAPI documents each route's own responses. Four more come from the app as a whole and
are added here, so a client (or schemathesis) knows to expect them: 400 and 413 from the body limit
for any operation with a body, 429 from the rate limits and the busy maths pool for the
operations that run learner maths, and 404 for an operation whose path names something
(a problem, a lesson, a take) that may not exist. A body that is not UTF-8 JSON gets FastAPI's 400. The HTML pages are the site, not the API,
and are left out.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.web.ratelimit import group_of

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "kind": {"type": "string", "examples": ["limit", "rate-limit", "syntax"]},
                "message": {"type": "string"},
                "position": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
            },
            "required": ["kind", "message"],
        }
    },
    "required": ["error"],
}
HTTP_ERROR_SCHEMA: dict[str, Any] = {
    "title": "HTTPError",
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_HTTP_ERROR_REF = {"$ref": "#/components/schemas/HTTPError"}


def _json(description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
        **extra,
    }


TOO_LARGE = _json("The request body is larger than the limit (MC_MAX_BODY_BYTES)", _ERROR_REF)
TOO_MANY = _json(
    "Too many requests from this client, or every maths worker is busy: retry later",
    _ERROR_REF,
    headers={
        "Retry-After": {
            "description": "Seconds to wait before trying again",
            "schema": {"type": "integer"},
        }
    },
)
NOT_FOUND = _json("Nothing of that name exists", _HTTP_ERROR_REF)
UNREADABLE = _json("The body is not JSON in UTF-8", _HTTP_ERROR_REF)


def is_api_path(path: str) -> bool:
    return path.startswith("/api/") or path == "/healthz"


def build_schema(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    schema["paths"] = {path: ops for path, ops in schema["paths"].items() if is_api_path(path)}
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    schemas.setdefault("HTTPError", HTTP_ERROR_SCHEMA)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation:
                responses.setdefault("400", UNREADABLE)
                responses.setdefault("413", TOO_LARGE)
            if group_of(method.upper(), path) is not None:
                responses.setdefault("429", TOO_MANY)
            if "{" in path:
                responses.setdefault("404", NOT_FOUND)
    return schema


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_schema(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
