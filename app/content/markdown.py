"""Turn lesson markdown into HTML that the browser's KaTeX can typeset.

The renderer never typesets maths itself: ``$…$`` becomes ``<span class="math inline">``
and ``$$…$$`` becomes ``<div class="math block">`` with the TeX HTML-escaped, and
``static/js/math.js`` renders them in the page. Headings h2/h3 get ids and feed the
table of contents.

Lesson syntax beyond CommonMark (tables included):

- callouts: ``::: note``, ``::: tip``, ``::: warning``, ``::: example`` with an optional
  title after the name (``::: example Worked example: the quadratic form``), closed by ``:::``;
- "check yourself" questions: ``::: check Why is the Hessian symmetric?``, the answer in the
  body, closed by ``:::``; a ``<details>`` disclosure, so the answer stays hidden until asked;
- widgets, the interactive plots (``static/js/widgets/mount.js`` mounts them): a fenced block
  ````` ```widget jacobian f="[x^2 - y, x y]" point="1,1" ````` becomes an empty
  ``<div class="widget" data-widget="jacobian" data-f="…" data-point="…">`` placeholder;
  ``caption="…"`` and ``task="…"`` are shown under it, in the figure's caption.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

CALLOUT_KINDS = ("note", "tip", "warning", "example")
_CALLOUT_LABELS = {"note": "Note", "tip": "Tip", "warning": "Warning", "example": "Example"}
_WIDGET_NAME = re.compile(r"[a-z][a-z0-9-]*\Z")
_SETTING_NAME = re.compile(r"[a-z][a-z0-9-]*\Z")
_TOC_LEVELS = ("h2", "h3")
WIDGET_NAMES = ("jacobian", "gradient", "hessian", "finite-differences", "descent")
"""The widgets ``static/js/widgets/mount.js`` knows."""
_FIGURE_SETTINGS = ("caption", "task")


class MarkdownError(ValueError):
    """The markdown is readable but uses our extensions wrongly (e.g. a malformed widget)."""


@dataclass(frozen=True)
class TocEntry:
    """One heading in a lesson's table of contents; ``html`` is its rendered inline text."""

    level: int
    anchor: str
    html: str


@dataclass(frozen=True)
class WidgetUse:
    """One widget fence of a lesson: its name and settings (caption and task included)."""

    name: str
    settings: dict[str, str]


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    toc: list[TocEntry] = field(default_factory=list)
    front_matter: str | None = None
    """The raw YAML between the leading ``---`` lines, or None when there is none."""
    widgets: list[WidgetUse] = field(default_factory=list)
    checks: int = 0
    """How many "check yourself" questions the text asks."""


def render_markdown(text: str) -> RenderedMarkdown:
    """Render lesson markdown to HTML, collecting its front matter and table of contents.

    >>> render_markdown("Between $5 and $6 a pound.").html
    '<p>Between $5 and $6 a pound.</p>\\n'
    >>> render_markdown("Let $x^2 < y$.").html
    '<p>Let <span class="math inline">x^2 &lt; y</span>.</p>\\n'
    """
    md = _lesson_markdown()
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    front_matter = next((t.content for t in tokens if t.type == "front_matter"), None)
    toc = _number_headings_and_list_them(md, tokens, env)
    widgets = [
        WidgetUse(*parse_widget_info(t.info))
        for t in tokens
        if t.type == "fence" and t.info.split(maxsplit=1)[:1] == ["widget"]
    ]
    checks = sum(1 for t in tokens if t.type == "container_check_open")
    return RenderedMarkdown(
        html=md.renderer.render(tokens, md.options, env),
        toc=toc,
        front_matter=front_matter,
        widgets=widgets,
        checks=checks,
    )


def heading_lines(text: str) -> list[str]:
    """The one-line texts a lesson gives its callouts and "check yourself" questions.

    >>> heading_lines("::: tip Use $A^T$\\nBody.\\n:::\\n::: check Why?\\nBecause.\\n:::\\n")
    ['Use $A^T$', 'Why?']
    """
    tokens = _lesson_markdown().parse(text)
    return [
        title.strip()
        for token in tokens
        if token.type.startswith("container_") and token.nesting == 1
        for title in [token.info.strip().partition(" ")[2]]
        if title.strip()
    ]


def parse_widget_info(info: str) -> tuple[str, dict[str, str]]:
    """Split a widget fence's info string into the widget's name and its settings.

    >>> parse_widget_info('widget jacobian f="[x^2 - y, x y]" point="1,1"')
    ('jacobian', {'f': '[x^2 - y, x y]', 'point': '1,1'})
    """
    try:
        words = shlex.split(info)
    except ValueError as exc:  # an unclosed quote
        raise MarkdownError(f"widget settings {info!r}: {exc}") from exc
    if len(words) < 2 or words[0] != "widget" or not _WIDGET_NAME.match(words[1]):
        raise MarkdownError(f"widget fence {info!r} needs a lower-case name: ```widget NAME")
    settings: dict[str, str] = {}
    for word in words[2:]:
        key, sep, value = word.partition("=")
        if not sep or not _SETTING_NAME.match(key):
            raise MarkdownError(f'widget {words[1]}: setting {word!r} is not name="value"')
        settings[key] = value
    return words[1], settings


