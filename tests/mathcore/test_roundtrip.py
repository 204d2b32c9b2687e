"""Printing then parsing gives back the same tree.

The app shows ``to_text`` as "interpreted as" and sends it back when a learner accepts it,
so the printed text must mean exactly what was parsed: ``parse(to_text(e)) == e`` and the
LaTeX of both is the same. A table of varied expressions, then random ones from Hypothesis.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.mathcore import build
from app.mathcore.build import ONE
from app.mathcore.derivative import differentiate
from app.mathcore.errors import MathError
from app.mathcore.evaluate import evaluate
from app.mathcore.parse import parse
from app.mathcore.printing import to_latex, to_text
from app.mathcore.shapes import ShapeConflict
from app.mathcore.tree import (
    Constant,
    Expr,
    Identity,
    Number,
    Ones,
    Shape,
    Symbol,
)
from app.mathcore.variables import parse_declarations
from tests.mathcore.derivative_cases import CASES, DerivativeCase

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


# ------------------------------------------------------------------------ generated trees
#
# Trees built directly through the checked constructors (not from text), over declared
# variables of every rank: printing one as text or as LaTeX and reading it back must give
# the very same tree, with the same shapes.

TREE_DECLARATIONS: dict[str, Any] = {
    "A": {"shape": ["n", "n"]},
    "B": {"shape": ["n", "n"]},
    "W": {"shape": ["m", "n"]},
    "x": {"shape": ["n"]},
    "y": {"shape": ["n"]},
    "b": {"shape": ["m"]},
    "alpha": {"shape": []},
    "beta": {"shape": []},
    "x1": {"shape": ["n"]},
    "W_2": {"shape": ["n", "n"]},
}
TREE_VARIABLES = parse_declarations(TREE_DECLARATIONS)
SHAPES: list[Shape] = [
    (1, 1),
    ("n", 1),
    (1, "n"),
    ("n", "n"),
    ("m", "n"),
    ("m", 1),
    (2, 1),
    (1, 2),
    (2, 2),
]
LITERAL_ENTRIES = [Number(Fraction(k)) for k in (1, -2)] + [Symbol("alpha", (1, 1))]


def _symbols(shape: Shape) -> list[Expr]:
    declared = [Symbol(v.name, v.shape) for v in TREE_VARIABLES.values() if v.shape == shape]
    # sigma, undeclared, is a scalar by the naming convention; printed next to a bracket it
    # must not turn into the sigmoid
    return declared + ([Symbol("sigma", (1, 1))] if shape == (1, 1) else [])


def _leaves(shape: Shape) -> st.SearchStrategy[Expr]:
    options: list[st.SearchStrategy[Expr]] = [] if shape == (1, 1) else [st.just(Ones(shape))]
    symbols = _symbols(shape)
    transposed = _symbols((shape[1], shape[0]))
    if symbols:
        options.append(st.sampled_from(symbols))
    if transposed and shape[0] != shape[1]:
        options.append(st.sampled_from([build.transpose(s) for s in transposed]))
    if shape == (1, 1):
        numbers = [Fraction(k) for k in (1, 2, 3, -1)] + [Fraction(1, 2), Fraction(-3, 4)]
        options.append(st.sampled_from([Number(v) for v in numbers]))
        options.append(st.sampled_from([Constant("e"), Constant("pi")]))
    else:
        options.append(st.just(build.multiply(build.ZERO, Ones(shape))))
    if shape[0] == shape[1] and shape != (1, 1):
        options.append(st.just(Identity(shape[0])))
    if all(isinstance(d, int) for d in shape) and shape != (1, 1):
        rows, cols = shape
        entries = st.lists(
            st.sampled_from(LITERAL_ENTRIES), min_size=rows * cols, max_size=rows * cols
        )
        options.append(
            entries.map(
                lambda e: build.matrix_literal([e[r * cols : (r + 1) * cols] for r in range(rows)])
            )
        )
    return st.one_of(options)


@st.composite
def trees(draw: st.DrawFn, shape: Shape, depth: int = 3) -> Expr:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(_leaves(shape))
    sub = depth - 1
    rows, cols = shape
    square = rows == cols and shape != (1, 1)
    makers: list[Callable[[], Expr]] = [
        lambda: build.add(draw(trees(shape, sub)), draw(trees(shape, sub))),
        lambda: build.subtract(draw(trees(shape, sub)), draw(trees(shape, sub))),
        lambda: build.negate(draw(trees(shape, sub))),
        lambda: build.multiply(draw(trees((1, 1), sub)), draw(trees(shape, sub))),
        lambda: build.transpose(draw(trees((cols, rows), sub))),
        lambda: build.multiply(draw(trees((rows, inner), sub)), draw(trees((inner, cols), sub))),
        lambda: build.apply(draw(st.sampled_from(FUNCTIONS_1)), draw(trees(shape, sub))),
    ]
    inner = draw(st.sampled_from(["n", "m", 1, 2]))
    if shape != (1, 1):
        makers += [
            lambda: build.hadamard(draw(trees(shape, sub)), draw(trees(shape, sub))),
            lambda: build.quotient(draw(trees(shape, sub)), draw(trees(shape, sub))),
            lambda: build.element_power(draw(trees(shape, sub)), Number(Fraction(2))),
            lambda: build.add(draw(trees((1, 1), sub)), draw(trees(shape, sub))),
        ]
    if shape == (1, 1):
        makers += [
            lambda: build.call(
                draw(st.sampled_from(["tr", "det", "logdet"])), draw(trees(("n", "n"), sub))
            ),
            lambda: build.call(
                draw(st.sampled_from(["sum", "norm"])),
                draw(trees(draw(st.sampled_from(SHAPES[1:])), sub)),
            ),
            lambda: build.call("logsumexp", draw(trees(("n", 1), sub))),
            lambda: build.divide(draw(trees((1, 1), sub)), draw(trees((1, 1), sub))),
            lambda: build.power(
                draw(trees((1, 1), sub)),
                draw(
                    st.sampled_from(
                        [Number(Fraction(k)) for k in (2, 3, -1, -2)] + [Number(Fraction(1, 2))]
                    )
                ),
            ),
        ]
    if square:
        makers += [
            lambda: build.inverse(draw(trees(shape, sub))),
            lambda: build.power(draw(trees(shape, sub)), Number(Fraction(draw(st.integers(2, 3))))),
            lambda: build.call("diag", draw(trees((rows, 1), sub))),
        ]
    if cols == 1 and rows != 1:
        makers += [
            lambda: build.call("softmax", draw(trees(shape, sub))),
            lambda: build.call("diag", draw(trees((rows, rows), sub))),
        ]
    try:
        made = draw(st.sampled_from(makers))()
    except (ShapeConflict, MathError):
        assume(False)
        raise AssertionError("unreachable") from None
    assume(made.shape == shape)
    return made


FUNCTIONS_1 = [
    "exp",
    "log",
    "sin",
    "cos",
    "tanh",
    "sqrt",
    "abs",
    "sigmoid",
    "relu",
    "softplus",
    "sign",
    "step",
]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(st.sampled_from(SHAPES).flatmap(lambda shape: trees(shape)))
def test_generated_trees_read_back_from_text_and_latex(tree: Expr) -> None:
    for printer in (to_text, to_latex):
        printed = printer(tree)
        again = parse(printed, TREE_VARIABLES).expr
        assert again == tree, (
            f"{to_text(tree)!r} printed as {printed!r}, which reads as {to_text(again)!r}"
        )
        assert again.shape == tree.shape


# Scalar divisors of every kind (a function of a bare number, a constant, a Greek scalar, a
# number), combined in every order the builder offers: the reader must order them as the
# builder does, so a / alpha / exp(-1) reads back as itself and not as a / exp(-1) / alpha.

_DIVISORS: list[Expr] = [
    Symbol("alpha", (1, 1)),
    Symbol("sigma", (1, 1)),
    Constant("pi"),
    Number(Fraction(2)),
    Number(Fraction(-1, 2)),
    build.apply("exp", Number(Fraction(-1))),
    build.apply("sin", Number(Fraction(2))),
    build.apply("log", Constant("pi")),
]
_COMBINE: dict[str, Callable[[Expr, Expr], Expr]] = {
    "p / q": build.divide,
    "p q": build.multiply,
    "p q^-1": lambda p, q: build.multiply(p, build.power(q, Number(Fraction(-1)))),
    "(p q)^-2": lambda p, q: build.power(build.multiply(p, q), Number(Fraction(-2))),
    "q / p": lambda p, q: build.divide(q, p),
}


# What the divisors divide: one, then a vector they scale, or a scalar made of arrays
# (ones^T ones, x^T A x), whose own scalars join the divisors where it stands.
_START: dict[str, Callable[[], Expr]] = {
    "1, then times b": lambda: ONE,
    "ones^T ones": lambda: build.multiply(build.transpose(Ones(("n", 1))), Ones(("n", 1))),
    "x^T A x": lambda: build.multiply(
        build.transpose(Symbol("x", ("n", 1))), Symbol("A", ("n", "n")), Symbol("x", ("n", 1))
    ),
}


@pytest.mark.parametrize("start", list(_START))
@pytest.mark.parametrize("outer", list(_COMBINE))
@pytest.mark.parametrize("inner", list(_COMBINE))
def test_scalar_divisors_read_back_in_the_builders_order(
    inner: str, outer: str, start: str
) -> None:
    b = Symbol("b", ("m", 1)) if start.endswith("times b") else ONE
    for first in _DIVISORS:
        for second in _DIVISORS:
            divided = _COMBINE[outer](_COMBINE[inner](_START[start](), first), second)
            tree = build.multiply(divided, b)
            for printer in (to_text, to_latex):
                printed = printer(tree)
                again = parse(printed, TREE_VARIABLES).expr
                assert again == tree, f"{printed!r} reads back as {to_text(again)!r}"


# ------------------------------------------------------------------------ the engine's outputs
#
# Every derivative the engine gives for its own table, printed as text and as LaTeX, reads
# back: both readings are the same tree, with the engine's shape and value, and printing
# that tree again gives the same text (the engine may nest a product in a product, which
# reads back flattened, so the check is on value rather than on the engine's own nesting).


def _engine_result(case: DerivativeCase) -> tuple[Expr, dict[str, Any]]:
    declared = {
        name: {"shape": list(var.shape), "properties": var.properties}
        for name, var in case.variables.items()
    }
    parsed = parse(case.expression, declared)
    result = differentiate(parsed, case.wrt, case.kind, case.layout or "numerator")
    return result.expr, dict(parsed.variables)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_every_engine_result_reads_back_from_its_text_and_latex(case: DerivativeCase) -> None:
    result, variables = _engine_result(case)
    from_text = parse(to_text(result), variables).expr
    from_latex = parse(to_latex(result), variables).expr
    assert from_text == from_latex, (
        f"text {to_text(result)!r} and LaTeX {to_latex(result)!r} read differently"
    )
    assert from_text.shape == result.shape
    assert to_text(parse(to_text(from_text), variables).expr) == to_text(from_text)
    inputs = {name: np.atleast_2d(value) for name, value in case.sample().items()}
    inputs = {name: value.reshape(variables[name].shape) for name, value in inputs.items()}
    np.testing.assert_allclose(
        evaluate(from_text, inputs), evaluate(result, inputs), rtol=1e-9, atol=1e-12
    )
