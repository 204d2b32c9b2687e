"""The maths API: the live "interpreted as" preview and the derivative calculator."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.mathcore.derivative import differentiate, result_shape
from app.mathcore.errors import ParseError
from app.mathcore.evaluate import EvaluationError, Evaluator
from app.mathcore.parse import parse
from app.mathcore.printing import to_latex, to_text
from app.mathcore.tensor import kronecker_latex, kronecker_text
from app.mathcore.tensor_code import subexpressions
from app.mathcore.tensor_derivative import VEC_CONVENTION
from app.mathcore.tensor_index import structure
from app.mathcore.values import JSONValue, bind_values, to_json
from app.web.deps import PoolDep

router = APIRouter(prefix="/api", tags=["maths"])

MAX_BODY_TEXT = 10_000
MAX_VALUE_SIDE = 200
"""Entries in one vector, rows in one matrix and entries in one row of ``at``."""
MAX_VALUES = 50
"""Variables given values in one request."""
ValueVector = Annotated[list[float], Field(max_length=MAX_VALUE_SIDE)]
ValueRows = Annotated[list[ValueVector], Field(max_length=MAX_VALUE_SIDE)]
MAX_SLICE_ENTRIES = 20_000
"""The largest tensor sent whole for the slice explorer (the value itself may be larger)."""
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
    at: dict[str, float | ValueVector | ValueRows] | None = Field(
        default=None,
        max_length=MAX_VALUES,
        description="Values to evaluate the derivative at: a number, a list (vector) or rows "
        f"(at most {MAX_VALUE_SIDE} entries a side, for at most {MAX_VALUES} variables).",
    )


class StepModel(BaseModel):
    rule: str
    latex: str
    formula: str = ""


class CheckModel(BaseModel):
    passed: bool
    max_error: float | None
    message: str


class FormModel(BaseModel):
    latex: str
    text: str


class FormsModel(BaseModel):
    differential: FormModel | None = Field(
        default=None, description="dF, linear in dX: dF = A dX B (df = A dx for a vector)"
    )
    kronecker: FormModel | None = Field(
        default=None,
        description="The vec-Jacobian with Kronecker products: B^T ⊗ A; by a vector, the "
        "Jacobian (or gradient, or Hessian) as a matrix: ∂f/∂x = A",
    )
    index: FormModel | None = Field(
        default=None, description="Entry by entry: ∂F_ij/∂X_kl = A_ik B_lj (∂f_i/∂x_j = A_ij)"
    )


class IndexEntryModel(BaseModel):
    base: str = Field(description="LaTeX of the matrix, e.g. A or (X^{-1})")
    rows: str | None
    cols: str | None


class IndexTermModel(BaseModel):
    sign: Literal[-1, 1]
    coefficient: str = Field(description="LaTeX of a scalar factor, '' for 1")
    summed: list[str]
    deltas: list[list[str]]
    entries: list[IndexEntryModel]


class IndexStructureModel(BaseModel):
    free: list[str | None] = Field(
        description="The letters of F's rows, F's columns, X's rows, X's columns (null: size 1)"
    )
    sizes: list[Dimension] = Field(description="The size of each of the four (1 where null)")
    terms: list[IndexTermModel]


class NamedModel(BaseModel):
    name: str = Field(examples=["t_0"])
    latex: str
    text: str


class SlicesModel(BaseModel):
    function_shape: list[int] = Field(description="The shape of F ([] scalar, [n] vector)")
    variable_shape: list[int] = Field(description="The shape of X")
    tensor: Any = Field(
        description="T[i][j][k][l] = ∂F_ij/∂X_kl, nested lists shaped F's shape then X's "
        "(for a Hessian, F is the gradient)"
    )


class DerivativeResponse(BaseModel):
    derivative: str = Field(
        description="The result in plain text; it parses back (for a vec-Jacobian or a Hessian "
        "by a matrix, its Kronecker form, which does not)."
    )
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
    forms: FormsModel | None = Field(
        default=None,
        description="For a vec-Jacobian, a Hessian by a matrix, or any derivative by a vector: "
        "the differential, Kronecker (matrix) and index forms, each checked numerically; a form "
        "that fails its check is left out.",
    )
    index_structure: IndexStructureModel | None = Field(
        default=None,
        description="The index form as data: specialised at chosen (i, j, k, l) by the page",
    )
    vec_convention: str | None = Field(
        default=None, description="How vec orders entries (column-major), for tensor results"
    )
    slices: SlicesModel | None = Field(
        default=None, description="The full tensor ∂F_ij/∂X_kl at `at`, for the slice explorer"
    )
    einsum: str | None = Field(
        default=None, description="numpy.einsum code for the tensor ∂F_ij/∂X_kl"
    )
    subexpressions: list[NamedModel] | None = Field(
        default=None,
        description="What the names t_0, t_1, … of the einsum code stand for, in order",
    )
    selfcheck: str | None = Field(
        default=None,
        description="self_check(): compares the generated code with central differences",
    )


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
    slices: SlicesModel | None = None
    tensor = result.tensor
    if request.at is not None:
        values, sizes = bind_values(request.at, parsed.variables)
        evaluator = Evaluator(values, sizes)
        try:
            if tensor is None:
                value = to_json(evaluator(result.expr))
            else:
                value = to_json(tensor.matrix(evaluator))
            if tensor is not None and tensor.entries(evaluator) > MAX_SLICE_ENTRIES:
                notes.append(
                    f"The tensor has {tensor.entries(evaluator):,} entries: the slice explorer "
                    f"gets the numbers for at most {MAX_SLICE_ENTRIES:,}, so it shows symbols."
                )
            elif tensor is not None:
                slices = SlicesModel(
                    function_shape=_sizes(tensor.function.shape, evaluator),
                    variable_shape=_sizes(tensor.wrt.shape, evaluator),
                    tensor=_clean(tensor.tensor(evaluator).tolist()),
                )
        except EvaluationError as error:
            raise ParseError(f"the derivative has no value at these inputs: {error}") from None
        if value is None or (isinstance(value, list) and None in _flatten(value)):
            notes.append("The derivative is not finite at these values.")
    forms = None
    shown_forms = result.forms
    if shown_forms:
        forms = FormsModel(
            **{
                name: FormModel(latex=form.latex, text=form.text)
                for name, form in shown_forms.items()
            }
        )
    return DerivativeResponse(
        derivative=to_text(result.expr) if tensor is None else kronecker_text(tensor.shown),
        latex=to_latex(result.expr) if tensor is None else kronecker_latex(tensor.shown),
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
        forms=forms,
        index_structure=(
            IndexStructureModel.model_validate(structure(tensor.index)) if tensor else None
        ),
        vec_convention=VEC_CONVENTION if tensor is not None else None,
        slices=slices,
        einsum=result.einsum or None,
        subexpressions=(
            [NamedModel(name=n, latex=la, text=te) for n, la, te in subexpressions(tensor)]
            if tensor is not None
            else None
        ),
        selfcheck=result.selfcheck or None,
    )


def _sizes(shape: tuple[Any, Any], evaluator: Evaluator) -> list[int]:
    return [evaluator.size(d) for d in shape if evaluator.size(d) != 1]


def _clean(value: Any) -> Any:
    """Nested lists with non-finite numbers as None (JSON has no NaN)."""
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return float(value) if math.isfinite(value) else None


def _flatten(value: list[Any]) -> list[Any]:
    return [x for item in value for x in (item if isinstance(item, list) else [item])]
