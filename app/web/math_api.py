"""The maths API: the live "interpreted as" preview and the derivative calculator."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.mathcore.derivative import differentiate, result_shape
from app.mathcore.errors import ParseError
from app.mathcore.evaluate import EvaluationError, Evaluator
from app.mathcore.parse import parse
from app.mathcore.printing import to_latex, to_text
from app.mathcore.values import JSONValue, bind_values, to_json
from app.web.deps import PoolDep

router = APIRouter(prefix="/api", tags=["maths"])

MAX_BODY_TEXT = 10_000
ERROR_RESPONSE: dict[int | str, dict[str, Any]] = {
    422: {
        "description": "The expression cannot be read or differentiated",
        "content": {
            "application/json": {
                "example": {
                    "error": {
                        "kind": "shape",
                        "message": "cannot multiply x^T (1×n) by A (m×p)",
                        "position": 4,
                    }
                }
            }
        },
    }
}


class VariableSpec(BaseModel):
    shape: list[int | str] = Field(default_factory=list, max_length=2)
    properties: list[Literal["symmetric", "spd", "diagonal", "positive", "simplex"]] = Field(
        default_factory=list
    )


Dimension = int | str


class ParseRequest(BaseModel):
    expression: str = Field(max_length=MAX_BODY_TEXT, examples=["x^T A x"])
    variables: dict[str, VariableSpec] | None = None


class ParseResponse(BaseModel):
    latex: str
    shape: list[Dimension]
    variables: dict[str, list[Dimension]]
    text: str = Field(description="The expression in canonical plain text; it parses back.")
    readings: list[str] = Field(
        default_factory=list,
        description="How run-together letters were read, e.g. 'read `Xw` as X w'.",
    )


class DerivativeRequest(BaseModel):
    expression: str = Field(max_length=MAX_BODY_TEXT, examples=["x^T A x"])
    wrt: str = Field(max_length=100, examples=["x"])
    variables: dict[str, VariableSpec] | None = None
    kind: Literal["gradient", "jacobian", "hessian"] | None = None
    layout: Literal["numerator", "denominator"] = "numerator"
    at: dict[str, float | list[float] | list[list[float]]] | None = Field(
        default=None,
        description="Values to evaluate the derivative at: a number, a list (vector) or rows.",
    )


class StepModel(BaseModel):
    rule: str
    latex: str
    formula: str = ""


class CheckModel(BaseModel):
    passed: bool
    max_error: float | None
    message: str


class DerivativeResponse(BaseModel):
    derivative: str = Field(description="The result in plain text; it parses back.")
    latex: str
    shape: list[Dimension]
    steps: list[StepModel]
    verified: bool
    status: Literal["verified", "failed-check", "unverified"] = Field(
        description="failed-check: the result disagrees with its own numerical check; "
        "it is not an answer and should be reported"
    )
    numpy: str
    value: JSONValue
    kind: str
    layout: str
    expression_latex: str
    variables: dict[str, list[Dimension]]
    check: CheckModel
    notes: list[str]


def _declarations(variables: dict[str, VariableSpec] | None) -> dict[str, Any] | None:
    if variables is None:
        return None
    return {name: spec.model_dump() for name, spec in variables.items()}


@router.post("/parse", response_model=ParseResponse, responses=ERROR_RESPONSE)
async def parse_expression(request: ParseRequest, pool: PoolDep) -> ParseResponse:
    """Read an expression: its LaTeX, its shape and the shapes of its variables."""
    return await pool.run(describe, request)


@router.post("/derivative", response_model=DerivativeResponse, responses=ERROR_RESPONSE)
async def derivative(request: DerivativeRequest, pool: PoolDep) -> DerivativeResponse:
    """Differentiate, with the steps, a numerical check, NumPy code and optionally a value."""
    return await pool.run(compute_derivative, request)


# The two functions below run in the maths workers (app.grading.worker), never on the
# server's event loop: learner input can make either of them arbitrarily slow.


def describe(request: ParseRequest) -> ParseResponse:
    parsed = parse(request.expression, _declarations(request.variables))
    return ParseResponse(
        latex=to_latex(parsed.expr),
        shape=result_shape(parsed.expr.shape),
        variables={name: v.declared_form() for name, v in parsed.variables.items()},
        text=to_text(parsed.expr),
        readings=[reading.message() for reading in parsed.readings],
    )


def compute_derivative(request: DerivativeRequest) -> DerivativeResponse:
    parsed = parse(request.expression, _declarations(request.variables))
    result = differentiate(parsed, request.wrt, request.kind, request.layout)
    notes = list(result.notes)
    value: JSONValue = None
    if request.at is not None:
        values, sizes = bind_values(request.at, parsed.variables)
        try:
            value = to_json(Evaluator(values, sizes)(result.expr))
        except EvaluationError as error:
            raise ParseError(f"the derivative has no value at these inputs: {error}") from None
        if value is None or (isinstance(value, list) and None in _flatten(value)):
            notes.append("The derivative is not finite at these values.")
    return DerivativeResponse(
        derivative=to_text(result.expr),
        latex=to_latex(result.expr),
        shape=result_shape(result.shape),
        steps=[StepModel(rule=s.rule, latex=s.latex, formula=s.formula) for s in result.steps],
        verified=result.verified,
        status=result.status,
        numpy=result.numpy,
        value=value,
        kind=result.kind,
        layout=result.layout,
        expression_latex=to_latex(parsed.expr),
        variables={name: v.declared_form() for name, v in parsed.variables.items()},
        check=CheckModel(
            passed=result.check.passed,
            max_error=result.check.max_error if result.check.max_error != float("inf") else None,
            message=result.check.message,
        ),
        notes=notes,
    )


def _flatten(value: list[Any]) -> list[Any]:
    return [x for item in value for x in (item if isinstance(item, list) else [item])]
