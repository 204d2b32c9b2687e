"""The one most likely fix for an input that does not read: "did you mean `sigmoid(x)`?".

:func:`suggest` looks at the error (its kind of message and its position) and proposes a few
rewrites of the text, most likely first: the closing bracket that is missing, the function
name nearest to a misspelt one, ``x.'`` as ``x^T``, a doubled operator once. The first
rewrite that itself reads (through :func:`~app.mathcore.parse.parse`, never evaluated) is
the suggestion; when none reads there is none. Forms the grammar already reads (``x'``,
``x**2``, ``X^-1``, ``x .* y``, ``Xw`` for declared ``X`` and ``w``) never get here.

>>> from app.mathcore.errors import MathError
>>> def fix(text: str) -> str | None:
...     try:
...         parse(text)
...     except MathError as error:
...         return suggest(text, error)
...     return None
>>> fix("sigmod(x)"), fix("(x^T x"), fix("x.'"), fix("2 x +")
('sigmoid(x)', '(x^T x)', 'x^T', '2 x')
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from app.mathcore.elaborate import KNOWN_FUNCTIONS
from app.mathcore.errors import AmbiguousName, MathError, ParseError
from app.mathcore.parse import parse
from app.mathcore.variables import Variable, parse_declarations

MAX_CANDIDATES = 8
"""Rewrites tried per error, each parsed once: cheap beside the grading it replaces."""
MAX_TEXT = 400
"""Longer texts get no suggestion: each candidate is parsed, and a fix for one character of a
page of maths is better found from the caret."""
MAX_GROWTH = 40
"""A suggestion is the text with a small fix, never much longer than what was typed."""
OPENERS = {"(": ")", "[": "]", "{": "}"}
CLOSERS = {v: k for k, v in OPENERS.items()}
FUNCTION_ALIASES = {"trace": "tr", "ln": "log", "sigma": "sigmoid"}
LATEX_WORDS = {"\\times": "*", "\\div": "/", "\\ast": "*", "\\circ": "⊙", "\\odot": "⊙"}
"""LaTeX the reader does not know, as the plain text it reads."""
DELETABLE = frozenset("#$!&@`~?\"';:=")
"""Stray characters that mean nothing in maths: deleting one, as the message asks, is the fix
(``∂`` or ``∑`` mean something: deleting them would change the question)."""
UNICODE_MARKS = {"ᵗ": "^T", "ᵀ": "^T", "÷": "/", "′": "'", "’": "'"}

Candidates = Iterator[str]


def suggest(
    text: str,
    error: MathError,
    variables: Mapping[str, Any] | dict[str, Variable] | None = None,
) -> str | None:
    """The fixed text for ``text``, which failed with ``error``, or ``None``.

    Only a :class:`ParseError` with a position gets one (a shape error is not a typo). The
    suggestion differs from ``text`` and reads with the same ``variables``.
    """
    if not isinstance(error, ParseError) or error.position is None or len(text) > MAX_TEXT:
        return None
    position = max(0, min(error.position, len(text)))
    tried = 0
    for candidate in _candidates(text, error, position, variables):
        if candidate == text or not candidate.strip() or len(candidate) > len(text) + MAX_GROWTH:
            continue
        tried += 1
        if _reads(candidate, variables):
            return candidate
        if tried >= MAX_CANDIDATES:
            break
    return None


def suggestion_for(
    text: str,
    error: MathError,
    variables: Mapping[str, Any] | None = None,
    expected: str | None = None,
) -> str | None:
    """:func:`suggest` for a text read elsewhere (a web request), once reading it again
    gives the same error: so a suggestion never answers another text's error. With
    ``expected``, ``text`` was read with the declarations the expected answer gives (as a
    grader reads an answer), and an error in ``expected`` itself is suggested for there.
    """
    try:
        declared: dict[str, Variable] = parse_declarations(variables) if variables else {}
    except MathError:
        return None  # the declarations are what does not read
    if expected is not None:
        try:
            parsed = parse(expected, declared)
        except MathError as again:
            return suggest(expected, error, declared) if _same(again, error) else None
        declared = {**declared, **parsed.variables}
    try:
        parse(text, declared)
    except MathError as again:
        return suggest(text, error, declared) if _same(again, error) else None
    return None


def _same(one: MathError, other: MathError) -> bool:
    return (type(one), one.message, one.position) == (type(other), other.message, other.position)


def _reads(text: str, variables: Mapping[str, Any] | dict[str, Variable] | None) -> bool:
    try:
        parse(text, variables)
    except MathError:
        return False
    return True


def _candidates(
    text: str,
    error: ParseError,
    position: int,
    variables: Mapping[str, Any] | dict[str, Variable] | None,
) -> Candidates:
    message = error.message
    if isinstance(error, AmbiguousName):
        yield from _ambiguous(text, error, position)
        return
    rules: list[tuple[str, Callable[[str, int, re.Match[str]], Candidates]]] = [
        (r"'(.)' is never closed", _close_brackets),
        (r"'(.)' has no matching '(.)'", _unmatched_closer),
        (r"'(.)' closes the '(.)' opened at position \d+; expected '(.)'", _wrong_closer),
        (r"unknown function '([^']+)'", lambda t, p, m: _misspelt(t, p, m[1], variables)),
        (r"'([^']+)' is a function: write", _function_without_brackets),
        (r"unexpected character '(.*)'", _stray_character),
        (r"unexpected '(.+?)': an operand is missing", _missing_operand),
        (r"the expression ends too early", _trailing_operator),
        (r"put an operator before it|two numbers side by side", _missing_operator),
        (r"unknown LaTeX command '([^']*)'", _latex_word),
        (r"'([^']+)' is a transpose: write it as an exponent", _transpose_mark),
        (r"(\w+) takes one argument, not \d+", _extra_argument),
    ]
    for pattern, rule in rules:
        match = re.match(pattern, message)
        if match:
            yield from rule(text, position, match)
            return


def _ambiguous(text: str, error: AmbiguousName, position: int) -> Candidates:
    """``xyz`` with ``x``, ``yz`` and ``xy`` declared: spell the first reading with spaces;
    ``σ(z)`` with a declared σ: the sigmoid, named."""
    reading = error.options[0]
    if reading.startswith("sigmoid"):
        token = re.match(r"\\sigma|σ|sigma", text[position:])
        if token:
            yield text[:position] + "sigmoid" + text[position + token.end() :]
        return
    run = "".join(reading.split())
    if text[position : position + len(run)] == run:
        yield text[:position] + reading + text[position + len(run) :]


def _missing_closers(text: str) -> str:
    stack: list[str] = []
    for char in text:
        if char in OPENERS:
            stack.append(char)
        elif char in CLOSERS and stack and stack[-1] == CLOSERS[char]:
            stack.pop()
    return "".join(OPENERS[opener] for opener in reversed(stack))


def _close_brackets(text: str, position: int, match: re.Match[str]) -> Candidates:
    """``sum(x`` → ``sum(x)``: every bracket left open, closed at the end."""
    missing = _missing_closers(text)
    if missing:
        yield text.rstrip() + missing


def _unmatched_closer(text: str, position: int, match: re.Match[str]) -> Candidates:
    """A stray ``)`` at the end is one too many; one in the middle (``x^T x)^2``) closes a
    bracket that was never opened, so open it at the start."""
    opener = match[2]
    deleted = text[:position] + text[position + 1 :]
    if text[position + 1 :].strip():
        yield opener + text
        yield deleted
    else:
        yield deleted
        yield opener + text


def _wrong_closer(text: str, position: int, match: re.Match[str]) -> Candidates:
    yield text[:position] + match[3] + text[position + 1 :]


def _misspelt(
    text: str,
    position: int,
    name: str,
    variables: Mapping[str, Any] | dict[str, Variable] | None,
) -> Candidates:
    """``sigmod(x)`` → ``sigmoid(x)``; ``Sigmoid`` → ``sigmoid``; ``ab(x)`` → ``a b(x)``."""
    if text[position : position + len(name)] != name:
        return
    before, after = text[:position], text[position + len(name) :]
    names = sorted(KNOWN_FUNCTIONS)
    lower = name.lower()
    if lower in KNOWN_FUNCTIONS:
        yield before + lower + after
    if lower in FUNCTION_ALIASES:
        yield before + FUNCTION_ALIASES[lower] + after
    # a typo keeps its first letter: `max` is not `softmax`, nor `atan` `tan`
    for close in difflib.get_close_matches(lower, names, n=3, cutoff=0.6):
        if close[0] == lower[0]:
            yield before + close + after
    if name.isalpha() and len(name) <= 4:  # letters run together: a product of names
        yield before + " ".join(name) + after


def _bracket_end(text: str, start: int) -> int | None:
    """The index of the bracket closing the one at ``start``."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] in OPENERS:
            depth += 1
        elif text[index] in CLOSERS:
            depth -= 1
            if depth == 0:
                return index
    return None


