"""The API reference pages, /docs (Swagger UI) and /redoc, from the vendored copies.

FastAPI's own pages load both viewers from a CDN and start them with an inline script; these
load the files committed under static/vendor/ and start them from static/js/, reading the
OpenAPI URL from a data attribute, so they work offline and under `script-src 'self'`.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="{static}/favicon.svg" type="image/svg+xml">
{head}</head>
<body>
{body}
</body>
</html>
"""


def openapi_url(request: Request) -> str:
    """The schema's URL as the browser must ask for it, behind a proxy's root path too."""
    root: str = request.scope.get("root_path", "")
    return f"{root}{request.app.openapi_url}"


def page(request: Request, title: str, head: str, body: str) -> HTMLResponse:
    static = escape(request.scope.get("root_path", "") + request.app.state.assets.base)
    html = PAGE.format(
        title=escape(f"{request.app.title} - {title}"),
        static=static,
        head=head.format(static=static),
        body=body.format(static=static, openapi=escape(openapi_url(request))),
    )
    return HTMLResponse(html)


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    return page(
        request,
        "API (Swagger UI)",
        '<link rel="stylesheet" href="{static}/vendor/swagger-ui/swagger-ui.css">\n',
        '<div id="swagger-ui" data-openapi-url="{openapi}"></div>\n'
        '<script src="{static}/vendor/swagger-ui/swagger-ui-bundle.js"></script>\n'
        '<script src="{static}/js/swagger-init.js"></script>',
    )


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    return page(
        request,
        "API (ReDoc)",
        '<link rel="stylesheet" href="{static}/css/redoc.css">\n',
        '<div id="redoc" data-openapi-url="{openapi}"></div>\n'
        '<script src="{static}/vendor/redoc/redoc.standalone.js"></script>\n'
        '<script src="{static}/js/redoc-init.js"></script>',
    )
