"""The grading table: (expected, answer, variables, equivalent, first feedback kind).

One line per fact a learner would recognise. ``kind`` is the first feedback the grader
must give (``None``: no feedback at all, a plain "correct").
"""

from __future__ import annotations

from typing import Any, NamedTuple

VECTOR = {"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"]}, "b": {"shape": ["n"]}}
SYMMETRIC = {"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"], "properties": ["symmetric"]}}
REGRESSION = {"X": {"shape": ["m", "n"]}, "w": {"shape": ["n"]}, "y": {"shape": ["m"]}}
RECT = {"X": {"shape": ["m", "n"]}, "A": {"shape": ["n", "m"]}, "B": {"shape": ["m", "m"]}}
SQUARE = {"X": {"shape": ["n", "n"]}, "A": {"shape": ["n", "n"]}}
SPD = {"S": {"shape": ["n", "n"], "properties": ["spd"]}, "x": {"shape": ["n"]}}
LAYER = {"W": {"shape": ["m", "n"]}, "x": {"shape": ["n"]}, "z": {"shape": ["m"]}}
SCALARS = {"x": {"shape": []}, "y": {"shape": []}}
NUMBERS: dict[str, Any] = {}
SCALAR_TIMES_VECTOR = {"x": {"shape": []}, "b": {"shape": ["n"]}}
RIDGE = {**REGRESSION, "lambda": {"shape": []}}
OUTER = {"a": {"shape": ["n"]}, "b": {"shape": ["n"]}, "x": {"shape": ["n"]}}
RANK_ONE = {"A": {"shape": ["n", "n"]}, "u": {"shape": ["n"]}, "v": {"shape": ["n"]}}
POSITIVE = {"x": {"shape": [], "properties": ["positive"]}}


class Case(NamedTuple):
    expected: str
    answer: str
    variables: dict[str, Any]
    equivalent: bool
    kind: str | None


