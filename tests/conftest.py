"""Fixtures shared by every test: settings on temporary folders, fixture lessons, a client."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from app.main import create_app
from app.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]

# Tests send many requests from one address: the per-client limits are off unless a test
# turns them on (tests/web/test_rate_limits.py), in this process and in the servers it starts.
os.environ["MC_RATE_LIMIT"] = "0"

# Property tests draw the same examples on every run, so `make test` passes or fails the same
# way on every machine; `make fuzz` explores fresh random examples each time.
hypothesis_settings.register_profile("repeatable", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("fuzz", derandomize=False, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("MC_HYPOTHESIS_PROFILE", "repeatable"))

# Three small lessons that exercise every rendering feature; tests never depend on the
# real lessons in content/lessons, which the content writers change freely.
FIXTURE_LESSONS = {
    "01-scalars.md": """\
        ---
        title: Scalars first
        order: 1
        aliases: [00-scalars]
        summary: Derivatives of $f(x) = x^2$ and friends.
        objectives:
          - Differentiate $x^2$
          - Say why the slope matters
        ---

        A scalar function $f(x) = x^2$ has derivative $f'(x) = 2x$. It costs $5 and $6.

        ## The power rule

        $$
        \\frac{d}{dx} x^n = n x^{n-1}
        $$

        ### A worked case

        ::: example Worked example: the quadratic form $x^T A x$
        The gradient is $(A + A^T) x$.
        :::

        ## Long display maths

        $$
        a_1 + a_2 + a_3 + a_4 + a_5 + a_6 + a_7 + a_8 + a_9 + a_{10} + a_{11} + a_{12}
        $$

        ::: warning
        Mind the shapes.
        :::
        """,
    "02-vectors.md": """\
        ---
        title: Vectors next
        order: 2
        summary: Gradients of functions of a vector.
        ---

        ## Gradients

        The gradient of $x^T x$ is $2x$.

        ```widget jacobian f="[x^2 - y, x y]" point="1,1"
        ```
        """,
    "10-matrices.md": """\
        ---
        title: Matrices last
        order: 3
        summary: Jacobians and beyond.
        ---

        ## Jacobians

        ::: tip
        Write the shape of every term.
        :::
        """,
}


def write_fixture_lessons(content_dir: Path) -> Path:
    """Write FIXTURE_LESSONS into ``content_dir/lessons`` and return content_dir."""
    lessons_dir = content_dir / "lessons"
    lessons_dir.mkdir(parents=True, exist_ok=True)
    for name, text in FIXTURE_LESSONS.items():
        (lessons_dir / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return content_dir


@pytest.fixture
def fixture_content_dir(tmp_path: Path) -> Path:
    return write_fixture_lessons(tmp_path / "content")


@pytest.fixture
def settings(tmp_path: Path, fixture_content_dir: Path) -> Settings:
    """Real templates and static files, fixture lessons, a throwaway SQLite file and data
    folder (the secret key goes there, never into the checkout)."""
    return Settings(
        base_dir=REPO_ROOT,
        content_root=fixture_content_dir,
        database_url=f"sqlite:///{tmp_path / 'data' / 'test.db'}",
        data_root=tmp_path / "data",
        debug=False,
        warm_start=False,  # workers start on first use: most tests never run learner maths
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client on a fresh app; entering it runs the lifespan (database migrations)."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def session_fixture_content_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """FIXTURE_LESSONS once per run, for session-scoped servers (see tests/e2e/conftest.py)."""
    return write_fixture_lessons(tmp_path_factory.mktemp("content"))
