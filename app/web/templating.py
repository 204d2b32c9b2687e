"""The Jinja environment shared by every page: site navigation and helpers."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.templating import Jinja2Templates

from app.content.problems import INPUT_PLACEHOLDERS
from app.settings import Settings
from app.web.assets import StaticAssets


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str

    def is_current(self, path: str) -> bool:
        """Home is current only on "/" and lesson pages; others on their own prefix."""
        if self.href == "/":
            return path == "/" or path.startswith("/lessons")
        return path == self.href or path.startswith(self.href + "/")


SITE_NAV = (
    NavLink("Lessons", "/"),
    NavLink("Calculator", "/calculator"),
    NavLink("Practice", "/practice"),
    NavLink("Explore", "/explore"),
    NavLink("Reference", "/reference"),
    NavLink("Progress", "/progress"),
)


def make_templates(settings: Settings, assets: StaticAssets | None = None) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(settings.templates_dir))
    assets = assets or StaticAssets(settings.static_dir, reload=settings.debug)
    templates.env.globals["static_url"] = assets.url
    templates.env.globals["site_name"] = "Matrix Calculus"
    templates.env.globals["site_nav"] = SITE_NAV
    templates.env.globals["input_placeholders"] = INPUT_PLACEHOLDERS
    templates.env.trim_blocks = True
    templates.env.lstrip_blocks = True
    return templates