CASES = [
    # vectors: right, in other words
    Case("(A + A^T) x", "A x + A^T x", VECTOR, True, None),
    Case("(A + A^T) x", "A^T x + A x", VECTOR, True, None),
    Case("(A + A^T) x", "(A^T + A) x", VECTOR, True, None),
    Case("(A + A^T) x", "(x^T (A + A^T))^T", VECTOR, True, None),
    Case("(A + A^T) x", "(x^T A + x^T A^T)^T", VECTOR, True, None),
    Case("2 x", "x + x", VECTOR, True, None),
    Case("2 x", "2 I x", VECTOR, True, None),
    Case("b", "(b^T)^T", VECTOR, True, None),
    Case("x^T A x", "x^T A^T x", VECTOR, True, None),
    Case("x^T A x", "(A x)^T x", VECTOR, True, None),
    Case("x^T b", "b^T x", VECTOR, True, None),
    Case("A b", "(b^T A^T)^T", VECTOR, True, None),
    Case("x / norm(x)", "x / sqrt(x^T x)", VECTOR, True, None),
    Case("2 X^T (X w - y)", "2 X^T X w - 2 X^T y", REGRESSION, True, None),
    Case("2 X^T (X w - y)", "-2 X^T (y - X w)", REGRESSION, True, None),
    Case("2 X^T (X w - y)", "2 (X^T X w - X^T y)", REGRESSION, True, None),
    Case("2 X^T (X w - y)", r"2 X^\top (X w - y)", REGRESSION, True, None),
    Case("X^T (X w - y)", "((X w - y)^T X)^T", REGRESSION, True, None),
    # vectors: the layout mix-up (transpose)
    Case("(A + A^T) x", "x^T (A + A^T)", VECTOR, False, "transpose"),
    Case("2 X^T (X w - y)", "2 (X w - y)^T X", REGRESSION, False, "transpose"),
    Case("b", "b^T", VECTOR, False, "transpose"),
    Case("A x", "x^T A^T", VECTOR, False, "transpose"),
    Case("2 x", "2 x^T", VECTOR, False, "transpose"),
    # vectors: the shape differs
    Case("2 X^T (X w - y)", "2 (X w - y)", REGRESSION, False, "shape"),
    Case("x^T A x", "A x", VECTOR, False, "shape"),
    Case("X^T y", "X w", REGRESSION, False, "shape"),
    Case("2 x", "x^T x", VECTOR, False, "shape"),
    Case("x x^T", "x^T x", VECTOR, False, "shape"),
    # vectors: right only if A were symmetric
    Case("(A + A^T) x", "2 A x", VECTOR, False, "symmetric_only"),
    Case("(A + A^T) x", "2 A^T x", VECTOR, False, "symmetric_only"),
    Case("A^T b", "A b", VECTOR, False, "symmetric_only"),
    Case("x^T A", "x^T A^T", VECTOR, False, "symmetric_only"),
    # ... and right because A is declared symmetric
    Case("2 A x", "A x + A^T x", SYMMETRIC, True, "uses_property"),
    Case("2 A x", "(A + A^T) x", SYMMETRIC, True, "uses_property"),
    Case("A x", "A^T x", SYMMETRIC, True, "uses_property"),
    Case("2 S x", "(S + S^T) x", SPD, True, "uses_property"),
    Case("S^-1 x", "S^-T x", SPD, True, "uses_property"),
    # vectors: a constant factor or the sign
    Case("2 X^T (X w - y)", "X^T (X w - y)", REGRESSION, False, "factor"),
    Case("2 X^T (X w - y)", "4 X^T (X w - y)", REGRESSION, False, "factor"),
    Case("(A + A^T) x", "1/2 (A + A^T) x", VECTOR, False, "factor"),
    Case("2 X^T (X w - y)", "2 X^T (y - X w)", REGRESSION, False, "sign"),
    Case("(A + A^T) x", "-(A + A^T) x", VECTOR, False, "sign"),
    Case("b", "-b", VECTOR, False, "sign"),
    # vectors: a term missing, one too many, a term's sign
    Case("(A + A^T) x", "A x", VECTOR, False, "missing_term"),
    Case("(A + A^T) x", "A^T x", VECTOR, False, "missing_term"),
    Case("2 X^T (X w - y)", "2 X^T X w", REGRESSION, False, "missing_term"),
    Case("A x + b", "A x", VECTOR, False, "missing_term"),
    Case("x^T A x", "x^T A x + x^T x", VECTOR, False, "extra_term"),
    Case("A x", "A x + b", VECTOR, False, "extra_term"),
    Case("A x + b", "A x - b", VECTOR, False, "sign"),
    Case("A x", "A x + A^T b", VECTOR, False, "extra_term"),
    # nothing in particular: wrong
    Case("A x", "A b", VECTOR, False, "wrong"),
    Case("(A + A^T) x", "A A x", VECTOR, False, "wrong"),
    Case("2 X^T (X w - y)", "2 X^T X (w - X^T y)", REGRESSION, False, "wrong"),
    # matrices and traces (X is m×n, A n×m: non-square, so transposes cannot hide)
    Case("A^T", "A^T", RECT, True, None),
    Case("tr(A X)", "tr(X A)", RECT, True, None),
    Case("tr(A X)", "tr(X^T A^T)", RECT, True, None),
    Case("tr(A X)", "tr((A X)^T)", RECT, True, None),
    Case("tr(X^T B X)", "tr(B X X^T)", RECT, True, None),
    Case("(B + B^T) X", "B X + B^T X", RECT, True, None),
    Case("A^T", "A", RECT, False, "transpose"),
    Case("(B + B^T) X", "X^T (B + B^T)", RECT, False, "transpose"),
    Case("A^T", "X", RECT, False, "wrong"),
    Case("(B + B^T) X", "2 B X", RECT, False, "symmetric_only"),
    Case("tr(A X)", "tr(A) tr(X)", SQUARE, False, "wrong"),
    Case("2 X", "X + X^T", SQUARE, False, "symmetric_only"),
    Case("X A", "A X", SQUARE, False, "wrong"),
    Case("X A", "A^T X^T", SQUARE, False, "transpose"),
    Case("tr(X)", "sum(diag(X))", SQUARE, True, None),
    Case("sum(X .* X)", "tr(X^T X)", RECT, True, None),
    Case("norm(X)^2", "tr(X^T X)", RECT, True, None),
    Case("2 X", "2 X^T", RECT, False, "transpose"),
    # determinants and inverses
    Case("det(X) X^-T", "det(X) (X^-1)^T", SQUARE, True, None),
    Case("det(X) X^-T", "det(X) inv(X)^T", SQUARE, True, None),
    Case("det(X) X^-T", "det(X) X^-1", SQUARE, False, "transpose"),
    Case("X^-T", "(X^T)^-1", SQUARE, True, None),
    Case("X^-T", "X^-1", SQUARE, False, "transpose"),
    Case("-X^-T A^T X^-T", "-(X^-1 A X^-1)^T", SQUARE, True, None),
    Case("-X^-T A^T X^-T", "X^-T A^T X^-T", SQUARE, False, "sign"),
    Case("(A X)^-1", "X^-1 A^-1", SQUARE, True, None),
    Case("(A X)^-1", "A^-1 X^-1", SQUARE, False, "wrong"),
    Case("det(A X)", "det(A) det(X)", SQUARE, True, None),
    Case("det(2 X)", "2 det(X)", SQUARE, False, "factor"),
    Case("logdet(S)", "log(det(S))", SPD, True, None),
    Case("S^-1", "inv(S)", SPD, True, None),
    Case("det(X^T)", "det(X)", SQUARE, True, None),
    # elementwise functions
    Case(
        "sigmoid(z) .* (1 - sigmoid(z))", "sigmoid(z) - sigmoid(z) .* sigmoid(z)", LAYER, True, None
    ),
    Case("exp(z) .* z", "z .* exp(z)", LAYER, True, None),
    Case("W^T (exp(W x) .* z)", "W^T (z .* exp(W x))", LAYER, True, None),
    Case("W^T (exp(W x) .* z)", "(exp(W x) .* z)^T W", LAYER, False, "transpose"),
    Case("W^T (exp(W x) .* z)", "W^T exp(W x)", LAYER, False, "wrong"),
    Case("(z .* (W x)) x^T", "diag(z) W x x^T", LAYER, True, None),
    Case("tanh(z)", "(exp(z) - exp(-z)) ./ (exp(z) + exp(-z))", LAYER, True, None),
    Case("1 - tanh(z) .^ 2", "1 - tanh(z) .* tanh(z)", LAYER, True, None),
    Case("2 z", "z .* 2", LAYER, True, None),
    Case("W^T (sigmoid(W x) - z)", "W^T sigmoid(W x) - W^T z", LAYER, True, None),
    Case("(sigmoid(W x) - z) x^T", "x (sigmoid(W x) - z)^T", LAYER, False, "transpose"),
    Case("(sigmoid(W x) - z) x^T", "(sigmoid(W x) - z) x^T + W", LAYER, False, "extra_term"),
    # scalars: SymPy decides
    Case("2 x cos(x^2)", "cos(x^2) 2 x", SCALARS, True, None),
    Case("x^2 sin(x)", "sin(x) x x", SCALARS, True, None),
    Case("exp(x) (1 + x)", "exp(x) + x exp(x)", SCALARS, True, None),
    Case("1/(1 + exp(-x))", "sigmoid(x)", SCALARS, True, None),
    Case("sin(x)^2 + cos(x)^2", "1", SCALARS, True, None),
    Case("2 x y", "x y + y x", SCALARS, True, None),
    Case("2 x cos(x^2)", "cos(x^2) x", SCALARS, False, "factor"),
    Case("2 x cos(x^2)", "-2 x cos(x^2)", SCALARS, False, "sign"),
    Case("2 x cos(x^2)", "2 x sin(x^2)", SCALARS, False, "wrong"),
    Case("exp(x) (1 + x)", "exp(x)", SCALARS, False, "missing_term"),
    # matrix literals and numbers
    Case("[1, 2; 3, 4]", "[1, 2; 3, 4]", NUMBERS, True, None),
    Case("[1, 2; 3, 4]", "[1, 3; 2, 4]", NUMBERS, False, "transpose"),
    Case("[1, 2; 3, 4]", "[2, 4; 6, 8]", NUMBERS, False, "factor"),
    Case("[1, 2; 3, 4]", "[-1, -2; -3, -4]", NUMBERS, False, "sign"),
    Case("[1, 2; 3, 4]", "[1, 2, 3, 4]", NUMBERS, False, "shape"),
    Case("[1; 2; 3]", "[[1, 2, 3]]^T", NUMBERS, True, None),
    Case("[1; 2; 3]", "[[1, 2, 3]]", NUMBERS, False, "transpose"),
    Case("[1; 2; 3]", "[1, 2, 3]", NUMBERS, True, None),
    Case("[0.5, 1.5]", "[1/2, 3/2]", NUMBERS, True, None),
    Case("[1, 2; 3, 4]", "[1, 2; 3, 5]", NUMBERS, False, "wrong"),
    Case("7", "3 + 4", NUMBERS, True, None),
    Case("7", "8", NUMBERS, False, "factor"),
    # LaTeX input
    Case("(A + A^T) x", r"\left(A + A^{\top}\right) x", VECTOR, True, None),
    Case("(A + A^T) x", r"(A^\top + A)\,x", VECTOR, True, None),
    Case("det(X) X^-T", r"\det(X)\, X^{-\top}", SQUARE, True, None),
    Case("tr(A X)", r"\operatorname{tr}(X A)", RECT, True, None),
    Case("x^2 sin(x)", r"x^{2}\sin(x)", SCALARS, True, None),
    Case("1/2 x", r"\frac{1}{2} x", VECTOR, True, None),
    Case("(A + A^T) x", r"2 A x", VECTOR, False, "symmetric_only"),
    Case("X^-T", r"X^{-1}", SQUARE, False, "transpose"),
    # signs and kinks: every scalar and entry is drawn with both signs and several scales
    Case("step(x)", "1", SCALARS, False, "wrong"),
    Case("2 abs(x)", "2 x", SCALARS, False, "wrong"),
    Case("sqrt(x^2)", "x", SCALARS, False, "wrong"),
    Case("sqrt(x^2)", "abs(x)", SCALARS, True, None),
    Case("x + 4", "abs(x + 4)", SCALARS, False, "wrong"),
    Case("x + 4", "abs(x + 4)", VECTOR, False, "wrong"),
    Case("(x + 4) b", "abs(x + 4) b", SCALAR_TIMES_VECTOR, False, "wrong"),
    Case("x", "abs(x + 300) - 300", VECTOR, False, "wrong"),
    Case("x", "abs(x + 1000) - 1000", SCALARS, False, "wrong"),
    Case("relu(x)", "x", VECTOR, False, "wrong"),
    Case("relu(x)", "x .* step(x)", VECTOR, True, None),
    Case("log(x^2)", "2 log(x)", SCALARS, False, "wrong"),
    Case("2 log(x)", "log(x^2)", SCALARS, True, None),
    Case("log(x^2)", "2 log(x)", POSITIVE, True, "uses_property"),
    Case("sqrt(x)^2", "x", POSITIVE, True, None),
    # tolerance per entry, with no absolute floor
    Case("-100 exp(-50 x^T x) x", "100 exp(-50 x^T x) x", VECTOR, False, "sign"),
    Case("10^-12 x", "-10^-12 x", VECTOR, False, "sign"),
    Case("[10^6, 10^-3]", "[10^6, 2 10^-3]", NUMBERS, False, "wrong"),
    Case("[10^6 x; 10^-6 y]", "[10^6 x; 2 10^-6 y]", SCALARS, False, "wrong"),
    # ill-conditioned but equal: re-evaluated in high precision before rejecting
    Case("x^2", "(x + 1e8)^2 - 10^16 - 2e8 x", SCALARS, True, None),
    Case("x^T x", "(x + 1e8 b)^T (x + 1e8 b) - 10^16 b^T b - 2e8 b^T x", VECTOR, True, None),
    Case(
        "inv(A + u v^T)",
        "inv(A) - inv(A) u v^T inv(A) / (1 + v^T inv(A) u)",
        RANK_ONE,
        True,
        None,
    ),
    Case("exp(x + 800) / exp(x + 799)", "e", SCALARS, True, None),
    # diagnoses: one term off by a factor, outer products not symmetrised
    Case("2 X^T (X w - y) + 2 lambda w", "2 X^T (X w - y) + lambda w", RIDGE, False, "term_factor"),
    Case("2 X^T (X w - y) + 2 lambda w", "X^T (X w - y) + 2 lambda w", RIDGE, False, "term_factor"),
    Case("a b^T + b a^T", "2 a b^T", OUTER, False, "not_symmetrised"),
    Case("a b^T + b a^T", "2 b a^T", OUTER, False, "not_symmetrised"),
    Case("a b^T + b a^T", "b a^T + a b^T", OUTER, True, None),
    # numbers alone are compared exactly
    Case("15", "15.0000001", NUMBERS, False, "wrong"),
    Case("15", "15.0", NUMBERS, True, None),
    Case("sqrt(2)", "2^(1/2)", NUMBERS, True, None),
    Case("[1/3, 1]", "[0.333333333333, 1]", NUMBERS, False, "wrong"),
    Case("2", "10^(10^8)", NUMBERS, False, "wrong"),
]
