"""Printing then parsing gives back the same tree.

The app shows ``to_text`` as "interpreted as" and sends it back when a learner accepts it,
so the printed text must mean exactly what was parsed: ``parse(to_text(e)) == e`` and the
LaTeX of both is the same. A table of varied expressions, then random ones from Hypothesis.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.mathcore.errors import MathError
from app.mathcore.parse import parse
from app.mathcore.printing import to_latex, to_text

Decl = Mapping[str, Any] | None

SCALAR_X: dict[str, Any] = {"x": {"shape": []}}
SQUARE: dict[str, Any] = {
    "A": {"shape": ["n", "n"]},
    "B": {"shape": ["n", "n"]},
    "x": {"shape": ["n"]},
}
FIXED: dict[str, Any] = {"W": {"shape": [2, 3]}, "x": {"shape": [3]}, "b": {"shape": [2]}}
SYMMETRIC: dict[str, Any] = {
    "S": {"shape": ["n", "n"], "properties": ["symmetric"]},
    "x": {"shape": ["n"]},
}

EXPRESSIONS: list[tuple[str, Decl]] = [
    ("x", None),
    ("alpha", None),
    ("2", None),
    ("1/2", None),
    ("0.1 x", None),
    ("1/3 x", None),
    ("-1/3 x", None),
    ("2.5 alpha", None),
    ("x + y", None),
    ("x - y", None),
    ("x - (y - z)", None),
    ("-x", None),
    ("-(x + y)", None),
    ("-2 x", None),
    ("x - 2 y", None),
    ("x + (-1/3)", None),
    ("alpha - beta", None),
    ("alpha^-1", None),
    ("1/alpha", None),
    ("alpha^(1/2)", None),
    ("alpha^beta^2", None),
    ("(alpha^beta)^2", None),
    ("alpha^(-beta)", None),
    ("2^alpha", None),
    ("(-2)^alpha", None),
    ("-2^alpha", None),
    ("alpha^2 beta / gamma^3", None),
    ("alpha / (beta gamma)", None),
    ("alpha / beta / gamma", None),
    ("(alpha + beta) / 2", None),
    ("(x + y) / alpha", None),
    ("x^T A x", None),
    ("1/2 x^T A x - b^T x", None),
    ("(A + A^T) x", None),
    ("(x^T y)^2", None),
    ("(x^T y) z", None),
    ("x (y^T z)", None),
    ("x y^T", None),
    ("x y^T z", None),
    ("(2 x)^T", None),
    ("(alpha x)^T y", None),
    ("A B C", None),
    ("(A B)^T", None),
    ("-A^T", None),
    ("(-A)^T", None),
    ("A^-1", None),
    ("-A^-1", None),
    ("(-A)^-1", None),
    ("A^-T", None),
    ("inv(A)^T", None),
    ("inv(A^T)", None),
    ("A'^{-1}", None),
    ("(A^T)^2", None),
    ("(A^-1)^2", None),
    ("inv(A^2)", None),
    ("(A^T).^2", None),
    ("(A^-1).^2", None),
    ("0.25^8", None),
    ("0 A", None),
    ("e .^ 2", None),
    ("10^15", None),
    ("0.1^16 alpha", None),
    ("alpha^-1 beta", None),
    ("inv(e)", None),
    ("A^3 x", None),
    ("x^T A^-1 y", None),
    ("I - A", None),
    ("2 I", None),
    ("A + 2", None),
    ("2 - A", None),
    ("x .* y .* z", None),
    ("(x .* y)^T", None),
    ("x.^2 .* y", None),
    ("x ./ y ./ z", None),
    ("x ./ (y ./ z)", None),
    ("alpha ./ x", None),
    ("A^T .* B", None),
    ("x.^(1/2)", None),
    ("x.^(alpha + 1)", None),
    ("exp(x)^T", None),
    ("sum(x)^2", None),
    ("norm(x)^2", None),
    ("\\|X\\|_F^2", None),
    ("tr(A B C)", None),
    ("det(2 A)", None),
    ("log(det(A))", None),
    ("logdet(A)", None),
    ("sigmoid(W x + b)", None),
    ("softmax(W x)", None),
    ("logsumexp(W x + b)", None),
    ("relu(A x + b) .* c", None),
    ("diag(x) A", None),
    ("diag(A x)", None),
    ("diag(diag(X))", None),
    ("e^(x^T x)", None),
    ("exp(-alpha)", None),
    ("2 exp(alpha) pi", None),
    ("pi^2", None),
    ("e^2", None),
    ("-e", None),
    ("[1, 2; 3, 4]^T", None),
    ("[alpha; beta]^T x", None),
    ("[a, b; c, d] [e1; e2]", None),
    ("d(x^T A x)", None),
    ("x^T dx + dx^T x", None),
    ("tr(X^T dX)", None),
    ("ones(n)", None),
    ("ones(n)^T x", None),
    ("A^T ones(n)", None),
    ("ones(m, n) + X", None),
    ("zeros(n)", None),
    ("zeros(n)^T", None),
    ("alpha ones(3)", None),
    ("2 x e^x", SCALAR_X),
    ("x^3 - 2 x + 1", SCALAR_X),
    ("x^T A B x", SQUARE),
    ("A^2 - 2 A B + B^2", SQUARE),
    ("W x + b", FIXED),
    ("sigmoid(W x + b)^T sigmoid(W x + b)", FIXED),
    ("x^T S x", SYMMETRIC),
    ("x^T inv(S) x", SYMMETRIC),
]


def _id(case: tuple[str, Decl]) -> str:
    return case[0] + (" [declared]" if case[1] else "")


@pytest.mark.parametrize(("typed", "declared"), EXPRESSIONS, ids=[_id(c) for c in EXPRESSIONS])
def test_printed_text_parses_back_to_the_same_tree(typed: str, declared: Decl) -> None:
    first = parse(typed, declared).expr
    text = to_text(first)
    again = parse(text, declared).expr
    assert again == first, f"{typed!r} printed as {text!r}, which reads as {to_text(again)!r}"
    assert to_latex(again) == to_latex(first)


@pytest.mark.parametrize(("typed", "declared"), EXPRESSIONS, ids=[_id(c) for c in EXPRESSIONS])
def test_printing_is_idempotent(typed: str, declared: Decl) -> None:
    text = to_text(parse(typed, declared).expr)
    assert to_text(parse(text, declared).expr) == text


# ------------------------------------------------------------------------ random expressions

NAMES = ["x", "y", "A", "B", "alpha", "beta"]
NUMBERS = ["1", "2", "3", "1/2", "0.25"]
FUNCTIONS = ["exp", "log", "sin", "tanh", "sigmoid", "sum", "norm", "tr", "det", "inv", "diag"]


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from([" + ", " - "]), children).map(
            lambda t: f"({t[0]}{t[1]}{t[2]})"
        ),
        st.tuples(children, children).map(lambda t: f"{t[0]} {t[1]}"),
        children.map(lambda a: f"({a})^T"),
        children.map(lambda a: f"-({a})"),
        children.map(lambda a: f"({a})^2"),
        st.tuples(st.sampled_from(FUNCTIONS), children).map(lambda t: f"{t[0]}({t[1]})"),
    )


EXPRESSION_TEXT = st.recursive(st.sampled_from(NAMES + NUMBERS), _combine, max_leaves=8)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(EXPRESSION_TEXT)
def test_random_expressions_round_trip(text: str) -> None:
    try:
        parsed = parse(text)
    except MathError:
        assume(False)
        raise AssertionError("unreachable") from None
    first = parsed.expr
    printed = to_text(first)
    # Read the text back with the variables as first inferred: simplification may drop what
    # fixed a shape (inv(inv(A)) is A, square), and that is not the printer's concern.
    again = parse(printed, parsed.variables).expr
    assert again == first, f"{text!r} printed as {printed!r}, which reads as {to_text(again)!r}"
    assert to_latex(again) == to_latex(first)