def _function_without_brackets(text: str, position: int, match: re.Match[str]) -> Candidates:
    """``sigmoid[x]`` → ``sigmoid(x)``; ``exp^a`` → ``exp(a)``."""
    name = match[1]
    end = position + len(name)
    if text[position:end] != name:
        return
    rest = text[end:]
    stripped = rest.lstrip()
    offset = end + len(rest) - len(stripped)
    if stripped[:1] in ("[", "{"):
        close = _bracket_end(text, offset)
        if close is not None:
            yield text[:end] + "(" + text[offset + 1 : close] + ")" + text[close + 1 :]
    elif stripped[:1] == "^":
        operand = re.match(r"\^\s*(\([^()]*\)|[A-Za-z0-9_.]+)", stripped)
        if operand:
            inner = operand[1][1:-1] if operand[1].startswith("(") else operand[1]
            yield text[:end] + "(" + inner + ")" + stripped[operand.end() :]
    elif stripped and re.match(r"[A-Za-z0-9(]", stripped):
        token = re.match(r"[A-Za-z0-9_]+", stripped)
        if token:
            yield text[:end] + "(" + token[0] + ")" + stripped[token.end() :]


def _stray_character(text: str, position: int, match: re.Match[str]) -> Candidates:
    """MATLAB and NumPy habits (``x.'``, ``A.inv``), ``f = …``, then deleting the character
    (which the message asks for), if what is left reads."""
    char = text[position : position + 1]
    before, after = text[:position], text[position + 1 :]
    if char == "." and after.startswith("'"):
        yield before + "^T" + after[1:]
    if char == ".":
        method = re.match(r"(inv|I|T)\b(\(\))?", after)
        operand = re.search(r"([A-Za-z][A-Za-z0-9_]*|\([^()]*\))\s*$", before)
        if method and operand:
            head = before[: operand.start()]
            tail = after[method.end() :]
            if method[1] == "T":
                yield head + operand[1] + "^T" + tail
            else:
                yield head + "inv(" + operand[1] + ")" + tail
    if char in UNICODE_MARKS:
        yield before + UNICODE_MARKS[char] + after
    if char == "=":
        left, right = before.strip(), after.strip()
        if not right:
            yield left
        elif re.fullmatch(r"[A-Za-z∇][A-Za-z0-9_(){}^∇ ]*", left) and len(left) <= 12:
            yield right  # "f = x^T x", "grad f = 2 x": the answer is the right side
        else:
            yield left
    if char in DELETABLE:
        yield (before + after).strip()


