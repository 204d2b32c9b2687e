"""``GET /insight``: what the class finds hard, problem by problem (instructors only).

Anonymous visitors get a 401 page with a sign-in link, signed-in learners a 403 page.
``?from=YYYY-MM-DD&to=YYYY-MM-DD`` (UTC days, both included, either optional) limits the
attempts counted; a malformed date or ``from`` after ``to`` is a 422 page saying so. The
queries are in app.store.insight; wrong answers are grouped by meaning in a maths worker
(app.grading.answer_groups), one call per problem with at most 50 distinct texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from app.content.problems import Problem, ProblemLibrary
from app.grading.answer_groups import group_answers
from app.mathcore.errors import MathError
from app.store.insight import Period, ProblemInsight, problem_insight
from app.web.accounts import current_account
from app.web.deps import PoolDep, SessionFactoryDep, TemplatesDep

router = APIRouter(tags=["insight"])
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
WRONG_GROUPS_SHOWN = 5


@dataclass(frozen=True)
class WrongGroup:
    texts: list[tuple[str, int]]
    """The distinct texts of one mistake with their counts, most frequent first."""

    @property
    def count(self) -> int:
        return sum(times for _, times in self.texts)


@dataclass(frozen=True)
class ProblemRow:
    insight: ProblemInsight
    problem: Problem | None
    wrong: list[WrongGroup]


def parse_day(name: str, value: str | None) -> date | None:
    """The day ``value`` names, None if empty; ValueError with a message if malformed."""
    if not value:
        return None
    if DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{name!r} must be a date written YYYY-MM-DD, such as 2026-09-30.")


async def _grouped(
    pool: PoolDep, problem: Problem | None, insight: ProblemInsight
) -> list[WrongGroup]:
    texts = [text for text, _ in insight.wrong_texts]
    if not texts:
        return []
    groups: list[list[int]] | None = None
    if problem is not None:
        try:
            groups = await pool.run(group_answers, problem, texts)
        except MathError:  # the time limit: fall back to the texts themselves
            groups = None
    if groups is None:
        groups = [[index] for index in range(len(texts))]
    found = [WrongGroup([insight.wrong_texts[index] for index in group]) for group in groups]
    return sorted(found, key=lambda group: -group.count)


@router.get("/insight", response_class=HTMLResponse, name="insight")
async def insight_page(
    request: Request,
    templates: TemplatesDep,
    sessions: SessionFactoryDep,
    pool: PoolDep,
) -> HTMLResponse:
    account = await run_in_threadpool(current_account, request)
    if account is None or account.role != "instructor":
        status = 401 if account is None else 403
        page: HTMLResponse = templates.TemplateResponse(
            request, "insight/refused.html", {"signed_in": account is not None}, status_code=status
        )
        return page
    raw_from, raw_to = request.query_params.get("from", ""), request.query_params.get("to", "")
    context: dict[str, object] = {"from": raw_from, "to": raw_to, "rows": [], "error": None}
    try:
        period = Period(parse_day("from", raw_from), parse_day("to", raw_to))
        if period.start and period.end and period.start > period.end:
            raise ValueError("'from' must not be after 'to'.")
    except ValueError as error:
        context["error"] = str(error)
        page = templates.TemplateResponse(request, "insight/index.html", context, status_code=422)
        return page

    def query() -> list[ProblemInsight]:
        with sessions() as session:
            return problem_insight(session, period)

    library: ProblemLibrary = request.app.state.problem_library
    rows = []
    for insight in await run_in_threadpool(query):
        problem = library.get(insight.problem_id)
        wrong = await _grouped(pool, problem, insight)
        rows.append(ProblemRow(insight, problem, wrong[:WRONG_GROUPS_SHOWN]))
    context["rows"] = rows
    page = templates.TemplateResponse(request, "insight/index.html", context)
    return page
