"""The visualisation API: numbers and Plotly figures for the explore widgets.

Every figure is computed in the maths workers: a learner's function can be slow to compile
or evaluate, and the cached compilations live there too.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.viz.descent import MAX_ITERATIONS, descent_path
from app.viz.finite_differences import finite_difference_study
from app.viz.gradient import GradientView, gradient_view
from app.viz.jacobian import MAX_RADIUS, MIN_RADIUS, jacobian_view
from app.web.deps import PoolDep
from app.web.math_api import ERROR_RESPONSE

router = APIRouter(prefix="/api/viz", tags=["visualisations"], responses=ERROR_RESPONSE)

# NaN and infinity pass validation here and are refused by the domain with a maths error:
# a pydantic error would echo the NaN back, and JSON cannot carry it.
Pair = Annotated[list[float], Field(min_length=2, max_length=2)]
Text = Annotated[str, Field(min_length=1, max_length=500)]
Figure = dict[str, Any]


class JacobianRequest(BaseModel):
    # Any number of components passes here; the domain refuses all but two with a clear error.
    f: Text | Annotated[list[Text], Field(max_length=10)] = Field(
        description='The map as ["f1", "f2"], or one matrix literal "[f1, f2]", in x and y',
        examples=[["x + sin(y)", "y + sin(x)"]],
    )
    point: Pair = Field(examples=[[1.0, 1.0]])
    radius: float = Field(
        0.5,
        description=f"Half the side of the patch around p (the zoom control), {MIN_RADIUS:g} to {MAX_RADIUS:g}",
    )


class JacobianResponse(BaseModel):
    value: list[float]
    jacobian: list[list[float]]
    det: float
    latex: str
    patch_error: float | None
    figure: Figure
    notes: list[str] = Field(default_factory=list)


class GradientRequest(BaseModel):
    f: Text = Field(examples=["x^2 + 2 y^2"])
    point: Pair = Field(examples=[[1.0, 1.0]])
    direction: Pair | None = None


class FiniteDifferenceRequest(BaseModel):
    f: Text = Field(examples=["exp(x)"])
    x: float = Field(examples=[1.0])


class FiniteDifferenceResponse(BaseModel):
    x: float
    exact: float
    h: list[float]
    forward: list[float | None]
    backward: list[float | None]
    central: list[float | None]
    best_h: dict[str, dict[str, float]]
    latex: str
    figure: Figure


class DescentRequest(BaseModel):
    f: Text = Field(examples=["x^2 + 2 y^2"])
    start: Pair = Field(examples=[[2.0, 1.0]])
    method: Literal["gradient", "newton"] = "gradient"
    step: float = 0.1
    # Checked by the domain (not here) so a learner gets the maths error body with its limit.
    iterations: int = Field(20, description=f"At most {MAX_ITERATIONS}")


class DescentResponse(BaseModel):
    path: list[list[float]]
    values: list[float]
    status: Literal["converged", "max_iterations", "diverged", "singular"]
    figure: Figure
    notes: list[str] = Field(default_factory=list)
    reason: str | None = Field(None, description="Why a diverged run diverged")


@router.post("/jacobian")
async def jacobian(request: JacobianRequest, pool: PoolDep) -> JacobianResponse:
    view = await pool.run(jacobian_view, request.f, request.point, request.radius)
    return JacobianResponse(
        value=view.value,
        jacobian=view.jacobian,
        det=view.det,
        latex=view.latex,
        patch_error=view.patch_error,
        figure=view.figure,
        notes=view.notes,
    )


@router.post("/gradient")
async def gradient(request: GradientRequest, pool: PoolDep) -> GradientView:
    # the domain's dataclass is the response model: one list of fields, not two
    return await pool.run(gradient_view, request.f, request.point, request.direction)


@router.post("/finite-differences")
async def finite_differences(
    request: FiniteDifferenceRequest, pool: PoolDep
) -> FiniteDifferenceResponse:
    study = await pool.run(finite_difference_study, request.f, request.x)
    return FiniteDifferenceResponse(
        x=study.x,
        exact=study.exact,
        h=study.h,
        forward=study.errors["forward"],
        backward=study.errors["backward"],
        central=study.errors["central"],
        best_h=study.best_h,
        latex=study.latex,
        figure=study.figure,
    )


@router.post("/descent")
async def descent(request: DescentRequest, pool: PoolDep) -> DescentResponse:
    run = await pool.run(
        descent_path, request.f, request.start, request.method, request.step, request.iterations
    )
    return DescentResponse(
        path=run.path,
        values=run.values,
        status=run.status,
        figure=run.figure,
        notes=run.notes,
        reason=run.reason,
    )
