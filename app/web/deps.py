"""Dependencies routes receive: settings, templates, lessons, database sessions.

The ones that only read app.state are ``async``, so FastAPI calls them on the event loop
instead of sending each through the thread pool (a thread hop costs more than they do).

Tests replace settings with ``app.dependency_overrides[get_settings] = lambda: Settings(...)``
or by passing Settings to create_app; nothing reads a module-level global.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

from app.content.lessons import LessonLibrary
from app.grading.worker import GradingPool
from app.settings import Settings


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]


def lesson_library_for(app: FastAPI, settings: Settings) -> LessonLibrary:
    """The library for ``settings``' lessons folder, loaded on first use and kept on the app.

    create_app calls this once so a broken lesson fails at start-up; routes call it through
    get_lessons, which also honours settings overridden in tests.
    """
    last: tuple[Settings, LessonLibrary] | None = getattr(app.state, "last_lesson_library", None)
    if last is not None and last[0] is settings:
        return last[1]  # the same settings as the last request: no paths to build
    libraries: dict[tuple[str, bool], LessonLibrary] = app.state.lesson_libraries
    key = (str(settings.lessons_dir), settings.debug)
    if key not in libraries:
        libraries[key] = LessonLibrary(settings.lessons_dir, watch=settings.debug)
    app.state.last_lesson_library = (settings, libraries[key])
    return libraries[key]


async def get_lessons(request: Request, settings: SettingsDep) -> LessonLibrary:
    return lesson_library_for(request.app, settings)


LessonsDep = Annotated[LessonLibrary, Depends(get_lessons)]


def get_db(request: Request) -> Iterator[Session]:
    """A session for one request, closed afterwards; commit explicitly in the route."""
    with request.app.state.session_factory() as session:
        yield session


DbDep = Annotated[Session, Depends(get_db)]


async def get_session_factory(request: Request) -> sessionmaker[Session]:
    """For async routes: open a short session inside ``run_in_threadpool``, never on the
    event loop (a SQLite writer may wait seconds for another worker's write)."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]


async def get_grading_pool(request: Request) -> GradingPool:
    """The app's maths workers: every route that runs learner maths goes through them."""
    pool: GradingPool = request.app.state.grading_pool
    return pool


PoolDep = Annotated[GradingPool, Depends(get_grading_pool)]
