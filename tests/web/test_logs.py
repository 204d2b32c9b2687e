"""Structured logs: one JSON object per line, each naming the request it belongs to."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.logs import JsonFormatter, request_id_var
from app.main import create_app
from app.settings import Settings
from tests.conftest import REPO_ROOT, write_fixture_lessons


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """configure_logging changes process-wide loggers: put them back after each test."""
    names = ["", "uvicorn", "uvicorn.error", "uvicorn.access", "app"]
    saved = {
        n: (list(logging.getLogger(n).handlers), logging.getLogger(n).propagate) for n in names
    }
    level = logging.getLogger().level
    yield
    for name, (handlers, propagate) in saved.items():
        logging.getLogger(name).handlers = handlers
        logging.getLogger(name).propagate = propagate
    logging.getLogger().setLevel(level)


def make_settings(folder: Path, **overrides: object) -> Settings:
    return Settings(
        base_dir=REPO_ROOT,
        content_root=write_fixture_lessons(folder / "content"),
        database_url=f"sqlite:///{folder / 'test.db'}",
        data_root=folder / "data",
        warm_start=False,
        **overrides,  # type: ignore[arg-type]
    )


def test_a_record_is_one_json_object_with_its_request_id() -> None:
    record = logging.LogRecord("app.x", logging.WARNING, __file__, 1, "odd %d", (3,), None)
    record.path = "/api/check"
    token = request_id_var.set("abc123")
    try:
        entry = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert entry["message"] == "odd 3" and entry["level"] == "warning"
    assert entry["request_id"] == "abc123" and entry["path"] == "/api/check"
    assert entry["time"].endswith("+00:00")


def test_an_exception_is_kept_in_the_record() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("app", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in entry["exception"]


def test_the_access_log_names_each_request_by_the_id_its_response_carries(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(tmp_path, log_format="json", access_log=True)
    with TestClient(create_app(settings)) as client, caplog.at_level(logging.INFO, "app.access"):
        response = client.get("/healthz")
        missing = client.get("/api/problems/no-such-problem")
    records = [r for r in caplog.records if r.name == "app.access"]
    assert [(r.method, r.path, r.status) for r in records] == [  # type: ignore[attr-defined]
        ("GET", "/healthz", 200),
        ("GET", "/api/problems/no-such-problem", 404),
    ]
    assert records[0].duration_ms >= 0  # type: ignore[attr-defined]
    lines = [json.loads(JsonFormatter().format(r)) for r in records]
    assert lines[0]["request_id"] == response.headers["x-request-id"]
    assert lines[1]["request_id"] == missing.headers["x-request-id"]


def test_json_logs_go_to_one_handler_in_json(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, log_format="json")
    create_app(settings)
    root = logging.getLogger()
    handlers = [h for h in root.handlers if isinstance(h.formatter, JsonFormatter)]
    assert len(handlers) == 1
    stream = io.StringIO()
    handlers[0].setStream(stream)  # type: ignore[attr-defined]
    logging.getLogger("uvicorn.error").warning("started")
    assert json.loads(stream.getvalue())["logger"] == "uvicorn.error"
    create_app(settings)  # a second app in the process does not double every line
    assert len([h for h in root.handlers if isinstance(h.formatter, JsonFormatter)]) == 1
