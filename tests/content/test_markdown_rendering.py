"""The markdown renderer: maths for KaTeX, callouts, widgets, headings and their anchors."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from app.content.markdown import MarkdownError, parse_widget_info, render_markdown


def html_of(markdown: str) -> BeautifulSoup:
    return BeautifulSoup(render_markdown(markdown).html, "html.parser")


@pytest.mark.parametrize(
    ("markdown", "inline_maths"),
    [
        ("It costs $5 and $6 here.", []),  # money, not maths (allow_digits=False)
        ("Between 5$ and $6.", []),
        ("Let $x$ be a vector.", ["x"]),
        ("We have $a < b$ and $c$.", ["a < b", "c"]),
        (r"Escaped \$x\$ is text.", []),
        # Money beside maths in one paragraph: escape the money's dollars.
        (r"Prices \$5 and \$6 but $y^2$ too.", ["y^2"]),
    ],
)
def test_inline_dollar_maths(markdown: str, inline_maths: list[str]) -> None:
    page = html_of(markdown)
    assert [m.get_text() for m in page.select("span.math.inline")] == inline_maths


def test_tex_is_html_escaped_not_interpreted() -> None:
    html = render_markdown("$a<b>c$").html
    assert "<b>" not in html
    assert html_of("$a<b>c$").select_one("span.math.inline").get_text() == "a<b>c"


def test_display_maths_on_its_own_lines_is_a_block() -> None:
    page = html_of("$$\n\\nabla_x f = 2Ax\n$$\n")
    block = page.select_one("div.math.block")
    assert block is not None and block.get_text().strip() == r"\nabla_x f = 2Ax"


def test_display_maths_inside_a_paragraph_stays_in_the_paragraph() -> None:
    page = html_of("Before $$x^2$$ after.")
    paragraph = page.select_one("p")
    assert paragraph is not None
    assert paragraph.select_one("span.math.display") is not None
    assert page.select("div.math") == []


def test_raw_html_is_shown_as_text() -> None:
    page = html_of("Hello <script>alert(1)</script>")
    assert page.select("script") == []
    assert "<script>" in page.get_text()


@pytest.mark.parametrize("kind", ["note", "tip", "warning", "example"])
def test_callout_kinds_have_a_default_title(kind: str) -> None:
    page = html_of(f"::: {kind}\nBody text.\n:::\n")
    callout = page.select_one(f"aside.callout.callout-{kind}")
    assert callout is not None
    assert callout.select_one(".callout-title").get_text() == kind.capitalize()
    assert callout.select_one(".callout-body p").get_text() == "Body text."


def test_callout_with_a_title_and_maths_inside() -> None:
    page = html_of("::: example Worked example: $x^T A x$\nSo $\\nabla = 2Ax$.\n:::\n")
    title = page.select_one("aside.callout-example .callout-title")
    assert title is not None and title.get_text() == "Worked example: x^T A x"
    assert page.select_one(".callout-body span.math.inline") is not None


def test_unknown_container_name_is_left_as_text() -> None:
    page = html_of("::: aside\nHello\n:::\n")
    assert page.select("aside") == []


def test_widget_fence_becomes_a_placeholder_with_its_settings() -> None:
    page = html_of('```widget jacobian f="[x^2 - y, x y]" point="1,1"\n```\n')
    widget = page.select_one("div.widget")
    assert widget is not None
    assert widget.attrs["data-widget"] == "jacobian"
    assert widget.attrs["data-f"] == "[x^2 - y, x y]"
    assert widget.attrs["data-point"] == "1,1"
    assert page.select("pre") == []


def test_other_fences_stay_code_blocks() -> None:
    page = html_of("```python\nprint(1)\n```\n")
    assert page.select_one("pre code.language-python") is not None


@pytest.mark.parametrize(
    "info",
    [
        "widget",
        "widget Bad_Name",
        'widget plot f="unclosed',
        "widget plot novalue",
        "widget plot X=1",
    ],
)
def test_malformed_widget_fences_raise(info: str) -> None:
    with pytest.raises(MarkdownError):
        parse_widget_info(info)


def test_headings_get_unique_anchors_and_form_the_toc() -> None:
    rendered = render_markdown("# Title\n\n## Shapes of $x$\n\n### Detail\n\n## Shapes of $x$\n")
    assert [(e.level, e.anchor) for e in rendered.toc] == [
        (2, "shapes-of-x"),
        (3, "detail"),
        (2, "shapes-of-x-2"),
    ]
    page = BeautifulSoup(rendered.html, "html.parser")
    assert [h["id"] for h in page.select("h2, h3")] == ["shapes-of-x", "detail", "shapes-of-x-2"]
    assert page.select_one("h1").get("id") is None
    assert 'class="math inline"' in rendered.toc[0].html


def test_front_matter_is_returned_not_rendered() -> None:
    rendered = render_markdown("---\ntitle: T\norder: 1\n---\nBody\n")
    assert rendered.front_matter == "title: T\norder: 1"
    assert "title" not in rendered.html


def test_check_yourself_answers_are_folded_until_asked() -> None:
    page = html_of("::: check Why $x$?\nBecause.\n:::\n")
    check = page.select_one("details.check-yourself")
    assert check is not None and "open" not in check.attrs
    assert check.select_one("summary .math") is not None
    assert check.select_one(".check-answer").get_text(strip=True) == "Because."


def test_a_check_needs_its_question() -> None:
    with pytest.raises(MarkdownError, match="question"):
        render_markdown("::: check\nBecause.\n:::\n")


def test_a_widget_s_caption_and_task_go_under_it_not_into_its_settings() -> None:
    page = html_of(
        '```widget gradient f="x^2" point="1,1" caption="A bowl $f$." task="Find the bottom."\n'
        "```\n"
    )
    figure = page.select_one("figure.widget-figure")
    widget = figure.select_one(".widget[data-widget=gradient]")
    assert widget is not None and "data-caption" not in widget.attrs
    assert figure.select_one("figcaption .math") is not None
    assert "Find the bottom." in figure.select_one("figcaption .widget-task").get_text()


def test_each_callout_is_a_note_named_by_its_own_title() -> None:
    html = render_markdown(
        "::: example First\nOne.\n:::\n\n::: example\nTwo.\n:::\n\n::: tip Third\nThree.\n:::\n"
    ).html
    page = BeautifulSoup(html, "html.parser")
    callouts = page.select("aside.callout")
    assert [c["role"] for c in callouts] == ["note"] * 3
    titles = [page.find(id=c["aria-labelledby"]).get_text() for c in callouts]  # type: ignore[union-attr]
    assert titles == ["First", "Example", "Third"]
    assert len({c["aria-labelledby"] for c in callouts}) == 3
