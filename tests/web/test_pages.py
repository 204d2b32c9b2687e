"""The HTML pages: home lists lessons, a lesson page has maths, a TOC and prev/next links."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.web.assets import unversioned


def soup_of(client: TestClient, path: str, status: int = 200) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def test_home_lists_lessons_in_order_with_summaries(client: TestClient) -> None:
    page = soup_of(client, "/")
    cards = page.select(".lesson-list .lesson-card")
    links = [card.select_one(".lesson-card-title a") for card in cards]
    assert [(a.get_text(strip=True), a["href"]) for a in links if a] == [
        ("Scalars first", "/lessons/01-scalars"),
        ("Vectors next", "/lessons/02-vectors"),
        ("Matrices last", "/lessons/10-matrices"),
    ]
    summary = cards[1].select_one(".lesson-summary")
    assert summary is not None
    assert summary.get_text(strip=True) == "Gradients of functions of a vector."


def test_home_summary_maths_is_marked_for_katex(client: TestClient) -> None:
    page = soup_of(client, "/")
    maths = page.select(".lesson-card .lesson-summary .math.inline")
    assert [m.get_text() for m in maths] == ["f(x) = x^2"]


def test_every_page_loads_katex_and_the_math_module(client: TestClient) -> None:
    page = soup_of(client, "/")
    stylesheets = [unversioned(link["href"]) for link in page.select("link[rel=stylesheet]")]
    scripts = [unversioned(script["src"]) for script in page.select("script[src]")]
    assert "/static/vendor/katex/katex.min.css" in stylesheets
    assert scripts[:2] == ["/static/vendor/katex/katex.min.js", "/static/js/math.js"]
    assert page.select_one("script[src$='/js/math.js']")["type"] == "module"


def test_nav_links_home_and_calculator_and_marks_the_current_page(client: TestClient) -> None:
    page = soup_of(client, "/lessons/02-vectors")
    nav = {a.get_text(strip=True): a for a in page.select(".site-nav-links a")}
    assert nav["Lessons"]["href"] == "/"
    assert nav["Calculator"]["href"] == "/calculator"
    assert nav["Lessons"].get("aria-current") == "page"
    assert nav["Calculator"].get("aria-current") is None


def test_skip_link_targets_main(client: TestClient) -> None:
    page = soup_of(client, "/")
    skip = page.select_one("a.skip-link")
    assert skip is not None and skip["href"] == "#main"
    assert page.select_one("main#main") is not None


def test_lesson_page_renders_maths_for_katex(client: TestClient) -> None:
    page = soup_of(client, "/lessons/01-scalars")
    inline = [m.get_text() for m in page.select(".lesson-body span.math.inline")]
    assert "f(x) = x^2" in inline
    blocks = page.select(".lesson-body div.math.block")
    assert blocks[0].get_text().strip() == r"\frac{d}{dx} x^n = n x^{n-1}"


def test_lesson_page_shows_title_summary_and_objectives(client: TestClient) -> None:
    page = soup_of(client, "/lessons/01-scalars")
    assert page.select_one("h1").get_text(strip=True) == "Scalars first"
    assert page.select_one("title").get_text() == "Scalars first · Matrix Calculus"
    objectives = page.select(".objectives li")
    assert [li.get_text() for li in objectives] == [
        "Differentiate x^2",
        "Say why the slope matters",
    ]
    assert objectives[0].select_one(".math.inline") is not None


def test_lesson_toc_links_to_h2_and_h3_anchors(client: TestClient) -> None:
    page = soup_of(client, "/lessons/01-scalars")
    toc_links = page.select("nav.toc a")
    hrefs = [a["href"] for a in toc_links]
    assert hrefs == ["#the-power-rule", "#a-worked-case", "#long-display-maths"]
    for href in hrefs:
        target = page.select_one(f".lesson-body {href}")
        assert target is not None and target.name in {"h2", "h3"}
    assert page.select_one("nav.toc li.toc-level-3 a")["href"] == "#a-worked-case"


def test_lesson_pager_links_previous_and_next(client: TestClient) -> None:
    middle = soup_of(client, "/lessons/02-vectors")
    assert middle.select_one(".pager a[rel=prev]")["href"] == "/lessons/01-scalars"
    assert middle.select_one(".pager a[rel=next]")["href"] == "/lessons/10-matrices"
    first = soup_of(client, "/lessons/01-scalars")
    assert first.select_one(".pager a[rel=prev]") is None
    last = soup_of(client, "/lessons/10-matrices")
    assert last.select_one(".pager a[rel=next]") is None


def test_callouts_and_widget_placeholder(client: TestClient) -> None:
    scalars = soup_of(client, "/lessons/01-scalars")
    example = scalars.select_one("aside.callout.callout-example")
    assert example is not None
    title = example.select_one(".callout-title")
    assert title is not None and title.select_one(".math.inline") is not None
    assert title.get_text() == "Worked example: the quadratic form x^T A x"
    assert scalars.select_one("aside.callout-warning .callout-title").get_text() == "Warning"

    vectors = soup_of(client, "/lessons/02-vectors")
    widget = vectors.select_one("div.widget")
    assert widget is not None
    assert widget["data-widget"] == "jacobian"
    assert widget["data-f"] == "[x^2 - y, x y]"
    assert widget["data-point"] == "1,1"


def test_unknown_lesson_is_an_html_404_page(client: TestClient) -> None:
    page = soup_of(client, "/lessons/no-such-lesson", status=404)
    assert page.select_one("h1").get_text(strip=True) == "Page not found"
    assert page.select_one("nav.site-nav") is not None


def test_unknown_page_is_an_html_404_page(client: TestClient) -> None:
    page = soup_of(client, "/definitely/not/here", status=404)
    assert page.select_one("h1").get_text(strip=True) == "Page not found"


def test_a_lesson_s_old_slug_redirects_to_it(client: TestClient) -> None:
    response = client.get("/lessons/00-scalars", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == "/lessons/01-scalars"
    assert client.get("/lessons/00-nothing", follow_redirects=False).status_code == 404
