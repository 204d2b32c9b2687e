"""Application settings, read once from the environment (prefix ``MC_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url


def _default_base_dir() -> Path:
    """The checkout holding templates/, static/ and content/ (else the working directory)."""
    source_root = Path(__file__).resolve().parents[1]
    return source_root if (source_root / "templates").is_dir() else Path.cwd()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MC_")

    base_dir: Path = _default_base_dir()
    database_url: str = ""
    debug: bool = False
    """Development mode: re-render a lesson when its file changes."""
    env: Literal["development", "production"] = "development"
    """``MC_ENV``: in production the app refuses to start without ``MC_SECRET_KEY``."""
    secret_key: str = ""
    """Signs the learner cookie and form tokens; empty means a random key kept in data_dir
    (development only: production needs at least ``MIN_SECRET_KEY_BYTES``)."""
    sign_in_window_seconds: int = Field(15 * 60, ge=1)
    """How far back failed sign-ins count towards the limits below."""
    sign_in_failures_per_account: int = Field(5, ge=1)
    """Failed sign-ins for one username within the window before sign-in is refused (429)."""
    sign_in_failures_per_address: int = Field(20, ge=1)
    """Failed sign-ins from one client address within the window before it is refused."""
    content_root: Path | None = None
    """Where lessons/ lives when not under base_dir (tests point it at fixture lessons)."""
    math_workers: int = Field(3, ge=1, le=64)
    """Worker processes per server process for learner maths (parsing, grading, plots).

    Three by default: while one client's slow call holds a worker and a killed worker is
    being replaced, a third still serves everyone else."""
    task_time_limit: float = Field(2.5, gt=0, le=600)
    """Seconds one piece of learner maths may run before its worker is killed."""
    warm_start: bool = True
    """Start and warm the maths workers before serving (tests turn it off for speed)."""
    frame_ancestors: str = "'none'"
    """``MC_FRAME_ANCESTORS``: the CSP ``frame-ancestors`` sources allowed to embed our pages
    in a frame, e.g. an LMS's origin; ``'none'`` (the default) also sends X-Frame-Options."""
    max_body_bytes: int = Field(64 * 1024, ge=1024)
    """``MC_MAX_BODY_BYTES``: larger request bodies (API or form) get a 413 before parsing.
    The largest request still graded, a derivation of 30 lines each as long as the parser
    takes (2,000 characters), is about 61 kB of JSON, so 64 KiB fits it."""
    rate_limit: bool = True
    """``MC_RATE_LIMIT=0`` turns the per-client limits below off (the load benchmark does)."""
    rate_limit_storage: str = "memory://"
    """Where the counts live: ``memory://`` (each server process its own), or
    ``redis://host:6379/0`` so that every process and instance shares them."""
    rate_limit_maths: str = "10/second;300/minute"
    """Grading, checking and differentiating, per client address (`limits` syntax)."""
    rate_limit_preview: str = "20/second;1200/minute"
    """``/api/parse``, sent while the learner types."""
    rate_limit_plots: str = "30/second;1800/minute"
    """The explore figures, sent while the learner drags a point."""
    log_format: Literal["text", "json"] = "text"
    """``MC_LOG_FORMAT=json``: one JSON object per log line, with the request id (app.logs)."""
    access_log: bool = False
    """``MC_ACCESS_LOG=1``: one log record per request (then run uvicorn with
    ``--no-access-log``, so each request is logged once)."""
    https: bool = False
    """``MC_HTTPS=1``: the app is reached only over HTTPS (a TLS proxy in front), so the
    learner cookie is always ``Secure`` and every response carries HSTS, whatever scheme
    the proxy forwards."""
    data_root: Path | None = None
    """Where the app keeps its files (secret key, default SQLite database); see data_dir."""

    @property
    def content_dir(self) -> Path:
        return self.content_root or self.base_dir / "content"

    @property
    def lessons_dir(self) -> Path:
        return self.content_dir / "lessons"

    @property
    def data_dir(self) -> Path:
        """``data_root`` if set, else the folder of a configured SQLite file, else ``data/``.

        Following the database keeps a test's files in its temporary folder, never in the
        checkout, whatever settings it builds.
        """
        if self.data_root is not None:
            return self.data_root
        if self.database_url:
            url = make_url(self.database_url)
            if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
                return Path(url.database).parent
        return self.base_dir / "data"

    @property
    def templates_dir(self) -> Path:
        return self.base_dir / "templates"

    @property
    def static_dir(self) -> Path:
        return self.base_dir / "static"

    @property
    def resolved_database_url(self) -> str:
        """The configured database, or the embedded SQLite file under ``data/``."""
        return self.database_url or f"sqlite:///{self.data_dir / 'app.db'}"


MIN_SECRET_KEY_BYTES = 32


class ConfigurationError(RuntimeError):
    """Settings the app must not start with."""


def check_settings(settings: Settings) -> None:
    """Refuse to run in production with a missing or short secret key.

    >>> check_settings(Settings(env="production", secret_key="short"))
    Traceback (most recent call last):
    ...
    app.settings.ConfigurationError: MC_ENV=production needs MC_SECRET_KEY of at least 32 bytes (it has 5); make one with: python -c "import secrets; print(secrets.token_urlsafe(48))"
    """
    if settings.env != "production":
        return
    length = len(settings.secret_key.encode())
    if length < MIN_SECRET_KEY_BYTES:
        raise ConfigurationError(
            f"MC_ENV=production needs MC_SECRET_KEY of at least {MIN_SECRET_KEY_BYTES} bytes"
            f" (it has {length}); make one with:"
            ' python -c "import secrets; print(secrets.token_urlsafe(48))"'
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
