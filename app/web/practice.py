"""Practice: problem pages, the problems API and attempts (quiz takes: app.web.quizzes)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.content.markdown import render_inline, render_markdown
from app.content.problems import (
    Problem,
    ProblemLibrary,
    parameter_values,
    render_prompt,
    variant_seed,
)
from app.grading.problem_grader import AttemptResult, explain_attempt, grade_attempt
from app.grading.verdict import Feedback
from app.mathcore.errors import MathError
from app.settings import Settings
from app.store import attempts as store
from app.store import review
from app.store.learners import find_learner, get_or_create_learner
from app.store.progress import next_problem
from app.web.deps import (
    DbDep,
    LessonsDep,
    PoolDep,
    SessionFactoryDep,
    SettingsDep,
    TemplatesDep,
)
from app.web.grading_api import ComparisonModel, FeedbackModel, StepModel, explained
from app.web.learner import (
    LearnerCookie,
    read_learner,
    write_learner,
)

router = APIRouter(tags=["practice"])
SOLUTION_AFTER_ATTEMPTS = 3


def install_practice(app: FastAPI, settings: Settings) -> None:
    """Load the problems now (a broken file stops start-up) and let lesson pages list them."""
    library = ProblemLibrary(settings.content_dir / "problems")
    app.state.problem_library = library
    app.state.templates.env.globals["practice_for"] = library.for_lesson
    app.state.templates.env.globals["quiz_for"] = library.quiz


def get_library(request: Request) -> ProblemLibrary:
    library: ProblemLibrary = request.app.state.problem_library
    return library


LibraryDep = Annotated[ProblemLibrary, Depends(get_library)]


def get_learner(request: Request, settings: SettingsDep) -> LearnerCookie:
    return read_learner(request, settings)


LearnerDep = Annotated[LearnerCookie, Depends(get_learner)]


def _problem(library: ProblemLibrary, problem_id: str) -> Problem:
    problem = library.get(problem_id)
    if problem is None:
        raise HTTPException(status_code=404, detail=f"No problem called {problem_id!r}.")
    return problem


class ProblemSummary(BaseModel):
    id: str
    title: str
    lesson: str
    type: str
    difficulty: int | None = Field(default=None, description="1 (one rule) to 3 (several steps).")
    skills: list[str] = Field(default_factory=list, description="The rules it practises.")


class ChoiceModel(BaseModel):
    index: int
    html: str


class ProblemDetail(ProblemSummary):
    prompt_html: str
    variables: dict[str, dict[str, list[Any]]]
    layout: str
    wrt: str | None
    hints_html: list[str]
    choices: list[ChoiceModel]
    attempts: int
    solved: bool


class AttemptRequest(BaseModel):
    answer: str | None = Field(default=None, max_length=10_000, examples=["3 B^T y"])
    lines: list[str] | None = Field(default=None, max_length=30)
    explain: bool = Field(
        default=False,
        description="On a practice problem (not in a quiz), a wrong expression answer also "
        "gets `comparison`: its values beside the answer's at one point.",
    )


class AttemptResponse(BaseModel):
    correct: bool
    feedback: list[FeedbackModel]
    counted: bool = Field(description="False for a format error, which is not an attempt.")
    attempts: int = Field(description="Counted attempts this learner made on the problem.")
    answer_latex: str | None = None
    steps: list[StepModel] = Field(default_factory=list)
    solution_html: str | None = Field(default=None, description="Sent once solved.")
    solution_available: bool = False
    suggestion: str | None = Field(
        default=None,
        description="For an answer that cannot be read: the whole answer with the one most "
        "likely fix, which reads.",
    )
    comparison: ComparisonModel | None = None


class SolutionResponse(BaseModel):
    solution_html: str


def learner_row(db: Session, learner: LearnerCookie) -> int | None:
    return find_learner(db, learner.token, learner.learner_id)


def detail(
    problem: Problem,
    learner: LearnerCookie,
    learner_id: int | None,
    db: Session,
    seed: int | None = None,
) -> ProblemDetail:
    """``seed`` picks the variant (a quiz take's); by default the learner's own."""
    values = parameter_values(
        problem, variant_seed(learner.token, problem.id) if seed is None else seed
    )
    return ProblemDetail(
        id=problem.id,
        title=problem.title,
        lesson=problem.lesson,
        type=problem.type,
        prompt_html=render_markdown(render_prompt(problem, values)).html,
        variables=problem.declarations() if not problem.parameters else {},
        layout=problem.layout,
        wrt=problem.wrt,
        hints_html=[render_inline(hint) for hint in problem.hints],
        choices=[
            ChoiceModel(index=i, html=render_inline(c.text)) for i, c in enumerate(problem.choices)
        ],
        attempts=store.count_attempts(db, learner_id, problem.id),
        solved=store.has_solved(db, learner_id, problem.id),
    )


@router.get(
    "/api/problems",
    response_model=list[ProblemSummary],
    description="The practice problems, easiest first within a lesson; a quiz's questions are "
    "not among them (see /api/quizzes/{lesson}/takes).",
)
def list_problems(
    library: LibraryDep, lesson: Annotated[str | None, Query(max_length=200)] = None
) -> list[ProblemSummary]:
    problems = library.for_lesson(lesson) if lesson else library.practice()
    return [
        ProblemSummary(
            id=p.id,
            title=p.title,
            lesson=p.lesson,
            type=p.type,
            difficulty=p.difficulty,
            skills=list(p.skills),
        )
        for p in problems
    ]


@router.get("/api/problems/{problem_id}", response_model=ProblemDetail)
def get_problem(
    problem_id: str,
    library: LibraryDep,
    learner: LearnerDep,
    db: DbDep,
    response: Response,
    settings: SettingsDep,
) -> ProblemDetail:
    """The problem as this learner sees it (their variant); never the answer."""
    write_learner(response, learner, settings)
    return detail(_problem(library, problem_id), learner, learner_row(db, learner), db)


def variant_values(problem: Problem, learner: LearnerCookie, seed: int | None) -> dict[str, Any]:
    """The parameters of the variant ``seed`` picks (by default the learner's own)."""
    return parameter_values(
        problem, variant_seed(learner.token, problem.id) if seed is None else seed
    )


async def run_attempt(
    pool: PoolDep,
    problem: Problem,
    body: AttemptRequest,
    learner: LearnerCookie,
    seed: int | None = None,
) -> AttemptResult:
    """Grade against the variant ``seed`` picks, as :func:`detail` showed it."""
    values = variant_values(problem, learner, seed)
    try:
        return await pool.run(grade_attempt, problem, body.answer, body.lines, values)
    except MathError as error:  # the time limit: not the learner's attempt
        return AttemptResult(False, [Feedback("limit", error.message)], counted=False)


def record(
    sessions: sessionmaker[Session],
    learner: LearnerCookie,
    problem: Problem,
    body: AttemptRequest,
    result: AttemptResult,
) -> int:
    """Store a counted attempt and return the learner's count; blocking, so the route runs
    it in the thread pool, in a session of its own that lives only for these statements."""
    with sessions() as db:
        if not result.counted:
            return store.count_attempts(db, learner_row(db, learner), problem.id)
        learner_id = get_or_create_learner(db, learner.token, learner.learner_id)
        answer = body.answer if body.lines is None else "\n".join(body.lines)
        attempt = store.record_attempt(
            db, learner_id, problem.id, answer or "", result.correct, result.kinds
        )
        review.after_attempt(db, attempt)  # the learner's review card, in the same commit
        db.commit()
        return store.count_attempts(db, learner_id, problem.id)


@router.post("/api/problems/{problem_id}/attempt", response_model=AttemptResponse)
async def attempt(
    problem_id: str,
    body: AttemptRequest,
    library: LibraryDep,
    learner: LearnerDep,
    sessions: SessionFactoryDep,
    pool: PoolDep,
    response: Response,
    settings: SettingsDep,
) -> AttemptResponse:
    """Grade an answer (or derivation lines); format errors are not counted."""
    problem = _problem(library, problem_id)
    result = await run_attempt(pool, problem, body, learner)
    count = await run_in_threadpool(record, sessions, learner, problem, body, result)
    write_learner(response, learner, settings)
    graded = attempt_response(problem, result, count)
    if body.explain and body.answer and result.counted and not result.correct:
        values = variant_values(problem, learner, None)
        graded.comparison = await explained(pool, explain_attempt, problem, body.answer, values)
    return graded


def attempt_response(problem: Problem, result: AttemptResult, count: int) -> AttemptResponse:
    return AttemptResponse(
        correct=result.correct,
        feedback=FeedbackModel.of(result.feedback),
        counted=result.counted,
        attempts=count,
        answer_latex=result.answer_latex,
        steps=[StepModel(line=s.line, ok=s.ok, message=s.message) for s in result.steps],
        solution_html=render_markdown(problem.solution).html if result.correct else None,
        solution_available=result.correct or count >= SOLUTION_AFTER_ATTEMPTS,
        suggestion=result.suggestion,
    )


@router.get("/api/problems/{problem_id}/solution", response_model=SolutionResponse)
def solution(
    problem_id: str, library: LibraryDep, learner: LearnerDep, db: DbDep
) -> SolutionResponse:
    """The worked solution, once solved or after three counted attempts."""
    problem = _problem(library, problem_id)
    learner_id = learner_row(db, learner)
    solved = store.has_solved(db, learner_id, problem.id)
    count = store.count_attempts(db, learner_id, problem.id)
    if not solved and count < SOLUTION_AFTER_ATTEMPTS:
        raise HTTPException(status_code=403, detail="Try three times first.")
    return SolutionResponse(solution_html=render_markdown(problem.solution).html)


@router.get("/practice", response_class=HTMLResponse, name="practice_index")
def practice_index(
    request: Request, library: LibraryDep, lessons: LessonsDep, templates: TemplatesDep
) -> HTMLResponse:
    groups = [(lesson, library.for_lesson(lesson.slug)) for lesson in lessons.all()]
    context = {"groups": [(lesson, problems) for lesson, problems in groups if problems]}
    return templates.TemplateResponse(request, "practice/index.html", context)


@router.get("/practice/{problem_id}", response_class=HTMLResponse, name="practice_problem")
def practice_page(
    request: Request,
    problem_id: str,
    library: LibraryDep,
    lessons: LessonsDep,
    learner: LearnerDep,
    db: DbDep,
    templates: TemplatesDep,
    settings: SettingsDep,
) -> HTMLResponse:
    problem = _problem(library, problem_id)
    context = {
        "problem": detail(problem, learner, learner_row(db, learner), db),
        "quiz": None,
        "next_problem": next_problem(problem, library, lessons),
    }
    page = templates.TemplateResponse(request, "practice/problem.html", context)
    write_learner(page, learner, settings)
    return page
