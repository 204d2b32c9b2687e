"""What a learner sees when an expression cannot be read: the kind, where, and why.

Each line of ``ERRORS`` is a fact: this input is rejected with this kind of error, at this
character offset, with a message containing this fragment. The offset is what the
interface points its caret at, so it is checked exactly.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import pytest

from app.mathcore.errors import (
    LimitError,
    MathError,
    ParseError,
    ShapeError,
    UnsupportedError,
    point_to_error,
)
from app.mathcore.parse import parse

Decl = Mapping[str, Any] | None

X_AND_A: dict[str, Any] = {"x": {"shape": ["n"]}, "A": {"shape": ["m", "n"]}}

# (input, declarations, kind, position, fragment of the message)
ERRORS: list[tuple[str, Decl, str, int, str]] = [
    # syntax
    ("foo(x)", None, "syntax", 0, "unknown function 'foo'"),
    ("x + bar(y)", None, "syntax", 4, "unknown function 'bar'"),
    ("(x", None, "syntax", 0, "'(' is never closed"),
    ("x)", None, "syntax", 1, "')' has no matching '('"),
    ("[1, 2", None, "syntax", 0, "'[' is never closed"),
    ("{x", None, "syntax", 0, "'{' is never closed"),
    ("[x)", None, "syntax", 2, "expected ']'"),
    ("x +", None, "syntax", 3, "ends too early"),
    ("x ^", None, "syntax", 3, "ends too early"),
    ("$", None, "syntax", 0, "unexpected character '$'"),
    ("x $ y", None, "syntax", 2, "unexpected character '$'"),
    ("x +* y", None, "syntax", 3, "unexpected '*'"),
    ("* x", None, "syntax", 0, "unexpected '*'"),
    (",x", None, "syntax", 0, "unexpected ','"),
    ("\\foo x", None, "syntax", 0, "unknown LaTeX command '\\foo'"),
    ("exp(x, y)", None, "syntax", 0, "exp takes one argument"),
    ("hadamard(x)", None, "syntax", 0, "two or more arguments"),
    ("   ", None, "syntax", 0, "type an expression"),
    ("", None, "syntax", 0, "type an expression"),
    # shapes
    ("x^T A", X_AND_A, "shape", 4, "cannot multiply x^T (1×n) by A (m×n)"),
    ("x + A", None, "shape", 2, "cannot add x (n×1) and A (n×p)"),
    ("A x + y^T", None, "shape", 4, "cannot add A x (n×1) and y^T (1×q)"),
    ("x y", None, "shape", 2, "cannot multiply x (n×1) by y (m×1)"),
    ("x * y", None, "shape", 2, "cannot multiply x (n×1) by y (m×1)"),
    ("A .* x", None, "shape", 2, "an elementwise product needs equal shapes: A (n×m) and x (n×1)"),
    ("x ./ A", None, "shape", 2, "elementwise division needs equal shapes: x (n×1) and A (n×p)"),
    ("tr(x)", None, "shape", 0, "tr needs a square matrix, and x is n×1"),
    ("tr(A)", X_AND_A, "shape", 0, "tr needs a square matrix, and A is m×n"),
    ("det(x)", None, "shape", 0, "det needs a square matrix"),
    ("softmax(A)", None, "shape", 0, "softmax needs a column vector, and A is n×m"),
    ("x^2", None, "shape", 1, "x is a vector (n×1), so it has no powers"),
    ("x / A", None, "shape", 2, "'/' divides by a scalar only, and A is m×p"),
    ("x / y", None, "shape", 2, "'/' divides by a scalar only"),
    ("A^x", None, "shape", 1, "an exponent must be a scalar"),
    ("inv(x)", None, "shape", 0, "cannot invert x (n×1)"),
    ("[1, 2; 3]", None, "shape", 7, "every row of a matrix needs 2 entries"),
    ("A + A^T", X_AND_A, "shape", 2, "cannot add A (m×n) and A^T (n×m)"),
    # unsupported
    ("A^(1/2)", None, "unsupported", 1, "integer power"),
    ("A^alpha", None, "unsupported", 1, "integer power"),
    ("\\|X\\|_2", None, "unsupported", 0, "spectral norm"),
    ("\\|x\\|_3", None, "unsupported", 0, "norm index '3'"),
    # limits
    ("x" + "+x" * 1000, None, "limit", 2000, "limited to 2000 characters"),
    ("(" * 101 + "x" + ")" * 101, None, "limit", 100, "nested more than 100"),
    ("[" * 101 + "1" + "]" * 101, None, "limit", 100, "nested more than 100"),
    ("9^9^9^9", None, "limit", 3, "exponents of numbers are limited"),
    ("2^2000", None, "limit", 1, "exponents of numbers are limited"),
    ("1234567890123456", None, "limit", 0, "limited to 15 digits"),
    ("x + 1234567890123456 y", None, "limit", 4, "limited to 15 digits"),
    ("A^65", None, "limit", 1, "matrix powers are limited"),
    ("1 / 0", None, "limit", 2, "division by zero"),
]

ERROR_CLASSES = {
    "syntax": ParseError,
    "shape": ShapeError,
    "unsupported": UnsupportedError,
    "limit": LimitError,
}


def _id(case: tuple[str, Decl, str, int, str]) -> str:
    text = case[0] if len(case[0]) <= 30 else f"{case[0][:12]}…({len(case[0])} chars)"
    return text + (" [declared]" if case[1] else "")


@pytest.mark.parametrize(
    ("typed", "declared", "kind", "position", "fragment"), ERRORS, ids=[_id(c) for c in ERRORS]
)
def test_error(typed: str, declared: Decl, kind: str, position: int, fragment: str) -> None:
    with pytest.raises(MathError) as caught:
        parse(typed, declared)
    error = caught.value
    assert (error.kind, error.position) == (kind, position), error.message
    assert fragment in error.message
    assert isinstance(error, ERROR_CLASSES[kind])


def test_shape_conflict_message_is_exact() -> None:
    with pytest.raises(ShapeError) as caught:
        parse("x^T A", X_AND_A)
    assert caught.value.to_dict() == {
        "kind": "shape",
        "message": "cannot multiply x^T (1×n) by A (m×n)",
        "position": 4,
    }


def test_unknown_function_lists_the_known_ones() -> None:
    with pytest.raises(ParseError) as caught:
        parse("foo(x)")
    for name in ("exp", "softmax", "logdet", "tr"):
        assert name in caught.value.message


@pytest.mark.parametrize(
    ("typed", "advice"),
    [
        ("x y", "x^T y"),
        ("$", "delete it"),
        ("x +", "finish it"),
        ("\\foo x", "plain text"),
        ("x)", "add '('"),
        ("x ,", "type a name or a number"),
        ("exp(x, y)", "write exp(x)"),
        ("(x", "add ')'"),
        ("foo(x)", "the functions are"),
        ("x^2", "x.^2"),
        ("x / A", "inv("),
        ("2 + xyz", "did you mean"),
    ],
)
def test_every_message_says_what_to_type_instead(typed: str, advice: str) -> None:
    declared = (
        {name: {"shape": []} for name in ("x", "y", "z", "xy", "yz")} if "xyz" in typed else None
    )
    with pytest.raises(MathError) as caught:
        parse(typed, declared)
    assert advice in caught.value.message
    assert caught.value.position is not None and 0 <= caught.value.position <= len(typed)


def test_vector_power_suggests_the_alternatives() -> None:
    with pytest.raises(ShapeError) as caught:
        parse("x^2")
    assert "x.^2" in caught.value.message and "x^T x" in caught.value.message


def test_division_by_a_matrix_suggests_inv_and_elementwise_division() -> None:
    with pytest.raises(ShapeError) as caught:
        parse("x / A")
    assert "inv(" in caught.value.message and "./" in caught.value.message


# ------------------------------------------------------------------------ limits, quickly


@pytest.mark.parametrize(
    "typed",
    [
        "-" * 1000 + "x",
        "-" * 1999 + "x",
        "9^9^9^9",
        "9^9^9^9^9^9^9^9",
        "2^" * 999 + "2",
        "(" * 101 + "x" + ")" * 101,
        "x" * 2001,
    ],
    ids=[
        "minus 1000",
        "minus 1999",
        "9^9^9^9",
        "9^…^9 x8",
        "2^2^…^2 (1999 chars)",
        "nest 101",
        "2001 chars",
    ],
)
def test_limits_are_errors_and_fast(typed: str) -> None:
    start = time.perf_counter()
    with pytest.raises(LimitError):
        parse(typed)
    assert time.perf_counter() - start < 1.0


def test_exactly_2000_characters_is_allowed() -> None:
    text = "x" + " " * 1998 + "y"  # two names, juxtaposed: a shape error, not a limit
    with pytest.raises(ShapeError):
        parse(text)
    assert parse("alpha" + " " * 1995).variables.keys() == {"alpha"}


def test_nesting_100_is_allowed() -> None:
    assert parse("(" * 100 + "x" + ")" * 100).expr == parse("x").expr


def test_fifteen_digits_are_allowed() -> None:
    parse("123456789012345")


@pytest.mark.parametrize("terms", [300, 1000])
def test_a_long_flat_sum_is_not_nesting(terms: int) -> None:
    """No brackets at all: the nesting limit (100 brackets) must not apply to a flat sum."""
    text = "+".join(["x"] * terms)  # at most 1999 characters
    assert len(text) <= 2000
    assert parse(text).variables.keys() == {"x"}


@pytest.mark.parametrize("terms", [500, 999])
def test_a_long_sum_is_one_flat_node(terms: int) -> None:
    """A sum is built from all its terms at once (linear time): one Sum node, whose terms
    are leaves, so the tree is two levels deep however long the sum."""
    from app.mathcore.syntax import parse_syntax
    from app.mathcore.tree import Sum, tree_depth

    text = "+".join(["x", "y"] * (terms // 2) + ["x"] * (terms % 2))
    assert parse_syntax(text).depth == 2
    expr = parse(text).expr
    assert isinstance(expr, Sum) and len(expr.terms) == terms
    assert tree_depth(expr) == 2


def test_a_long_flat_product_of_scalars_is_not_nesting() -> None:
    text = " ".join(["alpha"] * 300)  # 1799 characters
    assert parse(text).variables.keys() == {"alpha"}


# ------------------------------------------------------------------------ the caret


def caret_column(rendered: str) -> int:
    return rendered.splitlines()[1].index("^")


@pytest.mark.parametrize(
    ("typed", "declared", "pointed"),
    [
        ("x^T A", X_AND_A, "A"),
        ("foo(x)", None, "f"),
        ("x)", None, ")"),
        ("x + $", None, "$"),
        ("x + A", None, "+"),
        ("2 x + bar(y)", None, "b"),
    ],
)
def test_caret_sits_under_the_offending_character(typed: str, declared: Decl, pointed: str) -> None:
    with pytest.raises(MathError) as caught:
        parse(typed, declared)
    rendered = point_to_error(typed, caught.value)
    lines = rendered.splitlines()
    assert lines[0] == typed
    assert typed[caret_column(rendered)] == pointed
    assert lines[2] == caught.value.message


def test_caret_points_past_the_end_when_the_expression_stops_early() -> None:
    with pytest.raises(ParseError) as caught:
        parse("x +")
    assert point_to_error("x +", caught.value) == (
        "x +\n   ^\nthe expression ends too early: something is missing here; finish it with "
        "a name or a number, or delete the last operator"
    )


def test_caret_on_the_right_line_of_a_multiline_expression() -> None:
    typed = "x^T x\n+ foo(x)"
    with pytest.raises(ParseError) as caught:
        parse(typed)
    rendered = point_to_error(typed, caught.value)
    assert rendered.splitlines()[:2] == ["+ foo(x)", "  ^"]


def test_caret_offsets_are_unmoved_by_latex_sizing_commands() -> None:
    """``\\left``/``\\right`` and norm bars are rewritten before parsing; offsets must not shift."""
    typed = "\\left( x \\right) + \\|y\\| + foo(x)"
    with pytest.raises(ParseError) as caught:
        parse(typed)
    assert caught.value.position == typed.index("foo")