def _lesson_markdown() -> MarkdownIt:
    # A new parser per call is cheap (~1 ms) and keeps rendering free of shared state;
    # lessons are rendered once per process anyway (see LessonLibrary).
    # html=False: raw HTML in a lesson is shown as text, so no lesson can inject a script.
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.use(front_matter_plugin)
    # allow_digits=False: "$5 and $6" is money, not maths.
    md.use(dollarmath_plugin, allow_digits=False, allow_labels=False, double_inline=True)
    md.add_render_rule("math_inline_double", _render_display_math_in_paragraph)
    for kind in CALLOUT_KINDS:
        md.use(container_plugin, name=kind, render=_render_callout)
    md.use(container_plugin, name="check", render=_render_check)
    md.add_render_rule("fence", _render_fence_or_widget)
    return md


def _render_callout(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    token = tokens[idx]
    if token.nesting != 1:
        return "</div>\n</aside>\n"
    kind, _, title = token.info.strip().partition(" ")
    # The title may hold inline maths, so it goes through the inline renderer like body text.
    title_html = render_inline(title.strip(), env) if title.strip() else _CALLOUT_LABELS[kind]
    # Named by its own title, and a note rather than a landmark: a lesson with two examples
    # would otherwise have two landmarks of one name ("Example").
    number = env["callouts"] = int(env.get("callouts", 0)) + 1
    title_id = f"callout-{number}-title"
    return (
        f'<aside class="callout callout-{kind}" role="note" aria-labelledby="{title_id}">\n'
        f'<p class="callout-title" id="{title_id}">{title_html}</p>\n<div class="callout-body">\n'
    )


def _render_check(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    token = tokens[idx]
    if token.nesting != 1:
        return "</div>\n</details>\n"
    question = token.info.strip().partition(" ")[2].strip()
    if not question:
        raise MarkdownError("a '::: check' block needs its question on the same line")
    return (
        '<details class="check-yourself">\n<summary><span class="check-label">Check yourself'
        f'</span> {render_inline(question, env)}</summary>\n<div class="check-answer">\n'
    )


def _render_fence_or_widget(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    token = tokens[idx]
    if token.info.split(maxsplit=1)[:1] != ["widget"]:
        return renderer.fence(tokens, idx, options, env)
    name, settings = parse_widget_info(token.info)
    data = "".join(
        f' data-{key}="{escape(value)}"'
        for key, value in settings.items()
        if key not in _FIGURE_SETTINGS
    )
    widget = (
        f'<div class="widget" data-widget="{name}"{data}>'
        f'<p class="widget-placeholder">Loading the interactive figure ({escape(name)})…</p>'
        "</div>\n"
    )
    caption = settings.get("caption", "")
    task = settings.get("task", "")
    if not caption and not task:
        return widget
    parts = [render_inline(caption, env)] if caption else []
    if task:
        parts.append(
            f'<span class="widget-task"><strong>Try it:</strong> {render_inline(task, env)}</span>'
        )
    return (
        f'<figure class="widget-figure">\n{widget}<figcaption>{" ".join(parts)}</figcaption>\n'
        "</figure>\n"
    )


def _render_display_math_in_paragraph(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    # The plugin emits a <div> here, which is invalid inside <p>; a span marked "display"
    # keeps the paragraph whole and math.js still typesets it in display mode.
    return f'<span class="math display">{escape(tokens[idx].content)}</span>'


def render_inline(text: str, env: EnvType | None = None) -> str:
    """Render one line of markdown (a title, a summary) with its maths, without a <p>.

    >>> render_inline("Differentiate $x^T x$ **by hand**")
    'Differentiate <span class="math inline">x^T x</span> <strong>by hand</strong>'
    """
    md = MarkdownIt("commonmark", {"html": False}).use(dollarmath_plugin, allow_digits=False)
    return str(md.renderInline(text, {} if env is None else env))


def _number_headings_and_list_them(
    md: MarkdownIt, tokens: Sequence[Token], env: EnvType
) -> list[TocEntry]:
    """Give each h2/h3 a unique id (from its source text, maths included) and list them."""
    renderer = md.renderer
    assert isinstance(renderer, RendererHTML)  # the default; its renderInline gives the TOC text
    entries: list[TocEntry] = []
    used: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.tag not in _TOC_LEVELS:
            continue
        inline = tokens[index + 1]
        anchor = _unique(_slugify(inline.content) or "section", used)
        token.attrSet("id", anchor)
        html = renderer.renderInline(inline.children or [], md.options, env)
        entries.append(TocEntry(level=int(token.tag[1]), anchor=anchor, html=html))
    return entries


def _slugify(text: str) -> str:
    """A readable anchor: lower case, punctuation dropped, words joined by hyphens.

    >>> _slugify("The gradient of $x^T A x$")
    'the-gradient-of-xt-a-x'
    """
    words = re.sub(r"[^\w\s-]", "", text.lower()).split()
    return "-".join(words)


def _unique(slug: str, used: set[str]) -> str:
    candidate, n = slug, 1
    while candidate in used:
        n += 1
        candidate = f"{slug}-{n}"
    used.add(candidate)
    return candidate
