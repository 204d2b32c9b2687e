"""The grading API: is an answer equal to the expected one, and is a derivation right?

Every check runs in the grading pool's worker processes (see app.grading.worker), so a
runaway answer is stopped after its time limit and never blocks the event loop.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.grading.derivation import DerivationResult, check_derivation
from app.grading.equivalence import grade_expression
from app.grading.verdict import Feedback
from app.web.deps import PoolDep
from app.web.math_api import ERROR_RESPONSE, MAX_BODY_TEXT, VariableSpec

router = APIRouter(prefix="/api", tags=["grading"])

Layout = Literal["numerator", "denominator"]


class FeedbackModel(BaseModel):
    kind: str = Field(examples=["transpose"])
    message: str

    @classmethod
    def of(cls, feedback: list[Feedback]) -> list[FeedbackModel]:
        return [cls(kind=f.kind, message=f.message) for f in feedback]


class CheckRequest(BaseModel):
    expected: str = Field(max_length=MAX_BODY_TEXT, examples=["(A + A^T) x"])
    answer: str = Field(max_length=MAX_BODY_TEXT, examples=["2 A x"])
    variables: dict[str, VariableSpec] | None = Field(
        default=None, examples=[{"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"]}}]
    )
    layout: Layout | None = None


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
async def check(body: CheckRequest, pool: PoolDep) -> CheckResponse:
    """Grade ``answer`` against ``expected``: the verdict, how it was decided, and why not."""
    task = partial(grade_expression, layout=body.layout)
    grade = await pool.run(task, body.expected, body.answer, declarations(body.variables))
    return CheckResponse(
        equivalent=grade.equivalent,
        answer_latex=grade.answer_latex,
        answer_text=grade.answer_text,
        feedback=FeedbackModel.of(grade.verdict.feedback),
        method=grade.verdict.method,
    )


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
