"""Static assets: content-hashed URLs cached for a year, revalidation, gzip, no escape."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.web.assets import LONG_CACHE, StaticAssets, unversioned

STATIC = Path(__file__).resolve().parents[2] / "static"
PAGES = [
    "/",
    "/lessons/vectors",
    "/calculator",
    "/practice",
    "/explore",
    "/explore/jacobian",
    "/reference",
    "/progress",
    "/docs",
    "/redoc",
]


def page_assets(client: TestClient, path: str) -> list[str]:
    page = BeautifulSoup(client.get(path).text, "html.parser")
    urls = [tag.get("src") or tag.get("href") for tag in page.select("script[src], link[href]")]
    return [url for url in urls if url and "/static/" in url]


@pytest.mark.parametrize("path", PAGES)
def test_pages_link_assets_by_versioned_urls_that_are_cached_for_a_year(
    client: TestClient, path: str
) -> None:
    version = client.app.state.assets.version  # type: ignore[attr-defined]
    urls = page_assets(client, path)
    assert urls, f"{path} links no asset"
    for url in urls:
        assert url.startswith(f"/static/v-{version}/"), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == LONG_CACHE
        assert response.content == (STATIC / unversioned(url).removeprefix("/static/")).read_bytes()


def test_unversioned_urls_are_revalidated_with_an_etag(client: TestClient) -> None:
    first = client.get("/static/css/site.css")
    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-cache"
    etag = first.headers["etag"]
    again = client.get("/static/css/site.css", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    changed = client.get("/static/css/site.css", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200


def test_text_assets_are_sent_gzipped_to_clients_that_accept_it(client: TestClient) -> None:
    path = "vendor/katex/katex.min.js"
    raw = (STATIC / path).read_bytes()
    packed = client.get(f"/static/{path}", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == "Accept-Encoding"
    assert int(packed.headers["content-length"]) < len(raw) / 2
    assert packed.content == raw  # the client decoded it
    plain = client.get(f"/static/{path}", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == raw
    refused = client.get(f"/static/{path}", headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


def test_fonts_are_not_compressed_again(client: TestClient) -> None:
    font = next((STATIC / "vendor/katex/fonts").glob("*.woff2"))
    response = client.get(
        f"/static/vendor/katex/fonts/{font.name}", headers={"Accept-Encoding": "gzip"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "font/woff2"
    assert "content-encoding" not in response.headers


def test_javascript_modules_are_served_as_javascript(client: TestClient) -> None:
    response = client.get("/static/js/math.js")
    assert response.headers["content-type"].startswith("text/javascript")


def test_an_old_version_still_gets_the_file_but_revalidated(client: TestClient) -> None:
    response = client.get("/static/v-000000000000/css/site.css")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app/settings.py",
        "/static/%2e%2e/app/settings.py",
        "/static/css/../../app/settings.py",
        "/static/v-1/../../pyproject.toml",
        "/static//etc/passwd",
        "/static/css/site.css%00.js",
        "/static/css",
        "/static/",
        "/static/no-such-file.js",
        "/static/.hidden",
    ],
)
def test_nothing_outside_the_static_files_is_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert b"SECRET" not in response.content and b"[project]" not in response.content


def test_head_gives_the_headers_without_the_body(client: TestClient) -> None:
    response = client.head("/static/css/site.css", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) == len((STATIC / "css/site.css").read_bytes())


def test_other_methods_are_refused(client: TestClient) -> None:
    response = client.post("/static/css/site.css")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_security_headers_cover_assets_too(client: TestClient) -> None:
    response = client.get("/static/css/site.css")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_version_follows_the_bytes_of_every_file(tmp_path: Path) -> None:
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "a.css").write_text("a { color: red }")
    first = StaticAssets(tmp_path).version
    assert StaticAssets(tmp_path).version == first  # the same tree, the same version
    (tmp_path / "css" / "a.css").write_text("a { color: blue }")
    assert StaticAssets(tmp_path).version != first
    assert re.fullmatch(r"[0-9a-f]{12}", first)


def test_linking_a_missing_asset_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text("a {}")
    assets = StaticAssets(tmp_path)
    assert assets.url("a.css") == f"/static/v-{assets.version}/a.css"
    with pytest.raises(KeyError):
        assets.url("b.css")


def test_modules_import_each_other_relatively_so_a_page_loads_one_copy() -> None:
    # An absolute "/static/..." import would load a second, unversioned copy of a module.
    for script in (STATIC / "js").rglob("*.js"):
        imports = re.findall(r"""(?:from|import\()\s*["']([^"']+)["']""", script.read_text())
        assert [path for path in imports if not path.startswith(".")] == [], script


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/static/v-abc123/js/math.js", "/static/js/math.js"),
        ("/static/js/math.js", "/static/js/math.js"),
        ("/other/static/v-abc/x.js", "/other/static/v-abc/x.js"),
    ],
)
def test_unversioned(url: str, expected: str) -> None:
    assert unversioned(url) == expected


def test_gzip_bodies_are_stable(tmp_path: Path) -> None:
    # mtime=0: every instance sends the same bytes for the same file.
    (tmp_path / "a.js").write_text("let x = 1;\n" * 200)
    assets = [StaticAssets(tmp_path) for _ in range(2)]
    bodies = [a._asset("a.js").gzipped for a in assets]  # noqa: SLF001
    assert bodies[0] == bodies[1] and bodies[0] is not None
    assert gzip.decompress(bodies[0]) == (tmp_path / "a.js").read_bytes()
