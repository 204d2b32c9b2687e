"""axe-core on every page type, light and dark, at 1280 px and 375 px: no serious or critical
violation, and none of the lesser ones fixed once (``FIXED_RULES``) comes back.

axe-core is vendored (static/vendor/axe-core, pinned in package.json) and loaded from the
app's own origin: the pages' CSP (``script-src 'self'``) refuses an inline script, so
``add_script_tag(path=…)``, which inlines the file, would be blocked; ``url=`` under
/static is allowed like the app's own scripts.

Each page is opened once per theme, in the state a learner sees it in (a calculator result
and an error, a verdict on a practice answer, a signed-in progress page, an instructor's
insight page), and checked at both widths by resizing, so the sweep stays short: every rule
at 1280 px, and at 375 px the rules whose outcome depends on the layout (no element of the
site shows on phones only). /docs and /redoc are left out: they are Swagger UI's and ReDoc's
markup, third-party pages the app only serves (tests/e2e/test_api_docs_in_browser.py checks
that they load)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.settings import Settings
from app.store.accounts import set_role
from tests.e2e.conftest import REPO_ROOT, patient, serving, settled_widgets, write_practice_content

pytestmark = pytest.mark.e2e

AXE_URL = "/static/vendor/axe-core/axe.min.js"
WIDTHS = {1280: {"width": 1280, "height": 900}, 375: {"width": 375, "height": 812}}
SCHEMES = ("light", "dark")
FAILING_IMPACTS = {"serious", "critical"}
# What a narrower window can change: text over another box, boxes that start to scroll,
# targets squeezed together.
LAYOUT_RULES = [
    "color-contrast",
    "link-in-text-block",
    "scrollable-region-focusable",
    "target-size",
]
# Moderate and minor rules that the pages broke once: each stays fixed.
FIXED_RULES = {"empty-table-header"}
PRACTICE_PROBLEM = "e2e-least-squares"
PASSWORD = "a long enough password"
ACCOUNT_NUMBERS = itertools.count(1)

Setup = Callable[[Page, dict[str, str]], None]


def wait_ready(page: Page, selector: str, state: str = "ready") -> None:
    expect(page.locator(selector)).to_have_attribute("data-state", state)


def open_path(path: str) -> Setup:
    def setup(page: Page, servers: dict[str, str]) -> None:
        page.goto(f"{servers['live']}{path}")

    return setup


def open_lesson(slug_part: str) -> Setup:
    """Open the lesson whose slug holds ``slug_part``, or the first one listed on the home
    page if there is no such lesson (the fixture lessons)."""

    def setup(page: Page, servers: dict[str, str]) -> None:
        page.goto(f"{servers['live']}/")
        hrefs = page.locator(".lesson-card-title a").evaluate_all(
            "(links) => links.map((a) => a.getAttribute('href'))"
        )
        assert hrefs, "the home page lists no lesson"
        page.goto(f"{servers['live']}{next((h for h in hrefs if slug_part in h), hrefs[0])}")

    return setup


def calculator_with_result(page: Page, servers: dict[str, str]) -> None:
    page.goto(f"{servers['live']}/calculator")
    page.get_by_role("button", name="Differentiate").click()
    wait_ready(page, "#calc-form")
    expect(page.locator("#result-math .katex")).to_be_visible()


def calculator_with_errors(page: Page, servers: dict[str, str]) -> None:
    # The preview's error under the box, and the refused request's error below the form.
    page.goto(f"{servers['live']}/calculator")
    page.locator("#expression").fill("2 x x + (")
    wait_ready(page, "#expression-preview", "error")
    page.get_by_role("button", name="Differentiate").click()
    wait_ready(page, "#calc-form", "error")
    expect(page.locator("#result-error")).to_be_visible()


def signed_in_insight(page: Page, servers: dict[str, str]) -> None:
    # The progress page's account (signed_in_progress ran first), made an instructor.
    signed_in_progress(page, servers)
    username = page.locator(".site-account-name").inner_text()
    engine = create_engine(servers["database"])
    with Session(engine) as session:
        assert set_role(session, username, "instructor")
        session.commit()
    engine.dispose()
    page.goto(f"{servers['practice']}/insight")
    expect(page.locator(".insight-problem").first).to_be_visible()


def practice_with_feedback(page: Page, servers: dict[str, str]) -> None:
    page.goto(f"{servers['practice']}/practice/{PRACTICE_PROBLEM}")
    box = page.locator(f"#answer-{PRACTICE_PROBLEM}")
    box.fill("2 (X w - y)^T X")
    page.get_by_role("button", name="Check").click()
    wait_ready(page, f"#problem-{PRACTICE_PROBLEM}")
    page.get_by_role("button", name="Hint").click()
    # A typing error as well, so its message is checked beside the verdict.
    box.fill("2 X^T (")
    expect(page.locator(f"#problem-{PRACTICE_PROBLEM} .input-error")).to_be_visible()


def quiz(page: Page, servers: dict[str, str]) -> None:
    page.goto(f"{servers['live']}/practice")
    href = page.locator("a.quiz-link").first.get_attribute("href")
    assert href, "the practice index links to no quiz"
    page.goto(f"{servers['live']}{href}")
    expect(page.locator("[data-quiz]")).to_be_visible()


def signed_in_progress(page: Page, servers: dict[str, str]) -> None:
    # An account with one wrong and one right answer, so the page has scores to show.
    base = servers["practice"]
    page.goto(f"{base}/signup")
    if page.locator(".site-account-name").count() == 0:
        page.get_by_label("Username").fill(f"axe-{next(ACCOUNT_NUMBERS)}")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign up").click()
        expect(page.locator(".site-account-name")).to_be_visible()
        page.goto(f"{base}/practice/{PRACTICE_PROBLEM}")
        for answer in ("2 (X w - y)^T X", "2 X^T (X w - y)"):
            page.locator(f"#answer-{PRACTICE_PROBLEM}").fill(answer)
            page.get_by_role("button", name="Check").click()
            wait_ready(page, f"#problem-{PRACTICE_PROBLEM}")
    page.goto(f"{base}/progress")


def refused_sign_in(page: Page, servers: dict[str, str]) -> None:
    page.goto(f"{servers['live']}/signin")
    page.get_by_label("Username").fill("nobody-here")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".account-error").first).to_be_visible()


PAGES: dict[str, Setup] = {
    "home": open_path("/"),
    # The lesson with the most kinds of content: tables, callouts of each kind, wide formulas.
    "lesson": open_lesson("shapes-and-layouts"),
    "calculator-result": calculator_with_result,
    "calculator-errors": calculator_with_errors,
    "practice-index": open_path("/practice"),
    "practice-feedback": practice_with_feedback,
    "quiz": quiz,
    "explore-index": open_path("/explore"),
    "explore-jacobian": open_path("/explore/jacobian"),
    "explore-gradient": open_path("/explore/gradient"),
    "explore-finite-differences": open_path("/explore/finite-differences"),
    "explore-descent": open_path("/explore/descent"),
    "reference": open_path("/reference"),
    "progress": signed_in_progress,
    "insight": signed_in_insight,
    "sign-in-refused": refused_sign_in,
    "sign-up": open_path("/signup"),
    "not-found": open_path("/no-such-page"),
}


@pytest.fixture(scope="module")
def practice_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The base URL and database URL of a server with the browser tests' practice problems
    (as ``practice_server``), whose database the insight page's test can make an instructor
    in."""
    database = f"sqlite:///{tmp_path_factory.mktemp('axe-data') / 'e2e.db'}"
    settings = Settings(
        base_dir=REPO_ROOT,
        content_root=write_practice_content(tmp_path_factory.mktemp("axe-content")),
        database_url=database,
    )
    with serving(settings) as base_url:
        yield base_url, database


@pytest.fixture(scope="module")
def axe_pages(browser: Browser) -> Iterator[dict[str, Page]]:
    """One page per theme, reused by every page type of the module."""
    contexts = {scheme: browser.new_context(color_scheme=scheme) for scheme in SCHEMES}
    yield {scheme: patient(context.new_page()) for scheme, context in contexts.items()}
    for context in contexts.values():
        context.close()


def start_axe(page: Page, rules: list[str] | None = None) -> None:
    """Start axe-core on ``page`` as it is now; ``axe_violations`` collects the result. The two
    themes' pages run at once (one renderer each), which halves the sweep on two cores."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_URL)
    page.evaluate(
        """(rules) => {
          const options = { resultTypes: ["violations"] };
          if (rules) options.runOnly = { type: "rule", values: rules };
          window.axeRun = axe.run(document, options).then((results) =>
            results.violations.map((rule) => ({
              id: rule.id,
              impact: rule.impact,
              nodes: rule.nodes
                // KaTeX draws a formula as aria-hidden HTML beside MathML that screen readers
                // read but that is clipped from view, so axe finds no *visible* text in a
                // header cell holding only maths; a screen reader reads the MathML.
                .filter((node) => rule.id !== "empty-table-header" ||
                  !document.querySelector(node.target[0])?.querySelector(".katex-mathml math"))
                .map((node) => `${node.target.join(" ")}: ${node.failureSummary.split("\\n")[1] ?? ""}`),
            })).filter((rule) => rule.nodes.length > 0),
          );
        }""",
        rules,
    )


def axe_violations(page: Page) -> list[dict[str, Any]]:
    violations: list[dict[str, Any]] = page.evaluate("() => window.axeRun")
    return violations


def settle(page: Page, width: int) -> None:
    """Wait until the page shows its latest state at ``width``: widgets drawn, web fonts in,
    and the scrollable boxes made focusable for this width (scroll_regions.js)."""
    settled_widgets(page)
    page.evaluate("document.fonts.ready.then(() => true)")
    expect(page.locator("html")).to_have_attribute("data-scroll-checked", str(width))


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violation(
    axe_pages: dict[str, Page], live_server: str, practice_app: tuple[str, str], name: str
) -> None:
    servers = {"live": live_server, "practice": practice_app[0], "database": practice_app[1]}
    for page in axe_pages.values():
        page.set_viewport_size(WIDTHS[1280])
        PAGES[name](page, servers)
    found: list[str] = []
    for width, viewport in WIDTHS.items():
        for page in axe_pages.values():
            page.set_viewport_size(viewport)
            settle(page, width)
            start_axe(page, None if width == 1280 else LAYOUT_RULES)
        for scheme, page in axe_pages.items():
            found.extend(
                f"{scheme} {width}px {rule['impact']} {rule['id']}: {'; '.join(rule['nodes'])}"
                for rule in axe_violations(page)
                if rule["impact"] in FAILING_IMPACTS or rule["id"] in FIXED_RULES
            )
    assert found == [], "\n".join(found)


def test_callouts_have_distinct_names(axe_pages: dict[str, Page], live_server: str) -> None:
    page = axe_pages["light"]
    PAGES["lesson"](page, {"live": live_server})
    settle(page, page.viewport_size["width"] if page.viewport_size else 1280)
    start_axe(page, ["landmark-unique"])
    assert axe_violations(page) == []


def test_a_box_is_a_tab_stop_exactly_while_it_scrolls(
    axe_pages: dict[str, Page], live_server: str
) -> None:
    page = axe_pages["light"]
    page.set_viewport_size(WIDTHS[375])
    PAGES["lesson"](page, {"live": live_server})
    settle(page, 375)
    marked = page.locator("[data-scroll-focus=auto]")
    assert marked.count() > 0, "nothing on the lesson scrolls sideways at 375 px"
    box = marked.first
    expect(box).to_have_attribute("tabindex", "0")
    assert box.evaluate("(el) => el.tagName === 'TABLE' || el.getAttribute('aria-label') !== null")
    # The keyboard scrolls it once it has the focus.
    box.focus()
    page.keyboard.press("ArrowRight")
    expect(box).not_to_have_js_property("scrollLeft", 0)
    # At 1280 px the boxes that fit again are tab stops no more.
    page.set_viewport_size(WIDTHS[1280])
    settle(page, 1280)
    still = page.evaluate(
        """() => [...document.querySelectorAll("[data-scroll-focus=auto]")].filter(
             (el) => el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1
           ).length"""
    )
    fitting = page.evaluate(
        """() => [...document.querySelectorAll(".math.block, .prose table")].filter(
             (el) => el.scrollWidth <= el.clientWidth + 1 && el.hasAttribute("tabindex")
           ).length"""
    )
    assert (still, fitting) == (0, 0)
