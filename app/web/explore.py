"""The explore pages: each interactive figure on its own page, and an index of them."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from app.web.deps import TemplatesDep

router = APIRouter(default_response_class=HTMLResponse)


@dataclass(frozen=True)
class Widget:
    """One widget placeholder: its name and its ``data-*`` settings (read by mount.js)."""

    name: str
    settings: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ExplorePage:
    slug: str
    title: str
    summary: str
    widgets: tuple[Widget, ...]


EXPLORE_PAGES = (
    ExplorePage(
        "jacobian",
        "The Jacobian as linearisation",
        "Drag a point across a warped grid and zoom in: the image of a small patch becomes "
        "the parallelogram spanned by the columns of J(p).",
        (Widget("jacobian", {"f": "[x + sin(y), y + sin(x)]", "point": "1,0.5"}),),
    ),
    ExplorePage(
        "gradient",
        "Gradient, level sets and the Hessian",
        "The gradient points across the level curves; the Hessian's eigenvectors give the "
        "directions of strongest and weakest curvature, and classify critical points.",
        (
            Widget("gradient", {"f": "x^2 + 2 y^2", "point": "1,1", "direction": "1,0"}),
            Widget("hessian", {"f": "x^2 - y^2", "point": "0,0"}),
        ),
    ),
    ExplorePage(
        "finite-differences",
        "Finite differences",
        "Shrinking h reduces the truncation error until round-off takes over: the error of "
        "forward, backward and central differences on log-log axes.",
        (Widget("finite-differences", {"f": "exp(x)", "x": "1"}),),
    ),
    ExplorePage(
        "descent",
        "Descent paths",
        "Gradient descent with a step size, and Newton's method, from a start point on the "
        "contour plot, iteration by iteration.",
        (Widget("descent", {"f": "x^2 + 2 y^2", "start": "2.5,1.5", "method": "gradient"}),),
    ),
)
_BY_SLUG = {page.slug: page for page in EXPLORE_PAGES}


@router.get("/explore", name="explore")
def explore_index(request: Request, templates: TemplatesDep) -> HTMLResponse:
    return templates.TemplateResponse(request, "explore/index.html", {"pages": EXPLORE_PAGES})


@router.get("/explore/{slug}", name="explore_page")
def explore_page(
    request: Request, slug: str, templates: TemplatesDep, f: str | None = None
) -> HTMLResponse:
    page = _BY_SLUG.get(slug)
    if page is None:
        raise HTTPException(status_code=404, detail=f"No figure called {slug!r}.")
    widgets = page.widgets
    if f:  # ?f=… opens the page's first widget on the learner's own function
        first = Widget(widgets[0].name, {**widgets[0].settings, "f": f[:500]})
        widgets = (first, *widgets[1:])
    context = {"page": page, "widgets": widgets}
    return templates.TemplateResponse(request, "explore/page.html", context)
