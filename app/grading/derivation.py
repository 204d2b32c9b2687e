"""Grading a derivation line by line.

A learner writes ``d(x^T A x) = dx^T A x + x^T A dx``, then ``= x^T A^T dx + x^T A dx``,
then ``= ((A + A^T) x)^T dx``. Every expression must equal the one before it at random
values of the variables *and* of the differential ``dx``; ``d(…)`` is expanded with the
engine's rules. The last expression, in the canonical form ``g^T dx`` (``tr(G^T dX)`` for
a matrix), gives the gradient, which is compared with the expected one.

>>> result = check_derivation(
...     ["d(x^T A x) = dx^T A x + x^T A dx", "= x^T A dx + x^T A dx"],
...     {"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"]}}, "x")
>>> result.correct, result.steps[1].ok
(False, False)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.grading.equivalence import judge, merged_variables
from app.grading.verdict import Feedback, Verdict, distinct
from app.mathcore import build
from app.mathcore.differentials import MAX_PASSES, Differentiator, rebuild
from app.mathcore.errors import ErrorKind, LimitError, MathError, ParseError
from app.mathcore.extract import Extractor
from app.mathcore.parse import Parsed, parse
from app.mathcore.printing import to_latex, to_text
from app.mathcore.simplify import simplify
from app.mathcore.tree import Call, Differential, Differentiate, Expr, Product, Transpose
from app.mathcore.variables import Variable, parse_declarations

MAX_LINES = 30
SYMMETRIC = frozenset({"symmetric", "spd", "diagonal"})


class LineError(MathError):
    """A line of a derivation that does not parse; ``position`` is within that line."""

    def __init__(
        self, message: str, position: int | None, line: int, kind: ErrorKind = "syntax"
    ) -> None:
        super().__init__(message, position)
        self.line = line
        self.kind = kind

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "line": self.line}


@dataclass(frozen=True)
class StepResult:
    line: int
    ok: bool
    message: str


@dataclass(frozen=True)
class DerivationResult:
    correct: bool
    steps: list[StepResult]
    gradient: str | None = None
    gradient_latex: str | None = None
    feedback: list[Feedback] = field(default_factory=list)

    def __post_init__(self) -> None:
        object.__setattr__(self, "feedback", distinct(self.feedback))


def split_line(text: str) -> list[tuple[str, int]]:
    """The parts of a line between ``=`` signs outside brackets, with their offsets.

    >>> split_line("d(f) = a = b")
    [('d(f) ', 0), (' a ', 6), (' b', 10)]
    """
    parts: list[tuple[str, int]] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "=" and depth == 0:
            parts.append((text[start:index], start))
            start = index + 1
    parts.append((text[start:], start))
    return parts


def expand_differentials(expr: Expr, wrt: str) -> Expr:
    """Replace every ``d(f)`` by its differential with respect to ``wrt`` (only ``dX`` leaves)."""
    differentiator = Differentiator({wrt})

    def visit(node: Expr) -> Expr:
        if isinstance(node, Differentiate):
            return differentiator.d(node.arg)
        return rebuild(node, visit)

    current = visit(expr)
    for _ in range(MAX_PASSES):
        if not any(isinstance(n, Differentiate) for n in current.walk()):
            return current
        current, _ = differentiator.expand(current)
    raise LimitError("this line needs too many differentiation steps")


def _parse_lines(
    lines: Sequence[str], declared: Mapping[str, Any] | None
) -> list[list[tuple[int, Parsed]]]:
    if len(lines) > MAX_LINES:
        raise LimitError(f"a derivation has at most {MAX_LINES} lines")
    known: dict[str, Variable] | None = None if declared is None else parse_declarations(declared)
    parsed_lines: list[list[tuple[int, Parsed]]] = []
    for number, text in enumerate(lines):
        parts: list[tuple[int, Parsed]] = []
        for part, offset in split_line(text):
            if not part.strip():
                if offset == 0 and (number > 0 or len(split_line(text)) == 1):
                    continue  # "= …" continues the previous line
                raise LineError("an '=' needs an expression on both sides", offset, number)
            try:
                parsed = parse(part, known)
            except MathError as error:
                position = None if error.position is None else offset + error.position
                raise LineError(error.message, position, number, error.kind) from None
            known = parsed.variables if declared is None else merge(known, parsed)
            parts.append((number, parsed))
        parsed_lines.append(parts)
    return parsed_lines


def merge(known: Mapping[str, Variable] | None, parsed: Parsed) -> dict[str, Variable]:
    merged: dict[str, Variable] = dict(parsed.variables)
    merged.update(dict(known or {}))
    return merged


def check_derivation(
    lines: Sequence[str],
    variables: Mapping[str, Any] | None,
    wrt: str,
    expected: str | None = None,
    layout: str | None = None,
    *,
    from_differential: bool = True,
) -> DerivationResult:
    """Check each line against the one before; read the gradient off the last line.

    With ``from_differential`` (the default), the first line must start from ``d(f)``.
    Raises :class:`LineError` (with the line number) when a line does not parse.
    """
    parsed_lines = _parse_lines([line for line in lines], variables)
    chain = [(number, parsed) for parts in parsed_lines for number, parsed in parts]
    if not chain:
        raise ParseError("write at least one line, starting with d(…)")
    all_variables = merged_variables(*(p for _, p in chain))
    if wrt not in all_variables:
        raise ParseError(f"the derivation never mentions {wrt}")
    wrt_variable = all_variables[wrt]
    expanded = [expand_differentials(p.expr, wrt) for _, p in chain]
    ok_by_line: dict[int, tuple[bool, str]] = {n: (True, "") for n in range(len(lines))}
    first_wrong: int | None = None
    for index in range(1, len(chain)):
        number = chain[index][0]
        verdict = judge(
            expanded[index - 1], expanded[index], all_variables, differentials=frozenset({wrt})
        )
        if not verdict.equivalent and ok_by_line[number][0]:
            ok_by_line[number] = (False, step_message(verdict, chain[index - 1][0], number))
            first_wrong = number if first_wrong is None else first_wrong
        elif verdict.equivalent and verdict.feedback and ok_by_line[number][0]:
            ok_by_line[number] = (True, verdict.feedback[0].message)
    if from_differential and not isinstance(chain[0][1].expr, Differentiate):
        ok_by_line[0] = (False, "Start from d(f), the differential of the function.")
        first_wrong = 0
    steps = [
        StepResult(n, ok, message or "Follows from the line before.")
        for n, (ok, message) in sorted(ok_by_line.items())
    ]
    if first_wrong is not None:
        return DerivationResult(
            False,
            steps,
            feedback=[Feedback("wrong", f"Line {first_wrong + 1} is the first wrong line.")],
        )
    last = chain[-1][1].expr
    if not is_canonical(last, wrt_variable.name, wrt_variable.shape):
        form = (
            "g dx"
            if wrt_variable.shape == (1, 1)
            else "g^T dx (or dx^T g)"
            if wrt_variable.shape[1] == 1
            else "tr(G^T dX)"
        )
        note = Feedback(
            "not_canonical",
            f"Every line is right; finish with a line in the form {form} to read off the gradient.",
        )
        return DerivationResult(False, steps, feedback=[note])
    symmetric = {n for n, v in all_variables.items() if v.properties & SYMMETRIC}
    gradient = simplify(Extractor(wrt).gradient(expanded[-1]), symmetric)
    if wrt_variable.shape == (1, 1):
        gradient = simplify(gradient, symmetric)
    feedback: list[Feedback] = []
    correct = True
    if expected is not None:
        expected_parsed = parse(expected, {**dict(parse_declarations(variables)), **all_variables})
        # the expected answer may name a variable the lines never mention: it is then
        # compared like any other (and differs), never looked up in the lines' variables
        judged = {**expected_parsed.variables, **all_variables}
        verdict = judge(expected_parsed.expr, gradient, judged, layout=layout)
        correct = verdict.equivalent
        if not correct:
            feedback = [
                Feedback(f.kind, f"The gradient read off the last line: {f.message}")
                for f in verdict.feedback
            ]
    return DerivationResult(correct, steps, to_text(gradient), to_latex(gradient), feedback)


def is_canonical(expr: Expr, name: str, shape: tuple[object, object]) -> bool:
    """``g^T dx`` (a row times ``dx``) or ``dx^T g``, ``g dx`` or ``dx g`` for a scalar,
    ``tr(G^T dX)`` or ``tr(dX^T G)`` for a matrix (a scalar coefficient may stand in front
    of the trace)."""
    differential = Differential(name, shape)  # type: ignore[arg-type]
    if differential.is_scalar and isinstance(expr, Product):
        # scalar factors commute: g dx, dx g and 2 dx x are all canonical
        others = [f for f in expr.factors if f != differential]
        return len(others) == len(expr.factors) - 1 and not any(
            _has_differential(f) for f in others
        )
    if (
        isinstance(expr, Product)
        and isinstance(expr.factors[-1], Call)
        and shape[1] != 1
        and not any(_has_differential(f) for f in expr.factors[:-1])
    ):
        expr = expr.factors[-1]
    if isinstance(expr, Call) and expr.function == "tr" and shape[1] != 1:
        expr = expr.arg
    if isinstance(expr, Product):
        expr = _differential_first(expr, differential) or expr
    if expr == differential:
        return True
    if not isinstance(expr, Product) or expr.factors[-1] != differential:
        return False
    rest = expr.factors[:-1]
    return not any(_has_differential(f) for f in rest) and build.multiply(*rest).shape in {
        (1, shape[0]),
        (shape[1], shape[0]),
        (1, 1),
    }


def _differential_first(product: Product, differential: Differential) -> Expr | None:
    """``dx^T g`` (or ``dx g``, ``dX^T G``) as ``g^T dx`` (``g dx``, ``G^T dX``), the form
    :func:`is_canonical` reads; ``None`` when ``product`` does not start with ``dx``."""
    first, rest = product.factors[0], product.factors[1:]
    if not rest or any(_has_differential(f) for f in rest):
        return None
    coefficient = build.multiply(*rest)
    if first == differential and differential.is_scalar:
        return Product((coefficient, differential))
    if isinstance(first, Transpose) and first.arg == differential:
        return Product((build.transpose(coefficient), differential))
    return None


def _has_differential(expr: Expr) -> bool:
    return any(isinstance(node, (Differential, Differentiate)) for node in expr.walk())


def step_message(verdict: Verdict, previous: int, number: int) -> str:
    """What changed on this line, said in terms of the line before it."""
    kind = verdict.feedback[0].kind if verdict.feedback else "wrong"
    message = verdict.feedback[0].message if verdict.feedback else ""
    head = f"Line {number + 1} is not equal to line {previous + 1}"
    if number == previous:
        head = f"The two sides of line {number + 1} are not equal"
    changes = {
        "sign": "the sign of a term changed." if "one term" in message else "a sign changed.",
        "factor": "a coefficient changed. " + message.split(": ", 1)[-1],
        "symmetric_only": message.replace("Your answer would be right", "the step holds"),
        "missing_term": "a term was dropped (or a product rule term forgotten).",
        "term_factor": "the coefficient of one term changed. " + message.split(": ", 1)[-1],
        "not_symmetrised": "a matrix and its transpose were treated as equal (a b^T is not b a^T).",
        "extra_term": message.replace("should not be there", "appeared from nowhere"),
        "transpose": "the shape changed (a transpose went missing).",
        "shape": message.replace("Your answer", "this line").replace("the answer", "it"),
    }
    return f"{head}: {changes.get(kind, 'something changed that is not an identity.')}"
