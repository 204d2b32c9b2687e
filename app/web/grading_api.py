"""The grading API: is an answer equal to the expected one, and is a derivation right?

Every check runs in the grading pool's worker processes (see app.grading.worker), so a
runaway answer is stopped after its time limit and never blocks the event loop.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from app.grading.comparison import DerivativeOf, compare_answer
from app.grading.derivation import DerivationResult, check_derivation
from app.grading.equivalence import grade_expression
from app.grading.verdict import Feedback
from app.grading.worker import GradingPool
from app.mathcore.errors import MathError
from app.web.deps import PoolDep
from app.web.errors import MATH_SOURCE
from app.web.math_api import ERROR_RESPONSE, MAX_BODY_TEXT, VariableSpec

router = APIRouter(prefix="/api", tags=["grading"])
log = logging.getLogger("app.grading_api")

Layout = Literal["numerator", "denominator"]


class FeedbackModel(BaseModel):
    kind: str = Field(examples=["transpose"])
    message: str

    @classmethod
    def of(cls, feedback: list[Feedback]) -> list[FeedbackModel]:
        return [cls(kind=f.kind, message=f.message) for f in feedback]


class DerivativeOfModel(BaseModel):
    f: str = Field(max_length=MAX_BODY_TEXT, examples=["x^T A x"])
    wrt: str = Field(max_length=100, examples=["x"])
    kind: Literal["gradient", "jacobian", "hessian"] | None = None


class CheckRequest(BaseModel):
    expected: str = Field(max_length=MAX_BODY_TEXT, examples=["(A + A^T) x"])
    answer: str = Field(max_length=MAX_BODY_TEXT, examples=["2 A x"])
    variables: dict[str, VariableSpec] | None = Field(
        default=None, examples=[{"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"]}}]
    )
    layout: Layout | None = None
    explain: bool = Field(
        default=False,
        description="For a wrong answer, also send `comparison`: both answers at one point.",
    )
    derivative_of: DerivativeOfModel | None = Field(
        default=None,
        description="What `expected` is the derivative of: adds central differences of f "
        "to the comparison, and for a gradient in two variables a figure.",
    )


class FirstDifferenceModel(BaseModel):
    index: list[int] = Field(description="[row, column], counted from 1.")
    answer: float
    expected: float


class FiniteDifferenceModel(BaseModel):
    value: Any = Field(description="Central differences of f at `at`, shaped as `expected`.")
    step: float = Field(description="The step h.")
    formula: str


class ComparisonModel(BaseModel):
    """A wrong answer beside the truth at one point (seeded: the same every time)."""

    at: dict[str, Any] = Field(
        description="The point: each variable's value (a number, a list for a column "
        "vector, rows for a matrix), entries rounded to two decimals."
    )
    sizes: dict[str, int]
    answer: Any = Field(description="The answer's value there; null if it has none.")
    answer_shape: list[int] | None
    expected: Any = Field(description="The expected answer's value there.")
    expected_shape: list[int]
    first_difference: FirstDifferenceModel | None = Field(
        description="The first entry, row by row, where they differ; null when the shapes "
        "differ or they agree at this point."
    )
    finite_difference: FiniteDifferenceModel | None = None
    figure: dict[str, Any] | None = Field(
        default=None,
        description="Plotly JSON: for a gradient in two variables, the contour plot of f "
        "with the true gradient field and the answer's; for the Jacobian of a map of the "
        "plane, a square around the point mapped by f and by both linearisations.",
    )
    figure_description: str | None = Field(
        default=None, description="What the figure shows, in words (its text alternative)."
    )
    wrt: str | None = None


class CheckResponse(BaseModel):
    equivalent: bool
    answer_latex: str
    answer_text: str = Field(description="The answer as read, in canonical plain text.")
    feedback: list[FeedbackModel]
    method: str = Field(
        description=(
            "What decided the verdict: numeric (sampled values), sympy (a symbolic check),"
            " shape, exact (a number compared exactly or within the problem's tolerance)"
            " or choice."
        )
    )
    comparison: ComparisonModel | None = Field(
        default=None, description="With explain, for a wrong answer that has values."
    )


class DerivationRequest(BaseModel):
    lines: list[str] = Field(
        max_length=30,
        examples=[["d(x^T A x) = dx^T A x + x^T A dx", "= ((A + A^T) x)^T dx"]],
    )
    variables: dict[str, VariableSpec] | None = None
    wrt: str = Field(max_length=100, examples=["x"])
    expected: str | None = Field(default=None, max_length=MAX_BODY_TEXT)
    layout: Layout | None = None


class StepModel(BaseModel):
    line: int = Field(description="The line's index, from 0.")
    ok: bool
    message: str


class DerivationResponse(BaseModel):
    correct: bool
    steps: list[StepModel]
    gradient: str | None = None
    gradient_latex: str | None = None
    feedback: list[FeedbackModel]

    @classmethod
    def of(cls, result: DerivationResult) -> DerivationResponse:
        return cls(
            correct=result.correct,
            steps=[StepModel(line=s.line, ok=s.ok, message=s.message) for s in result.steps],
            gradient=result.gradient,
            gradient_latex=result.gradient_latex,
            feedback=FeedbackModel.of(result.feedback),
        )


def declarations(variables: dict[str, VariableSpec] | None) -> dict[str, Any] | None:
    if variables is None:
        return None
    return {name: spec.model_dump() for name, spec in variables.items()}


@router.post("/check", response_model=CheckResponse, responses=ERROR_RESPONSE)
async def check(body: CheckRequest, pool: PoolDep, request: Request) -> CheckResponse:
    """Grade ``answer`` against ``expected``: the verdict, how it was decided, and why not;
    with ``explain``, a wrong answer's values beside the expected ones at one point."""
    declared = declarations(body.variables)
    # if a text does not read, the error handler suggests a fix from this
    setattr(
        request.state,
        MATH_SOURCE,
        {"text": body.answer, "variables": declared, "expected": body.expected},
    )
    task = partial(grade_expression, layout=body.layout)
    grade = await pool.run(task, body.expected, body.answer, declared)
    comparison = None
    if body.explain and not grade.equivalent and "format" not in grade.verdict.kinds:
        of = body.derivative_of
        spec = DerivativeOf(of.f, of.wrt, of.kind) if of is not None else None
        comparison = await explained(
            pool,
            partial(compare_json, derivative_of=spec, layout=body.layout or "numerator"),
            body.expected,
            body.answer,
            declared,
        )
    return CheckResponse(
        equivalent=grade.equivalent,
        answer_latex=grade.answer_latex,
        answer_text=grade.answer_text,
        feedback=FeedbackModel.of(grade.verdict.feedback),
        method=grade.verdict.method,
        comparison=comparison,
    )


