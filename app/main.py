"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.grading.worker import GradingPool
from app.logs import configure_logging
from app.settings import Settings, check_settings, get_settings
from app.store.db import make_engine, make_session_factory
from app.store.migrate import upgrade_to_head
from app.web import (
    accounts,
    api_docs,
    calculator,
    explore,
    grading_api,
    health,
    insight,
    lessons_api,
    math_api,
    pages,
    practice,
    progress,
    quizzes,
    reference,
    viz_api,
)
from app.web.assets import StaticAssets
from app.web.deps import lesson_library_for
from app.web.errors import install_error_handlers
from app.web.learner import install_learner_cookies
from app.web.openapi import install_openapi
from app.web.page_cache import PageCache
from app.web.ratelimit import RateLimit
from app.web.request_context import RequestContext
from app.web.responses import JSONResponse
from app.web.security import install_security
from app.web.templating import make_templates


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app. Lessons are loaded here, so a broken lesson file fails at start-up."""
    settings = settings or get_settings()
    check_settings(settings)  # production without a proper MC_SECRET_KEY does not start
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        upgrade_to_head(settings.resolved_database_url)
        if settings.warm_start:
            # Warm workers before the first request, so the first check is as fast as any.
            await app.state.grading_pool.start()
        yield
        app.state.grading_pool.close()  # stop the grading workers with the app
        engine.dispose()

    # /docs and /redoc come from app.web.api_docs: vendored viewers, no CDN, no inline script.
    app = FastAPI(
        title="Matrix Calculus",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        default_response_class=JSONResponse,  # survives a lone surrogate in what it echoes
    )
    app.state.settings = settings
    # Assets first: templates link them by content-hashed URLs.
    app.state.assets = StaticAssets(settings.static_dir, reload=settings.debug)
    app.state.templates = make_templates(settings, app.state.assets)
    app.state.page_cache = PageCache()  # pages rendered once, served from memory
    accounts.install_accounts(app)  # every page's header shows who is signed in
    app.state.lesson_libraries = {}
    lesson_library_for(app, settings)  # load every lesson now: a broken file stops start-up
    engine = make_engine(settings.resolved_database_url)
    app.state.session_factory = make_session_factory(engine)
    # Every piece of learner maths runs in these killable, memory-capped workers.
    app.state.grading_pool = GradingPool(settings.task_time_limit, settings.math_workers)
    practice.install_practice(app, settings)  # a broken problem file stops start-up too
    reference.install_reference(app, settings)  # and so does a broken reference.yaml

    if settings.rate_limit:  # innermost: counted after the body limit, before any maths
        app.add_middleware(RateLimit, settings=settings)
    # Middleware added later runs outside: the request context reads the learner cookie that
    # the cookie middleware has already checked, to pick the client's maths lane.
    app.add_middleware(RequestContext, settings=settings)
    install_learner_cookies(app, settings)  # every HTML page issues it to a new visitor
    install_security(app, settings)  # outermost: headers on every response, body limit

    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(api_docs.router)
    app.include_router(pages.router)
    app.include_router(lessons_api.router)
    app.include_router(math_api.router)
    app.include_router(grading_api.router)
    app.include_router(practice.router)
    app.include_router(quizzes.router)
    app.include_router(calculator.router)
    app.include_router(viz_api.router)
    app.include_router(explore.router)
    app.include_router(reference.router)
    app.include_router(accounts.router)
    app.include_router(insight.router)
    app.include_router(progress.router)
    app.mount("/static", app.state.assets, name="static")
    install_openapi(app)  # the JSON API only, with the 404, 413 and 429 every client may see
    return app
