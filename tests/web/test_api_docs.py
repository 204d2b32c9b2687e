"""The /docs and /redoc pages: vendored viewers only, no CDN, no inline script."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

PAGES = ["/docs", "/redoc"]


class Assets(HTMLParser):
    """Collects the URLs a page's <script> and <link> tags load, and any inline script."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self.in_script = False
        self.data_openapi_urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self.in_script = True
            if found.get("src"):
                self.urls.append(found["src"] or "")
        if tag == "link" and found.get("href"):
            self.urls.append(found["href"] or "")
        for name, value in attrs:
            if name.startswith("on"):
                self.inline_scripts.append(f"{tag} {name}={value}")
            if name == "data-openapi-url" and value:
                self.data_openapi_urls.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.inline_scripts.append(data)


def assets_of(client: TestClient, path: str) -> Assets:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    parser = Assets()
    parser.feed(response.text)
    return parser


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_only_local_assets_and_no_inline_script(client: TestClient, path: str) -> None:
    assets = assets_of(client, path)
    assert any(url.endswith(".js") for url in assets.urls), "the page loads no viewer"
    assert [url for url in assets.urls if not url.startswith("/static/")] == []
    assert assets.inline_scripts == []


@pytest.mark.parametrize("path", PAGES)
def test_every_asset_of_the_page_is_served(client: TestClient, path: str) -> None:
    for url in assets_of(client, path).urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content, url


@pytest.mark.parametrize("path", PAGES)
def test_page_points_the_viewer_at_the_schema(client: TestClient, path: str) -> None:
    urls = assets_of(client, path).data_openapi_urls
    assert urls == ["/openapi.json"]
    schema = client.get(urls[0])
    assert schema.status_code == 200
    assert "/api/derivative" in schema.json()["paths"]


def test_schema_url_follows_the_root_path(settings: Settings) -> None:
    # Behind a proxy that mounts the app under a prefix, every URL of the page carries it.
    with TestClient(create_app(settings), root_path="/mc") as client:
        page = client.get("/docs").text
    parser = Assets()
    parser.feed(page)
    assert parser.data_openapi_urls == ["/mc/openapi.json"]
    assert parser.urls and all(url.startswith("/mc/static/") for url in parser.urls)


def test_fastapi_cdn_pages_are_not_served(client: TestClient) -> None:
    # FastAPI's own pages would register an OAuth redirect helper beside /docs.
    assert client.get("/docs/oauth2-redirect").status_code == 404
    for path in PAGES:
        assert "cdn.jsdelivr.net" not in client.get(path).text