def compare_json(
    expected: str,
    answer: str,
    variables: dict[str, Any] | None,
    *,
    derivative_of: DerivativeOf | None,
    layout: str,
) -> dict[str, Any] | None:
    """Runs in a worker: the comparison as JSON (a figure is plain data already)."""
    comparison = compare_answer(
        expected, answer, variables, derivative_of=derivative_of, layout=layout
    )
    return None if comparison is None else comparison.to_json()


async def explained(pool: GradingPool, task: Any, *args: Any) -> ComparisonModel | None:
    """The comparison, or none if it cannot be had (f does not read, the time limit): the
    verdict stands without it."""
    try:
        # An extra after the grading call: a short budget, so the request stays near 3 s.
        data = await pool.run(task, *args, time_limit=pool.extra_time_limit)
    except MathError:
        return None
    except Exception:  # a bug of ours in an optional extra: logged, and the verdict still sent
        log.exception("the comparison failed")
        return None
    return None if data is None else ComparisonModel.model_validate(data)


@router.post("/check-derivation", response_model=DerivationResponse, responses=ERROR_RESPONSE)
async def check_derivation_route(body: DerivationRequest, pool: PoolDep) -> DerivationResponse:
    """Check each line against the previous one; read the gradient off the last line."""
    result = await pool.run(
        check_derivation,
        body.lines,
        declarations(body.variables),
        body.wrt,
        body.expected,
        body.layout,
    )
    return DerivationResponse.of(result)
