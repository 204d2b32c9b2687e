"""The application factory."""

from __future__ import annotations

from fastapi import FastAPI

from app.settings import Settings, get_settings
from app.web.errors import install_error_handlers


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="Matrix Calculus", version="0.1.0")
    app.state.settings = settings
    install_error_handlers(app)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
