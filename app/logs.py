"""Logging: plain text for a developer's terminal, one JSON object per line in production.

With ``MC_LOG_FORMAT=json`` every record (the app's, uvicorn's and its access log's) is
written to stderr as one JSON object with its time, level, logger, message and the id of
the request it belongs to (the ``X-Request-ID`` the response carries), so a log collector
can search and join them. ``MC_ACCESS_LOG=1`` adds one record per request, with its
method, path, status, duration and client; run uvicorn with ``--no-access-log`` then, so
each request is logged once.

>>> record = logging.LogRecord("app.test", logging.INFO, __file__, 1, "hello %s", ("x",), None)
>>> json.loads(JsonFormatter().format(record))["message"]
'hello x'
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from app.settings import Settings

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
"""The id of the request being served; set by app.web.request_context for each request."""

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record; the record's ``extra`` fields become keys of their own."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _RequestIdFilter(logging.Filter):
    """Text logs get the request id too, at the end of the line."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        record.request_suffix = f" [request {request_id}]" if request_id else ""
        return True


_LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "app")
_installed: list[logging.Handler] = []


def configure_logging(settings: Settings) -> None:
    """Send every record to one stderr handler in the configured format (once per process)."""
    if settings.log_format == "text" and not settings.access_log:
        return  # uvicorn's own logging is the developer's default
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.addFilter(_RequestIdFilter())
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s%(request_suffix)s")
        )
    for old in _installed:
        for name in _LOGGERS:
            logging.getLogger(name).removeHandler(old)
    _installed[:] = [handler]
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if name:
            logger.handlers = [
                h for h in logger.handlers if not isinstance(h, logging.StreamHandler)
            ]
            logger.propagate = True
        else:
            logger.addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)


access_log = logging.getLogger("app.access")
