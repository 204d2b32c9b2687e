"""Maths a lesson writes as plain text where the reader expects it typeset.

Objectives, callout titles and "check yourself" questions render their ``$…$`` maths exactly
as the body does (:func:`app.content.markdown.render_inline`); maths written without the
dollars, ``tr(A^T)``, reaches the reader as raw source. :func:`check_lesson_maths` finds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.content.lessons import Lesson
from app.content.markdown import heading_lines

# A word holding a power (x^2), a subscript on a letter (x_0, x_{ij}) or a TeX command.
_MATHS_WORD = re.compile(r"[^\s,;]*(?:\^|[A-Za-z]_(?:\d|\{)|\\[A-Za-z]+)[^\s,;]*")
_DELIMITED = re.compile(r"`[^`]*`|\$\$?(?:\\.|[^$\\])+\$\$?")


def undelimited_maths(text: str) -> list[str]:
    """The words of one line of lesson markdown that look like maths outside ``$…$`` and
    code spans.

    >>> undelimited_maths("Use $\\\\operatorname{tr}(A^\\\\top)$, tr(A^T) and `x^2`")
    ['tr(A^T)']
    >>> undelimited_maths("Derive d(X^{-1}) for x_0, not snake_case or $5")
    ['d(X^{-1})', 'x_0']
    """
    return _MATHS_WORD.findall(_DELIMITED.sub(" ", text))


def check_lesson_maths(lessons: Iterable[Lesson]) -> list[str]:
    """One message per objective, callout title or question that writes maths without $…$."""
    problems = []
    for lesson in lessons:
        texts = [("objective", text) for text in lesson.objectives]
        source = lesson.path.read_text(encoding="utf-8")
        texts += [("title", text) for text in heading_lines(source)]
        for kind, text in texts:
            found = undelimited_maths(text)
            if found:
                problems.append(
                    f"{lesson.path}: the {kind} {text!r} writes {', '.join(found)} as plain "
                    "text; put $…$ around its maths so it is typeset"
                )
    return problems
