"""Grouping wrong answers that mean the same thing (for the instructors' insight page).

``2 A x``, ``A x * 2`` and ``2(A x)`` are one mistake typed three ways. The answers to an
expression problem are parsed with the problem's declarations and evaluated together at the
same random instances as the expected answer (app.grading.numeric.evaluate_together); two
answers are in one group when their values agree at every instance, the comparison the
grader uses. Answers that do not parse, and answers to problems whose numbers are each
learner's own (parameters), numbers, choices and derivations, are grouped by their text
without spaces. Runs in a maths worker: the texts are learners'.

>>> from app.content.problems import Problem
>>> problem = Problem(id="p", title="t", prompt="p", solution="s", answer="(A + A^T) x",
...                   variables={"A": {"shape": ["n", "n"]}, "x": {"shape": ["n"]}})
>>> group_answers(problem, ["2 A x", "A^T x", "A x * 2", "2 A^T x", "2 A  x"])
[[0, 2, 4], [1], [3]]
"""

from __future__ import annotations

from collections.abc import Sequence

from app.content.problems import Problem
from app.grading.equivalence import declared_with, merged_variables
from app.grading.numeric import all_close, evaluate_together
from app.mathcore.errors import MathError
from app.mathcore.parse import Parsed, parse
from app.mathcore.tree import Differential

MAX_TEXTS = 50
"""At most this many distinct texts are grouped per problem (the most frequent)."""


def text_key(text: str) -> str:
    return "".join(text.split())


def group_answers(problem: Problem, texts: Sequence[str]) -> list[list[int]]:
    """Indices into ``texts`` (at most MAX_TEXTS of them), grouped; groups in the order of
    their first member, members in order."""
    texts = list(texts)[:MAX_TEXTS]
    if problem.type not in ("expression", "matrix") or problem.parameters or not problem.answer:
        return _by_text(texts)
    try:
        expected = parse(problem.answer, problem.declarations())
    except MathError:
        return _by_text(texts)
    declared = declared_with(expected, problem.declarations())
    parsed: dict[int, Parsed] = {}
    for index, text in enumerate(texts):
        try:
            parsed[index] = parse(text, declared)
        except MathError:
            continue
    order = list(parsed)
    exprs = [expected.expr, *(parsed[index].expr for index in order)]
    differentials = frozenset(
        node.name for expr in exprs for node in expr.walk() if isinstance(node, Differential)
    )
    table = evaluate_together(
        exprs, merged_variables(expected, *parsed.values()), differentials=differentials
    )
    if table.empty:
        return _by_text(texts)
    column = {index: table.column(position + 1) for position, index in enumerate(order)}
    groups: list[list[int]] = []
    by_text: dict[str, list[int]] = {}
    for index, text in enumerate(texts):
        if index not in column:  # does not parse: by its text
            key = text_key(text)
            if key in by_text:
                by_text[key].append(index)
            else:
                by_text[key] = [index]
                groups.append(by_text[key])
            continue
        for group in groups:
            head = group[0]
            if head in column and all_close(column[head], column[index]):
                group.append(index)
                break
        else:
            groups.append([index])
    return groups


def _by_text(texts: Sequence[str]) -> list[list[int]]:
    groups: dict[str, list[int]] = {}
    for index, text in enumerate(texts):
        groups.setdefault(text_key(text), []).append(index)
    return list(groups.values())
