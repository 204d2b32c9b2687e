"""Third-party browser files served from installed Python packages rather than copied in."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

router = APIRouter()


def plotly_js_path() -> Path:
    """plotly.min.js from the installed plotly package, so its version matches the Python side."""
    return Path(str(files("plotly") / "package_data" / "plotly.min.js"))


@router.get("/static/vendor/plotly.min.js", include_in_schema=False)
def plotly_js() -> FileResponse:
    return FileResponse(
        plotly_js_path(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )
