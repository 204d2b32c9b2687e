"""Hostile TeX handed to the page's typesetter comes back inert and bounded.

Every string below goes through ``renderTex`` from static/js/math.js, the one function
every page uses to show maths. None may run script, link anywhere, load an image, hang the
tab or draw a box larger than the page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Dialog, Page

pytestmark = pytest.mark.e2e

HOSTILE = [
    r"\href{javascript:window.__pwned=1}{click}",
    r"\href{javascript:alert(1)}{\text{click me}}",
    r"\url{javascript:alert(1)}",
    r"\includegraphics[height=1em]{https://example.invalid/track.png}",
    r"\htmlClass{x}{y} \htmlId{pwn}{y} \htmlStyle{position:fixed;inset:0}{y} \htmlData{a=b}{y}",
    r"<script>window.__pwned=1</script>",
    r"\text{<img src=x onerror=window.__pwned=1>}",
    r"\def\a{\a\a}\a",
    r"\def\b#1{#1#1#1#1#1#1#1#1}\b{\b{\b{\b{\b{\b{\b{\b{x}}}}}}}}",
    r"\rule{1e5em}{1e5em}",
    r"\rule{100000pt}{100000pt}",
    r"\kern1e5em x \hspace{1e5em} y",
    r"\Huge\Huge\Huge \sqrt{\sqrt{\sqrt{\sqrt{\sqrt{\sqrt{\sqrt{\sqrt{x}}}}}}}}",
    r"\mathrm{\verb|x|}",
    r"\gdef\leak{LEAKED}\leak",
]


def render_all(page: Page, texts: list[str]) -> list[dict[str, object]]:
    result: list[dict[str, object]] = page.evaluate(
        """async (texts) => {
            const { renderTex } = await import(document.querySelector(
                'script[src$="/js/math.js"]').src);
            const out = [];
            for (const tex of texts) {
                const box = document.createElement("div");
                box.className = "hostile";
                document.querySelector("main").append(box);
                renderTex(box, tex, true);
                const rect = box.getBoundingClientRect();
                out.push({
                    tex,
                    links: box.querySelectorAll("a[href]").length,
                    images: box.querySelectorAll("img").length,
                    scripts: box.querySelectorAll("script").length,
                    handlers: [...box.querySelectorAll("*")].filter((el) =>
                        [...el.attributes].some((a) => a.name.startsWith("on"))).length,
                    styled: box.querySelectorAll("[id=pwn], .x").length,
                    width: rect.width,
                    height: rect.height,
                    text: box.textContent,
                });
                box.remove();
            }
            return out;
        }""",
        texts,
    )
    return result


def test_hostile_tex_is_inert_and_bounded(live_server: str, page: Page) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server}/calculator")
    results = render_all(page, HOSTILE)
    viewport = page.viewport_size or {"width": 1280, "height": 720}
    for result in results:
        assert result["links"] == 0, result
        assert result["images"] == 0, result
        assert result["scripts"] == 0, result
        assert result["handlers"] == 0, result
        assert result["styled"] == 0, result
        # No rule, kern or nested size escapes a few screens (maxSize caps them at 40em).
        assert float(result["width"]) <= 4 * viewport["width"], result  # type: ignore[arg-type]
        assert float(result["height"]) <= 4 * viewport["height"], result  # type: ignore[arg-type]
    # Clicking where a link would have been does nothing either.
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    assert not [url for url in requests if "example.invalid" in url]


def test_macros_do_not_outlive_one_formula(live_server: str, page: Page) -> None:
    page.goto(f"{live_server}/calculator")
    first, second = render_all(page, [r"\gdef\leak{LEAKED}\leak", r"\leak"])
    assert "LEAKED" in str(first["text"])
    assert "LEAKED" not in str(second["text"])  # an undefined macro the second time


def test_the_expansion_bomb_stops_with_an_error_instead_of_hanging(
    live_server: str, page: Page
) -> None:
    page.goto(f"{live_server}/calculator")
    (bomb,) = render_all(page, [r"\def\a{\a\a}\a"])
    assert "\\a" in str(bomb["text"])  # KaTeX shows the source as an error


def test_overlong_tex_is_shown_as_text_not_parsed(live_server: str, page: Page) -> None:
    page.goto(f"{live_server}/calculator")
    tex = r"\frac{1}{2}" * 3000
    (long,) = render_all(page, [tex])
    assert long["text"] == tex
