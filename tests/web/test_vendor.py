"""Third-party browser files: KaTeX committed at the pinned version, plotly from its package."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from app.web.vendor import plotly_js_path

REPO_ROOT = Path(__file__).resolve().parents[2]
KATEX_DIR = REPO_ROOT / "static" / "vendor" / "katex"


def test_committed_katex_matches_the_package_json_pin() -> None:
    pinned = json.loads((REPO_ROOT / "package.json").read_text())["dependencies"]["katex"]
    found = re.search(r'version:"([^"]+)"', (KATEX_DIR / "katex.min.js").read_text())
    assert found is not None, "katex.min.js carries no version string"
    assert found.group(1) == pinned, "run scripts/refresh_vendor.sh after changing the pin"


def test_every_font_the_katex_css_references_is_committed() -> None:
    css = (KATEX_DIR / "katex.min.css").read_text()
    fonts = set(re.findall(r"url\((fonts/[^)]+)\)", css))
    assert fonts, "katex.min.css references no fonts: is it the real file?"
    missing = sorted(font for font in fonts if not (KATEX_DIR / font).is_file())
    assert missing == []


def test_katex_files_are_served(client: TestClient) -> None:
    for path in ("katex.min.js", "katex.min.css", "fonts/KaTeX_Main-Regular.woff2"):
        assert client.get(f"/static/vendor/katex/{path}").status_code == 200


def test_plotly_is_served_from_the_installed_package(client: TestClient) -> None:
    response = client.get("/static/vendor/plotly.min.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.content == plotly_js_path().read_bytes()
    assert b"plotly" in response.content[:2000].lower()


def test_plotly_is_not_copied_into_the_repository() -> None:
    assert not (REPO_ROOT / "static" / "vendor" / "plotly.min.js").exists()
