"""From text to a syntax tree: the first step of reading what a learner typed.

The syntax tree records what was written and where (every node carries its character
offset); meaning and shapes come later, in :mod:`app.mathcore.elaborate`.

Nothing here evaluates the text. The grammar is LALR(1) and the tree is built while
parsing, so the cost is linear in the length and no recursion depends on the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from app.mathcore.errors import LimitError, MathError, ParseError
from app.mathcore.notation import Source, normalise

MAX_LENGTH = 2000
MAX_NESTING = 100
MAX_DEPTH = 250
MAX_DIGITS = 15


@dataclass(frozen=True, slots=True)
class SNode:
    """A node of the syntax tree: ``kind`` names the construct, ``pos`` is its offset."""

    kind: str
    pos: int
    text: str = ""
    children: tuple[SNode, ...] = ()
    depth: int = 1
    spaced: bool = False
    """For a call: whitespace stood between the name and its parenthesis."""


def _node(kind: str, pos: int, text: str = "", children: tuple[SNode, ...] = ()) -> SNode:
    depth = 1 + max((child.depth for child in children), default=0)
    if depth > MAX_DEPTH:
        raise LimitError(f"the expression is nested more than {MAX_DEPTH} levels deep", pos)
    return SNode(kind, pos, text, children, depth)


def _pos(item: SNode | Token) -> int:
    return item.pos if isinstance(item, SNode) else int(item.start_pos or 0)


class _Builder(Transformer[Token, SNode]):
    """Called by the parser at each reduction; builds :class:`SNode` objects bottom-up."""

    def __init__(self) -> None:
        super().__init__(visit_tokens=False)

    def number(self, items: list[Token]) -> SNode:
        token = items[0]
        mantissa, _, exponent = str(token).lower().partition("e")
        digits = sum(ch.isdigit() for ch in mantissa)
        if digits > MAX_DIGITS or len(exponent.lstrip("+-")) > 3:
            raise LimitError(f"numbers are limited to {MAX_DIGITS} digits", _pos(token))
        if exponent:
            value = Fraction(mantissa.rstrip(".") or "0") * Fraction(10) ** int(exponent)
            if max(len(str(abs(value.numerator))), len(str(value.denominator))) > MAX_DIGITS:
                raise LimitError(
                    f"numbers are limited to {MAX_DIGITS} digits: {token} has more once written "
                    f"out; write it with a power of ten, as {mantissa} * 10^{int(exponent)}",
                    _pos(token),
                )
        return _node("number", _pos(token), str(token))

    def name(self, items: list[Token]) -> SNode:
        return _node("name", _pos(items[0]), str(items[0]))

    def group(self, items: list[Any]) -> SNode:
        inner: SNode = items[1]
        return _node("group", _pos(items[0]), "", (inner,))

    def binary(self, items: list[Any]) -> SNode:
        left, op, right = items
        return _node("binary", _pos(op), str(op), (left, right))

    def additive(self, items: list[Any]) -> SNode:
        return self._run("additive", items)

    def multiplicative(self, items: list[Any]) -> SNode:
        return self._run("multiplicative", items)

    @staticmethod
    def _run(group: str, items: list[Any]) -> SNode:
        """A flat ``chain``: operands, then one ``op`` node per operator (text ``""`` for a
        factor written right after another), so a long sum is as shallow as a short one."""
        children: list[SNode] = [items[0]]
        for item in items[1:]:
            if isinstance(item, Token):
                children.append(SNode("op", _pos(item), str(item)))
            else:
                if children[-1].kind != "op":
                    children.append(SNode("op", item.pos, ""))
                children.append(item)
        operands = children[0::2]
        depth = 1 + max(child.depth for child in operands)
        if depth > MAX_DEPTH:
            raise LimitError(
                f"the expression is nested more than {MAX_DEPTH} levels deep", items[0].pos
            )
        return SNode("chain", items[0].pos, group, tuple(children), depth)

    def unary(self, items: list[Any]) -> SNode:
        op, operand = items
        return _node("unary", _pos(op), str(op), (operand,))

    def postfix(self, items: list[Any]) -> SNode:
        operand, op = items
        return _node("postfix", _pos(op), str(op), (operand,))

    def call(self, items: list[Any]) -> SNode:
        head: Token = items[0]
        if len(items) == 2:  # a function applied without parentheses
            return _node("call", _pos(head), str(head), (items[1],))
        args: SNode = items[2]
        node = _node("call", _pos(head), str(head), args.children)
        spaced = head.end_pos is not None and head.end_pos != _pos(items[1])
        return SNode(node.kind, node.pos, node.text, node.children, node.depth, spaced)

    def arguments(self, items: list[Any]) -> SNode:
        args = tuple(item for item in items if isinstance(item, SNode))
        return _node("arguments", args[0].pos, "", args)

    def row(self, items: list[Any]) -> SNode:
        return self.arguments(items)

    def rows(self, items: list[Any]) -> SNode:
        rows = tuple(item for item in items if isinstance(item, SNode))
        return _node("rows", rows[0].pos, "", rows)

    def matrix(self, items: list[Any]) -> SNode:
        return _node("matrix", _pos(items[0]), "", items[1].children)

    def frac(self, items: list[Any]) -> SNode:
        return _node("frac", _pos(items[0]), "", (items[2], items[5]))

    def norm(self, items: list[Any]) -> SNode:
        index = items[3].text if len(items) > 3 else ""
        return _node("norm", _pos(items[0]), index, (items[1],))

    def norm_index(self, items: list[Any]) -> SNode:
        value = next(str(t) for t in items if isinstance(t, Token) and t.type in {"NAME", "NUMBER"})
        return _node("norm_index", _pos(items[0]), value)

    def ones(self, items: list[Any]) -> SNode:
        """``\\mathbf{1}`` with an optional size: kind ``ones``, text ``1`` (or ``0``)."""
        token: Token = items[0]
        digit = "0" if "0" in token or "𝟎" in token else "1"
        sizes = items[1].children if len(items) > 1 else ()
        return _node("ones", _pos(token), digit, sizes)

    def size_index(self, items: list[Any]) -> SNode:
        sizes = tuple(
            SNode("name" if t.type == "NAME" else "number", _pos(t), str(t))
            for t in items
            if isinstance(t, Token) and t.type in {"NAME", "NUMBER"}
        )
        return _node("size_index", _pos(items[0]), "", sizes)

    def absolute(self, items: list[Any]) -> SNode:
        return _node("call", _pos(items[0]), "abs", (items[1],))


@cache
def _parser() -> Lark:
    grammar = resources.files("app.mathcore").joinpath("grammar.lark").read_text("utf-8")
    return Lark(grammar, parser="lalr", transformer=_Builder(), maybe_placeholders=False)


_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}
_OPERAND_ENDS = set("([{,;+-−*/@^=⊙∘·×") | {"\ue000", "\ue002"}


def _prepare(text: str) -> str:
    """Rewrite bar delimiters without moving any character.

    Each norm bar ``||``, ``\\|`` or ``‖`` becomes an opening or closing marker, decided by
    what precedes it (an opener stands where an operand is expected), so that the grammar
    needs no context. Lengths never change.
    """
    chars = list(text)
    open_bars: list[str] = []
    i = 0
    while i < len(chars):
        width = 0
        if "".join(chars[i : i + 2]) in {"\\|", "||"}:
            width, bar = 2, "norm"
        elif chars[i] == "‖":
            width, bar = 1, "norm"
        elif chars[i] == "|":
            width, bar = 1, "abs"
        if width:
            before = "".join(chars[:i]).rstrip()
            expects_operand = not before or before[-1] in _OPERAND_ENDS or before.endswith("\\")
            closing = bool(open_bars) and open_bars[-1] == bar and not expects_operand
            if closing:
                open_bars.pop()
                mark = "\ue001" if bar == "norm" else "\ue003"
            else:
                open_bars.append(bar)
                mark = "\ue000" if bar == "norm" else "\ue002"
            chars[i : i + width] = [mark] * width
            i += width
        else:
            i += 1
    return "".join(chars)


def _check_brackets(text: str) -> None:
    """Report unbalanced or too deeply nested brackets before parsing, with a clear message."""
    stack: list[tuple[str, int]] = []
    for offset, char in enumerate(text):
        if char in _OPENERS:
            stack.append((char, offset))
            if len(stack) > MAX_NESTING:
                raise LimitError(f"brackets are nested more than {MAX_NESTING} deep", offset)
        elif char in _CLOSERS:
            if not stack:
                raise ParseError(
                    f"'{char}' has no matching '{_CLOSERS[char]}': add '{_CLOSERS[char]}' before "
                    "it or delete it",
                    offset,
                )
            opener, where = stack.pop()
            if _OPENERS[opener] != char:
                raise ParseError(
                    f"'{char}' closes the '{opener}' opened at position {where}; "
                    f"expected '{_OPENERS[opener]}'",
                    offset,
                )
    if stack:
        opener, where = stack[-1]
        raise ParseError(f"'{opener}' is never closed: add '{_OPENERS[opener]}'", where)


_TOKEN_WORDS = {
    "ADDOP": "'+' or '-'",
    "MULOP": "an operator",
    "POWOP": "'^'",
    "POSTFIX": "a transpose",
    "RPAR": "')'",
    "RBRACE": "'}'",
    "RBRACKET": "']'",
    "COMMA": "','",
    "SEMICOLON": "';'",
    "NORMCLOSE": "a closing norm bar",
    "ABSCLOSE": "a closing '|'",
}


def _describe_unexpected(text: str, error: UnexpectedInput) -> ParseError:
    position = int(error.pos_in_stream or 0) if error.pos_in_stream is not None else len(text)
    if isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    ):
        return ParseError(
            "the expression ends too early: something is missing here; finish it with a name "
            "or a number, or delete the last operator",
            len(text),
        )
    if isinstance(error, UnexpectedCharacters):
        char = text[position] if position < len(text) else ""
        if char == "\\":
            command = re.match(r"\\[A-Za-z]*", text[position:])
            shown = command.group(0) if command else "\\"
            return ParseError(
                f"unknown LaTeX command '{shown}': write it in plain text (sqrt(x), x^T, "
                "x .* y) or use \\frac, \\cdot, \\sqrt, \\top or a Greek letter",
                position,
            )
        if char in "|‖":
            return ParseError(
                "this bar has no matching bar: close it, or write norm(x) or abs(x)", position
            )
        return ParseError(
            f"unexpected character '{char}': delete it; the operators are + - * / ^ .* ./",
            position,
        )
    assert isinstance(error, UnexpectedToken)
    token = error.token
    shown = text[token.start_pos : token.end_pos] if token.end_pos else str(token)
    if token.type in {"RPAR", "RBRACE", "RBRACKET", "ADDOP", "MULOP", "POWOP", "POSTFIX"} or (
        shown in {",", ";"}
    ):
        return ParseError(
            f"unexpected '{shown}': an operand is missing before it; type a name or a number "
            "there, or delete it",
            position,
        )
    return ParseError(f"unexpected '{shown}': put an operator before it, such as * or +", position)


def parse_syntax(text: str) -> SNode:
    """Parse ``text`` into a syntax tree, or raise a :class:`ParseError` with its offset.

    >>> parse_syntax("2 x").kind, parse_syntax("2 x").text
    ('chain', 'multiplicative')
    """
    return parse_source(text)[0]


def parse_source(text: str) -> tuple[SNode, Source]:
    """The syntax tree of ``text`` and the rewritten text it was read from.

    Offsets in the tree are offsets in ``Source.text``; ``Source.original`` maps them back
    into ``text``. Errors raised here already point into ``text``.
    """
    if len(text) > MAX_LENGTH:
        raise LimitError(f"expressions are limited to {MAX_LENGTH} characters", MAX_LENGTH)
    if not text.strip():
        raise ParseError("type an expression", 0)
    _check_brackets(text)
    source = normalise(text)
    prepared = _prepare(source.text)
    try:
        tree = _parser().parse(prepared)
    except UnexpectedInput as error:
        raise _located(_describe_unexpected(source.text, error), source) from None
    except MathError as error:  # raised by the builder while parsing
        raise _located(error, source) from None
    assert isinstance(tree, SNode)
    return tree, source


def _located(error: MathError, source: Source) -> MathError:
    """``error`` with its position moved from the rewritten text into the learner's."""
    if error.position is not None:
        error.position = source.original(error.position)
    return error
