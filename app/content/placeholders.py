"""The examples shown in empty maths boxes give no problem away.

A placeholder shows the syntax; if it were some problem's answer (``2 X^T (X w - y)`` once
was, the least-squares gradient), a learner would find that answer typed in every box.
``python -m app check-content`` runs :func:`check_placeholders` beside the grading checks
(which also grade each answer box's example against its problems: no *equivalent* answer).

>>> from app.content.problems import Problem
>>> least_squares = Problem.model_validate({"id": "ls", "lesson": "l", "title": "t",
...     "prompt": "p", "answer": "2 X^T (X w - y)", "solution": "s",
...     "variables": {"X": {"shape": ["m", "n"]}, "w": {"shape": ["n"]}, "y": {"shape": ["m"]}}})
>>> check_placeholders([least_squares], {"expression": "e.g. 2 X^T(Xw - y)"})
["ls: the placeholder 'e.g. 2 X^T(Xw - y)' of expression boxes is this problem's answer"]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from app.content.problems import INPUT_PLACEHOLDERS, Problem

_LEAD_IN = re.compile(r"^\s*e\.g\.\s*", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def normalised(text: str) -> str:
    """``text`` without an ``e.g.`` lead-in or any white space, as a learner could retype it.

    >>> normalised("e.g. 2 X^T (X w - y)") == normalised("2X^T(Xw-y)")
    True
    """
    return _SPACE.sub("", _LEAD_IN.sub("", text))


def check_placeholders(
    problems: Iterable[Problem], placeholders: Mapping[str, str] = INPUT_PLACEHOLDERS
) -> list[str]:
    """Each placeholder that equals a problem's answer or solution (quiz questions included),
    as ``"problem-id: what"`` lines; empty when none does."""
    shown = {box: normalised(text) for box, text in placeholders.items() if normalised(text)}
    found: list[str] = []
    for problem in problems:
        for part, text in (("answer", problem.answer), ("solution", problem.solution)):
            if not text:
                continue
            found.extend(
                f"{problem.id}: the placeholder {placeholders[box]!r} of {box} boxes is this "
                f"problem's {part}"
                for box, example in shown.items()
                if example == normalised(text)
            )
    return found