def _missing_operand(text: str, position: int, match: re.Match[str]) -> Candidates:
    """``x ^^ 2`` → ``x ^ 2``; ``* x`` → ``x``; ``x;`` → ``x``."""
    shown = match[1]
    before = text[:position].rstrip()
    after = text[position + len(shown) :]
    if before.endswith(shown):  # the same operator twice
        yield before + after
    yield (text[:position] + after).strip()


def _trailing_operator(text: str, position: int, match: re.Match[str]) -> Candidates:
    """``2 x +`` → ``2 x``: the last operator deleted, as the message says."""
    trimmed = re.sub(r"\s*(\.\*|\./|[-+*/,;.])\s*$", "", text)
    if trimmed != text:
        yield trimmed


def _missing_operator(text: str, position: int, match: re.Match[str]) -> Candidates:
    """``2 3`` → ``2 * 3``: the operator the message asks for."""
    before = text[:position].rstrip()
    yield before + " * " + text[position:].lstrip()


def _latex_word(text: str, position: int, match: re.Match[str]) -> Candidates:
    command = match[1]
    if command in LATEX_WORDS and text[position : position + len(command)] == command:
        yield text[:position] + LATEX_WORDS[command] + text[position + len(command) :]


def _transpose_mark(text: str, position: int, match: re.Match[str]) -> Candidates:
    """``x \\top`` → ``x^\\top``: a transpose is an exponent."""
    yield text[:position].rstrip() + "^" + text[position:]


def _extra_argument(text: str, position: int, match: re.Match[str]) -> Candidates:
    """``norm(x, 2)`` → ``norm(x)``: the 2-norm is the only one, so drop its order."""
    name = match[1]
    call = re.compile(re.escape(name) + r"\(([^(),]+),\s*(?:2|'?fro'?)\s*\)")
    found = call.search(text, position)
    if found:
        yield text[: found.start()] + f"{name}({found[1]})" + text[found.end() :]
