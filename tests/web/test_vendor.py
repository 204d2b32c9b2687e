"""Third-party browser files: committed under static/vendor/ at the versions package.json pins."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

REPO_ROOT = Path(__file__).resolve().parents[2]
VENDOR_DIR = REPO_ROOT / "static" / "vendor"
KATEX_DIR = VENDOR_DIR / "katex"
PLOTLY_DIR = VENDOR_DIR / "plotly"
WIDGETS_JS = REPO_ROOT / "static" / "js" / "widgets" / "common.js"
API_DOCS_PY = REPO_ROOT / "app" / "web" / "api_docs.py"

# package.json name → the file it vendors and the banner naming its bundle.
PLOTLY_BUNDLES = [
    ("plotly.js-cartesian-dist-min", "plotly-cartesian.min.js", "cartesian - minified"),
    ("plotly.js-gl3d-dist-min", "plotly-gl3d.min.js", "gl3d - minified"),
]
# The full plotly.min.js is 4.8 MB; the partial bundles exist so a page never pays for it.
PLOTLY_BUDGET_BYTES = {"plotly-cartesian.min.js": 1_800_000, "plotly-gl3d.min.js": 2_000_000}


def pins() -> dict[str, str]:
    dependencies: dict[str, str] = json.loads((REPO_ROOT / "package.json").read_text())[
        "dependencies"
    ]
    return dependencies


def test_committed_katex_matches_the_package_json_pin() -> None:
    found = re.search(r'version:"([^"]+)"', (KATEX_DIR / "katex.min.js").read_text())
    assert found is not None, "katex.min.js carries no version string"
    assert found.group(1) == pins()["katex"], "run scripts/refresh_vendor.sh after changing the pin"


def test_every_font_the_katex_css_references_is_committed() -> None:
    css = (KATEX_DIR / "katex.min.css").read_text()
    fonts = set(re.findall(r"url\((fonts/[^)]+)\)", css))
    assert fonts, "katex.min.css references no fonts: is it the real file?"
    missing = sorted(font for font in fonts if not (KATEX_DIR / font).is_file())
    assert missing == []


@pytest.mark.parametrize(
    "path", ["katex/katex.min.js", "katex/katex.min.css", "katex/fonts/KaTeX_Main-Regular.woff2"]
)
def test_katex_files_are_served(client: TestClient, path: str) -> None:
    assert client.get(f"/static/vendor/{path}").status_code == 200


@pytest.mark.parametrize(("package", "filename", "banner"), PLOTLY_BUNDLES)
def test_committed_plotly_bundle_matches_the_package_json_pin(
    package: str, filename: str, banner: str
) -> None:
    head = (PLOTLY_DIR / filename).read_text()[:300]
    found = re.search(r"plotly\.js \(([^)]+)\) v(\S+)", head)
    assert found is not None, f"{filename} carries no plotly.js banner"
    assert found.groups() == (banner, pins()[package]), "run scripts/refresh_vendor.sh"


def test_both_plotly_bundles_are_one_release() -> None:
    # A page with a 3D figure runs both bundles; two releases would style plots differently.
    versions = {pins()[package] for package, _, _ in PLOTLY_BUNDLES}
    assert len(versions) == 1


@pytest.mark.parametrize(("filename", "budget"), sorted(PLOTLY_BUDGET_BYTES.items()))
def test_plotly_bundles_stay_partial(filename: str, budget: int) -> None:
    assert (PLOTLY_DIR / filename).stat().st_size <= budget


def test_plotly_licence_is_committed_and_nothing_else_is() -> None:
    assert "MIT License" in (PLOTLY_DIR / "LICENSE").read_text()
    expected = {"LICENSE", *(filename for _, filename, _ in PLOTLY_BUNDLES)}
    assert {path.name for path in PLOTLY_DIR.iterdir()} == expected
    assert not (VENDOR_DIR / "plotly.min.js").exists(), "the full bundle is not served any more"


def test_the_widgets_load_the_committed_bundles() -> None:
    referenced = set(re.findall(r'"\.\./\.\./vendor/plotly/([^"]+)"', WIDGETS_JS.read_text()))
    assert referenced == {filename for _, filename, _ in PLOTLY_BUNDLES}


@pytest.mark.parametrize("filename", [filename for _, filename, _ in PLOTLY_BUNDLES])
def test_plotly_bundles_are_served_as_javascript(client: TestClient, filename: str) -> None:
    response = client.get(f"/static/vendor/plotly/{filename}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.content == (PLOTLY_DIR / filename).read_bytes()


# The viewers of /docs and /redoc: package.json name → directory, files, version pattern.
API_VIEWERS = [
    (
        "swagger-ui-dist",
        "swagger-ui",
        {"swagger-ui-bundle.js", "swagger-ui.css"},
        r'PACKAGE_VERSION:"([^"]+)"',
        "swagger-ui-bundle.js",
        "Apache License",
    ),
    (
        "redoc",
        "redoc",
        {"redoc.standalone.js"},
        r'ReDoc Version: ","([^"]+)"',
        "redoc.standalone.js",
        "MIT License",
    ),
]


@pytest.mark.parametrize(
    ("package", "directory", "pattern", "versioned"),
    [
        (package, directory, pattern, versioned)
        for package, directory, _, pattern, versioned, _ in API_VIEWERS
    ],
)
def test_committed_api_viewer_matches_the_package_json_pin(
    package: str, directory: str, pattern: str, versioned: str
) -> None:
    found = re.search(pattern, (VENDOR_DIR / directory / versioned).read_text())
    assert found is not None, f"{versioned} carries no version string"
    assert found.group(1) == pins()[package], "run scripts/refresh_vendor.sh"


@pytest.mark.parametrize(
    ("directory", "files", "licence"),
    [(directory, files, licence) for _, directory, files, _, _, licence in API_VIEWERS],
)
def test_api_viewer_licence_is_committed_and_nothing_else_is(
    directory: str, files: set[str], licence: str
) -> None:
    assert licence in (VENDOR_DIR / directory / "LICENSE").read_text()
    assert {path.name for path in (VENDOR_DIR / directory).iterdir()} == {"LICENSE", *files}


def test_the_api_docs_pages_load_the_committed_viewers() -> None:
    referenced = set(re.findall(r"\{static\}/vendor/([^\"]+)", API_DOCS_PY.read_text()))
    expected = {
        f"{directory}/{name}" for _, directory, files, _, _, _ in API_VIEWERS for name in files
    }
    assert referenced == expected


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("swagger-ui/swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui/swagger-ui.css", "text/css"),
        ("redoc/redoc.standalone.js", "text/javascript"),
    ],
)
def test_api_viewers_are_served(client: TestClient, path: str, content_type: str) -> None:
    response = client.get(f"/static/vendor/{path}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(content_type)
    assert response.content == (VENDOR_DIR / path).read_bytes()


# axe-core: the accessibility engine the browser tests inject (tests/e2e/test_accessibility.py).
AXE_DIR = VENDOR_DIR / "axe-core"
AXE_FILES = {"axe.min.js", "LICENSE", "LICENSE-3RD-PARTY.txt"}


def test_committed_axe_core_matches_the_package_json_pin() -> None:
    found = re.search(r'axe\.version="([^"]+)"', (AXE_DIR / "axe.min.js").read_text())
    assert found is not None, "axe.min.js carries no version string"
    assert found.group(1) == pins()["axe-core"], "run scripts/refresh_vendor.sh"


def test_axe_core_licences_are_committed_and_nothing_else_is() -> None:
    assert "Mozilla Public License, version 2.0" in (AXE_DIR / "LICENSE").read_text()
    assert "MIT License" in (AXE_DIR / "LICENSE-3RD-PARTY.txt").read_text()
    assert {path.name for path in AXE_DIR.iterdir()} == AXE_FILES


def test_axe_core_is_served_as_javascript(client: TestClient) -> None:
    # Served from the app's own origin, the page's CSP (script-src 'self') lets the tests load it.
    response = client.get("/static/vendor/axe-core/axe.min.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.content == (AXE_DIR / "axe.min.js").read_bytes()


# MathLive: the optional visual maths editor, imported by static/js/visual_editor.js.
MATHLIVE_DIR = VENDOR_DIR / "mathlive"
VISUAL_EDITOR_JS = REPO_ROOT / "static" / "js" / "visual_editor.js"


def test_committed_mathlive_matches_the_package_json_pin() -> None:
    head = (MATHLIVE_DIR / "mathlive.min.mjs").read_text()[:100]
    found = re.match(r"/\*\* MathLive (\S+) \*/", head)
    assert found is not None, "mathlive.min.mjs carries no MathLive banner"
    assert found.group(1) == pins()["mathlive"], "run scripts/refresh_vendor.sh"


def test_mathlive_licence_is_committed_and_nothing_else_is() -> None:
    licence = (MATHLIVE_DIR / "LICENSE").read_text()
    assert "Arno Gourdol" in licence and "Permission is hereby granted, free of charge" in licence
    assert {path.name for path in MATHLIVE_DIR.iterdir()} == {"LICENSE", "mathlive.min.mjs"}


def test_every_font_mathlive_loads_is_katex_s_committed_font() -> None:
    # The editor points MathfieldElement.fontsDirectory at katex/fonts/: same files, one copy.
    bundle = (MATHLIVE_DIR / "mathlive.min.mjs").read_text()
    fonts = set(re.findall(r'\["(KaTeX_[A-Za-z0-9]+-[A-Za-z]+)"', bundle))
    assert len(fonts) >= 20, "mathlive.min.mjs no longer lists its fonts as expected"
    missing = sorted(
        font for font in fonts if not (KATEX_DIR / "fonts" / f"{font}.woff2").is_file()
    )
    assert missing == []
    assert '"../vendor/katex/fonts"' in VISUAL_EDITOR_JS.read_text()


def test_the_visual_editor_loads_the_committed_bundle() -> None:
    referenced = re.findall(r'"\.\./vendor/mathlive/([^"]+)"', VISUAL_EDITOR_JS.read_text())
    assert referenced == ["mathlive.min.mjs"]


def test_mathlive_is_served_as_javascript(client: TestClient) -> None:
    # A module import needs a JavaScript type; served from here, script-src 'self' allows it.
    response = client.get("/static/vendor/mathlive/mathlive.min.mjs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.content == (MATHLIVE_DIR / "mathlive.min.mjs").read_bytes()
