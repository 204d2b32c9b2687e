"""Every form of the expression language, read as a list of facts.

Each line of ``FORMS`` says: what a learner types, the canonical plain text the app shows
back ("interpreted as"), and the shape of the result in the API's declared form (``[]`` for
a scalar, ``["n"]`` for a column vector, ``["m", "n"]`` for a matrix). The second half checks
meaning, not spelling: equivalent spellings must give equal values under ``evaluate`` at
random inputs, and several must agree with NumPy written by hand.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.mathcore.evaluate import evaluate
from app.mathcore.parse import Parsed, parse
from app.mathcore.printing import to_latex, to_text
from app.mathcore.variables import shape_to_list

Decl = Mapping[str, Any] | None

SCALAR_X = {"x": {"shape": []}}
SYMMETRIC = {"x": {"shape": ["n"]}, "A": {"shape": ["n", "n"], "properties": ["symmetric"]}}

# (what the learner types, canonical text, shape, declarations)
FORMS: list[tuple[str, str, list[Any], Decl]] = [
    # names and numbers
    ("x", "x", ["n"], None),
    ("x1", "x1", ["n"], None),
    ("W_2", "W_2", ["n", "m"], None),
    ("alpha", "alpha", [], None),
    ("lambda", "lambda", [], None),
    ("sigma", "sigma", [], None),
    ("sigma^2 x", "sigma^2 x", ["n"], None),
    ("2", "2", [], None),
    ("0.5", "1/2", [], None),
    ("1/2", "1/2", [], None),
    ("1.5", "3/2", [], None),
    (".5", "1/2", [], None),
    # arithmetic
    ("x + y", "x + y", ["n"], None),
    ("x - y", "x - y", ["n"], None),
    ("-x", "-x", ["n"], None),
    ("2 * x", "2 x", ["n"], None),
    ("x / 2", "1/2 x", ["n"], None),
    ("x / alpha", "x / alpha", ["n"], None),
    ("alpha^2", "alpha^2", [], None),
    ("alpha ** 2", "alpha^2", [], None),
    ("A ** 2", "A^2", ["n", "n"], None),
    ("2^10", "1024", [], None),
    # juxtaposition multiplies
    ("2x", "2 x", ["n"], None),
    ("2 A x", "2 A x", ["n"], None),
    ("x^T A x", "x^T A x", [], None),
    ("(A + A^T) x", "(A + A^T) x", ["n"], None),
    ("2 x e^x", "2 x exp(x)", [], SCALAR_X),
    ("x^T y alpha", "alpha x^T y", [], None),
    ("A @ B", "A B", ["n", "m"], None),
    # transpose
    ("A'", "A^T", ["n", "m"], None),
    ("A^T", "A^T", ["n", "m"], None),
    ("A^\\top", "A^T", ["n", "m"], None),
    ("A^{\\top}", "A^T", ["n", "m"], None),
    ("A.T", "A^T", ["n", "m"], None),
    ("transpose(A)", "A^T", ["n", "m"], None),
    ("x'", "x^T", [1, "n"], None),
    ("(A B)'", "(A B)^T", ["n", "m"], None),
    # inverse and powers of square matrices
    ("inv(A)", "A^-1", ["n", "n"], None),
    ("A^-1", "A^-1", ["n", "n"], None),
    ("A^{-1}", "A^-1", ["n", "n"], None),
    ("A^{-T}", "A^-T", ["n", "n"], None),
    ("A^-T", "A^-T", ["n", "n"], None),
    ("A^2", "A^2", ["n", "n"], None),
    ("A^3", "A^3", ["n", "n"], None),
    ("A^0", "I_n", ["n", "n"], None),
    # elementwise operators
    ("x .* y", "x .* y", ["n"], None),
    ("x ⊙ y", "x .* y", ["n"], None),
    ("hadamard(x, y)", "x .* y", ["n"], None),
    ("x ./ y", "x ./ y", ["n"], None),
    ("x .^ 2", "x.^2", ["n"], None),
    ("A .* B", "A .* B", ["n", "m"], None),
    # scalar functions act elementwise on arrays
    ("exp(x)", "exp(x)", ["n"], None),
    ("log(x)", "log(x)", ["n"], None),
    ("sin(x)", "sin(x)", ["n"], None),
    ("cos(x)", "cos(x)", ["n"], None),
    ("tan(x)", "tan(x)", ["n"], None),
    ("tanh(x)", "tanh(x)", ["n"], None),
    ("sqrt(x)", "sqrt(x)", ["n"], None),
    ("abs(x)", "abs(x)", ["n"], None),
    ("sign(x)", "sign(x)", ["n"], None),
    ("sigmoid(x)", "sigmoid(x)", ["n"], None),
    ("relu(x)", "relu(x)", ["n"], None),
    ("softplus(x)", "softplus(x)", ["n"], None),
    ("exp(X)", "exp(X)", ["n", "m"], None),
    ("exp(alpha)", "exp(alpha)", [], None),
    # whole-array functions
    ("sum(x)", "sum(x)", [], None),
    ("norm(x)", "norm(x)", [], None),
    ("norm(X)", "norm(X)", [], None),
    ("tr(A)", "tr(A)", [], None),
    ("trace(A)", "tr(A)", [], None),
    ("det(A)", "det(A)", [], None),
    ("logdet(A)", "logdet(A)", [], None),
    ("softmax(x)", "softmax(x)", ["n"], None),
    ("logsumexp(x)", "logsumexp(x)", [], None),
    ("diag(x)", "diag(x)", ["n", "n"], None),
    ("diag(X)", "diag(X)", ["n"], None),
    ("diag(diag(X))", "diag(diag(X))", ["n", "n"], None),
    ("log det(A)", "log(det(A))", [], None),
    # the identity is sized by its context
    ("I", "I_n", ["n", "n"], None),
    ("A + I", "A + I", ["n", "n"], None),
    ("x^T I x", "x^T I x", [], None),
    # a scalar broadcasts over an array
    ("alpha + x", "alpha + x", ["n"], None),
    ("x - 1", "x - 1", ["n"], None),
    ("1 - x", "1 - x", ["n"], None),
    ("A + 2", "A + 2", ["n", "m"], None),
    # matrix and vector literals (undeclared names inside are scalars)
    ("[[a, b], [c, d]]", "[a, b; c, d]", [2, 2], None),
    ("[a, b; c, d]", "[a, b; c, d]", [2, 2], None),
    ("[a; b]", "[a; b]", [2], None),
    ("[a, b]", "[a; b]", [2], None),
    ("[1, 2, 3; 4, 5, 6]", "[1, 2, 3; 4, 5, 6]", [2, 3], None),
    ("[1, 2]^T x", "[1; 2]^T x", [], None),
    # LaTeX
    ("\\frac{alpha}{beta}", "alpha / beta", [], None),
    ("\\frac{1}{2} x^T x", "1/2 x^T x", [], None),
    ("\\dfrac{x}{2}", "1/2 x", ["n"], None),
    ("alpha \\cdot x", "alpha x", ["n"], None),
    ("x^T \\cdot y", "x^T y", [], None),
    ("x \\odot y", "x .* y", ["n"], None),
    ("alpha \\times x", "alpha x", ["n"], None),
    ("\\left( x + y \\right)", "x + y", ["n"], None),
    ("\\operatorname{tr}(A)", "tr(A)", [], None),
    ("\\mathrm{tr}(A)", "tr(A)", [], None),
    ("\\det(A)", "det(A)", [], None),
    ("\\det A", "det(A)", [], None),
    ("\\log(alpha)", "log(alpha)", [], None),
    ("\\log \\det A", "log(det(A))", [], None),
    ("\\exp(alpha)", "exp(alpha)", [], None),
    ("\\sin(alpha)", "sin(alpha)", [], None),
    ("\\sqrt{alpha}", "sqrt(alpha)", [], None),
    ("{x + y}^T", "(x + y)^T", [1, "n"], None),
    ("e^{2x}", "exp(2 x)", ["n"], None),
    ("\\|x\\|^2", "norm(x)^2", [], None),
    ("\\|x\\|_2", "norm(x)", [], None),
    ("\\|X\\|_F^2", "norm(X)^2", [], None),
    ("\\left\\| x \\right\\|", "norm(x)", [], None),
    ("x^\\top A x", "x^T A x", [], None),
    ("\\lambda x", "lambda x", ["n"], None),
    ("\\sigma^2", "sigma^2", [], None),
    ("\\Sigma", "Sigma", ["n", "m"], None),
    ("||x||", "norm(x)", [], None),
    ("||x||^2", "norm(x)^2", [], None),
    ("|alpha|", "abs(alpha)", [], None),
    ("|x|", "abs(x)", ["n"], None),
    ("\\mathbf{x}", "x", ["n"], None),
    ("\\mathbf{x}^T \\mathbf{x}", "x^T x", [], None),
    # constants, unless declared
    ("e", "e", [], None),
    ("pi", "pi", [], None),
    ("\\pi", "pi", [], None),
    ("e^x", "exp(x)", ["n"], None),
    ("2 pi", "2 pi", [], None),
    ("e x", "e x", ["n"], None),
    # differentials
    ("x + dx", "x + dx", ["n"], None),
    ("x^T dx", "x^T dx", [], None),
    ("dx", "dx", [], SCALAR_X),
    ("X + dX", "X + dX", ["n", "m"], None),
    ("tr(X dX)", "tr(X dX)", [], None),
    ("d(x^T x)", "d(x^T x)", [], None),
    ("d(X)", "d(X)", ["n", "m"], None),
    # the all-ones array, written with its size (a plain 1 is the number)
    ("ones(n)", "ones(n)", ["n"], None),
    ("ones(3)", "ones(3)", [3], None),
    ("ones(m, n)", "ones(m, n)", ["m", "n"], None),
    ("ones(n)^T", "ones(n)^T", [1, "n"], None),
    ("zeros(n)", "zeros(n)", ["n"], None),
    ("zeros(n)^T", "zeros(n)^T", [1, "n"], None),
    ("1^T x", "ones(n)^T x", [], None),
    ("1' x", "ones(n)^T x", [], None),
    ("1ᵀ x", "ones(n)^T x", [], None),
    ("A^T ones(n)", "A^T ones(n)", ["m"], None),
    ("\\mathbf{1}^T x", "ones(n)^T x", [], None),
    ("\\mathbf{1}^{\\top} x", "ones(n)^T x", [], None),
    ("\\mathbf{1}_n", "ones(n)", ["n"], None),
    ("\\mathbf{1}_{n}^{\\top}", "ones(n)^T", [1, "n"], None),
    ("\\mathbf{1}_{m \\times n}", "ones(m, n)", ["m", "n"], None),
    ("\\mathbf{0}_{3}", "zeros(3)", [3], None),
    ("x + \\mathbf{1}", "x + ones(n)", ["n"], None),
    # declarations
    ("x^T A x", "x^T A x", [], SYMMETRIC),
    ("A x", "A x", [2], {"A": {"shape": [2, 3]}}),
]


def _id(form: tuple[str, str, list[Any], Decl]) -> str:
    return form[0] + (" [declared]" if form[3] else "")


@pytest.mark.parametrize(("typed", "text", "shape", "declared"), FORMS, ids=[_id(f) for f in FORMS])
def test_form_reads_as(typed: str, text: str, shape: list[Any], declared: Decl) -> None:
    parsed = parse(typed, declared)
    assert (to_text(parsed.expr), shape_to_list(parsed.expr.shape)) == (text, shape)


def test_every_form_in_the_spec_has_a_line() -> None:
    """Guard against the table shrinking: a few forms every learner uses must stay listed."""
    typed = {form[0] for form in FORMS}
    for must in ("A'", "A.T", "A^{-T}", "x .* y", "\\|X\\|_F^2", "[a; b]", "||x||", "dx"):
        assert must in typed


# ------------------------------------------------------------------------ LaTeX output

LATEX: list[tuple[str, str]] = [
    ("x^T A x", "x^{\\top} A x"),
    ("alpha x", "\\alpha x"),
    ("lambda + sigma", "\\lambda + \\sigma"),
    ("W_2 x1", "W_{2} x_{1}"),
    ("A^{-1}", "A^{-1}"),
    ("A^{-T}", "A^{-\\top}"),
    ("x .* y", "x \\odot y"),
    ("\\frac{1}{2}", "\\frac{1}{2}"),
    ("alpha / beta", "\\frac{\\alpha}{\\beta}"),
    ("norm(X)", "\\left\\lVert X \\right\\rVert_F"),
    ("||x||^2", "\\left\\lVert x \\right\\rVert^{2}"),
    ("[a, b; c, d]", "\\begin{bmatrix} a & b \\\\ c & d \\end{bmatrix}"),
    ("tr(A)", "\\operatorname{tr}\\left(A\\right)"),
    ("sqrt(alpha)", "\\sqrt{\\alpha}"),
    ("pi", "\\pi"),
    ("x + dx", "x + \\mathrm{d}x"),
    ("(A + A^T) x", "\\left(A + A^{\\top}\\right) x"),
    ("A^T ones(n)", "A^{\\top} \\mathbf{1}_{n}"),
    ("1^T x", "\\mathbf{1}_{n}^{\\top} x"),
    ("ones(m, n)", "\\mathbf{1}_{m \\times n}"),
    ("zeros(n)", "\\mathbf{0}_{n}"),
]


@pytest.mark.parametrize(("typed", "latex"), LATEX, ids=[case[0] for case in LATEX])
def test_latex_of(typed: str, latex: str) -> None:
    assert to_latex(parse(typed).expr) == latex


@pytest.mark.parametrize(
    ("typed", "latex"),
    [("inv(A^T)", "\\left(A^{\\top}\\right)^{-1}"), ("(A^-1)^2", "\\left(A^{-1}\\right)^{2}")],
)
def test_latex_has_no_double_superscript(typed: str, latex: str) -> None:
    """``A^{\\top}^{-1}`` is a KaTeX error ("double superscript"): the base needs braces."""
    assert to_latex(parse(typed).expr) == latex


# ------------------------------------------------------------------------ inference


def test_undeclared_names_follow_the_case_convention() -> None:
    parsed = parse("alpha x + B y")
    assert {n: v.declared_form() for n, v in parsed.variables.items()} == {
        "alpha": [],
        "x": ["n"],
        "B": ["n", "m"],
        "y": ["m"],
    }


def test_dimensions_are_named_in_order_of_appearance() -> None:
    parsed = parse("A B C")
    assert {n: v.declared_form() for n, v in parsed.variables.items()} == {
        "A": ["n", "p"],
        "B": ["p", "q"],
        "C": ["q", "m"],
    }


def test_declared_names_keep_their_declared_shapes() -> None:
    declared = {"x": {"shape": ["k"]}, "W": {"shape": [3, "k"]}}
    parsed = parse("W x", declared)
    assert shape_to_list(parsed.expr.shape) == [3]
    assert {n: v.declared_form() for n, v in parsed.variables.items()} == {
        "W": [3, "k"],
        "x": ["k"],
    }


def test_declared_uppercase_name_may_be_a_vector_and_lowercase_a_matrix() -> None:
    parsed = parse("a X", {"X": {"shape": ["n"]}, "a": {"shape": ["m", "n"]}})
    assert parsed.variables["X"].declared_form() == ["n"]
    assert shape_to_list(parsed.expr.shape) == ["m"]


def test_declared_e_and_pi_are_variables_not_constants() -> None:
    parsed = parse("e + pi", {"e": {"shape": ["n"]}, "pi": {"shape": ["n"]}})
    assert set(parsed.variables) == {"e", "pi"}
    assert shape_to_list(parsed.expr.shape) == ["n"]


def test_a_declared_variable_named_like_a_function_stays_a_variable() -> None:
    parsed = parse("sigma x", {"sigma": {"shape": []}})
    assert to_text(parsed.expr) == "sigma x"


def test_dx_is_a_plain_name_when_x_is_nowhere() -> None:
    parsed = parse("A dx")
    assert set(parsed.variables) == {"A", "dx"}


def test_dx_is_the_differential_when_x_is_declared() -> None:
    parsed = parse("A dx", {"x": {"shape": ["n"]}})
    assert set(parsed.variables) == {"A", "x"}
    assert to_latex(parsed.expr) == "A \\mathrm{d}x"


def test_symmetric_property_is_kept() -> None:
    parsed = parse("x^T A x", SYMMETRIC)
    assert parsed.variables["A"].properties == frozenset({"symmetric"})


# ------------------------------------------------------------------------ values

SIZES = {"n": 3, "m": 4, "p": 2, "q": 5, "k": 3}


def random_values(parsed: Parsed, seed: int = 0) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Values for every variable (and differential) of ``parsed`` at the sizes in SIZES."""
    rng = np.random.default_rng(seed)
    values: dict[str, np.ndarray] = {}
    for name, variable in parsed.variables.items():
        shape = tuple(d if isinstance(d, int) else SIZES[d] for d in variable.shape)
        values[name] = rng.uniform(0.5, 1.5, size=shape)
        values["d" + name] = rng.normal(size=shape)
    return values, dict(SIZES)


def value_of(text: str, values: Mapping[str, np.ndarray], declared: Decl = None) -> np.ndarray:
    parsed = parse(text, declared)
    return evaluate(parsed.expr, values, SIZES)


SAME_VALUE: list[tuple[str, ...]] = [
    ("A'", "A^T", "A.T", "transpose(A)", "A^\\top", "A^{T}"),
    ("inv(A)", "A^-1", "A^{-1}", "A⁻¹"),
    ("A^{-T}", "inv(A)^T", "inv(A')", "(A^T)^{-1}"),
    ("x .* y", "x ⊙ y", "hadamard(x, y)", "y .* x"),
    ("x ./ y", "x .* y.^(-1)"),
    ("x .^ 2", "x .* x"),
    ("2x", "2 x", "2 * x", "x + x", "x * 2"),
    ("A @ B", "A B", "A * B"),
    ("A^2", "A A"),
    ("A ** 2", "A^2"),
    ("A^3", "A A A"),
    ("A^0 x", "I x", "x"),
    ("tr(A)", "trace(A)", "\\operatorname{tr}(A)", "\\mathrm{tr}(A)", "sum(diag(A))"),
    ("det(A)", "\\det A", "\\det(A)"),
    ("logdet(A A^T)", "log(det(A A^T))", "\\log\\det(A A^T)"),
    ("\\|x\\|^2", "||x||^2", "x^T x", "norm(x)^2", "sum(x .* x)"),
    ("\\|X\\|_F^2", "norm(X)^2", "tr(X^T X)"),
    ("\\frac{1}{2}\\|x\\|^2", "1/2 x^T x", "0.5 sum(x.^2)", "x^T x / 2"),
    ("|x|", "abs(x)", "sqrt(x .* x)"),
    ("e^x", "exp(x)", "\\exp(x)"),
    ("e^{2x}", "exp(x) .* exp(x)"),
    ("alpha + x", "x + alpha"),
    ("1 - x", "-(x - 1)"),
    ("(A + A^T) x", "A x + A^T x"),
    ("x^T A x", "x^T A^T x", "1/2 x^T (A + A^T) x"),
    ("diag(diag(A)) x", "diag(A) .* x"),
    ("diag(x) y", "x .* y"),
    ("softmax(x)", "exp(x) / sum(exp(x))"),
    ("logsumexp(x)", "log(sum(exp(x)))"),
    ("sigmoid(x)", "1 ./ (1 + exp(-x))"),
    ("softplus(x)", "log(1 + exp(x))"),
    ("relu(x - 1)", "1/2 (x - 1 + abs(x - 1))"),
    ("A (x + y)", "A x + A y"),
    ("\\left( x + y \\right)^T z", "x^T z + y^T z"),
    ("\\frac{alpha}{beta} x", "alpha / beta x", "(alpha / beta) x", "alpha x / beta"),
    ("alpha \\cdot x", "alpha x"),
    ("1^T x", "sum(x)", "ones(n)^T x", "x^T ones(n)", "\\mathbf{1}^\\top x", "1' x"),
    ("A^T ones(n)", "A^T \\mathbf{1}_n", "A^T \\mathbf{1}", "(1^T A)^T", "(ones(n)^T A)'"),
    ("x + zeros(n)", "x", "x + \\mathbf{0}_{n}", "x - zeros(n)"),
    ("ones(n, n) x", "ones(n) ones(n)^T x", "sum(x) ones(n)"),
]


# One declaration for every spelling, so that each group is compared at the same values.
VALUE_DECLARATIONS: dict[str, Any] = {
    **{name: {"shape": ["n", "n"]} for name in ("A", "B", "X")},
    **{name: {"shape": ["n"]} for name in ("x", "y", "z")},
    **{name: {"shape": []} for name in ("alpha", "beta")},
}


def declared_values(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    shapes = {0: (1, 1), 1: (SIZES["n"], 1), 2: (SIZES["n"], SIZES["n"])}
    return {
        name: rng.uniform(0.5, 1.5, size=shapes[len(spec["shape"])])
        for name, spec in VALUE_DECLARATIONS.items()
    }


@pytest.mark.parametrize("spellings", SAME_VALUE, ids=[group[0] for group in SAME_VALUE])
def test_equivalent_spellings_have_equal_values(spellings: tuple[str, ...]) -> None:
    values = declared_values(seed=len(spellings[0]))
    expected = value_of(spellings[0], values, VALUE_DECLARATIONS)
    assert np.all(np.isfinite(expected))
    for other in spellings[1:]:
        np.testing.assert_allclose(
            value_of(other, values, VALUE_DECLARATIONS),
            expected,
            rtol=1e-10,
            atol=1e-12,
            err_msg=f"{other!r} differs from {spellings[0]!r}",
        )


def test_quadratic_form_matches_numpy() -> None:
    rng = np.random.default_rng(1)
    x, A = rng.normal(size=(3, 1)), rng.normal(size=(3, 3))
    got = evaluate(parse("x^T A x").expr, {"x": x, "A": A})
    np.testing.assert_allclose(got, x.T @ A @ x)
    assert got.shape == (1, 1)


def test_half_squared_norm_matches_numpy() -> None:
    x = np.array([[1.0], [-2.0], [3.0]])
    got = evaluate(parse("\\frac{1}{2}\\|x\\|^2").expr, {"x": x})
    assert float(got[0, 0]) == pytest.approx(0.5 * float(np.sum(x**2)))


def test_frobenius_norm_matches_numpy() -> None:
    X = np.arange(6.0).reshape(2, 3)
    got = evaluate(parse("\\|X\\|_F").expr, {"X": X})
    assert float(got[0, 0]) == pytest.approx(float(np.linalg.norm(X, "fro")))


def test_vector_norm_is_the_two_norm() -> None:
    got = evaluate(parse("norm(x)").expr, {"x": np.array([[3.0], [4.0]])})
    assert float(got[0, 0]) == pytest.approx(5.0)


def test_diag_goes_from_vector_to_matrix_and_back() -> None:
    X = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(evaluate(parse("diag(X)").expr, {"X": X}), [[0.0], [4.0], [8.0]])
    np.testing.assert_array_equal(
        evaluate(parse("diag(diag(X))").expr, {"X": X}), np.diag([0.0, 4.0, 8.0])
    )
    x = np.array([[1.0], [2.0]])
    np.testing.assert_array_equal(
        evaluate(parse("diag(x)").expr, {"x": x}), [[1.0, 0.0], [0.0, 2.0]]
    )


def test_matrix_literal_values_are_row_by_row() -> None:
    entries = {
        name: np.array([[value]]) for name, value in zip("abcd", [1.0, 2.0, 3.0, 4.0], strict=True)
    }
    got = evaluate(parse("[[a, b], [c, d]]").expr, entries)
    np.testing.assert_array_equal(got, [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(
        evaluate(parse("[1, 2; 3, 4]").expr, {}), [[1.0, 2.0], [3.0, 4.0]]
    )
    np.testing.assert_array_equal(evaluate(parse("[1, 2]").expr, {}), [[1.0], [2.0]])


def test_identity_takes_its_size_from_the_context() -> None:
    A = np.arange(4.0).reshape(2, 2)
    got = evaluate(parse("A + I").expr, {"A": A}, {"n": 2})
    np.testing.assert_array_equal(got, A + np.eye(2))


def test_scalar_broadcasts_over_an_array() -> None:
    x = np.array([[1.0], [2.0]])
    np.testing.assert_array_equal(evaluate(parse("1 - x").expr, {"x": x}), [[0.0], [-1.0]])
    np.testing.assert_array_equal(
        evaluate(parse("alpha + x").expr, {"x": x, "alpha": np.array([[10.0]])}), [[11.0], [12.0]]
    )


def test_juxtaposition_with_a_declared_scalar() -> None:
    x = np.array([[0.7]])
    got = evaluate(parse("2 x e^x", SCALAR_X).expr, {"x": x})
    assert float(got[0, 0]) == pytest.approx(2 * 0.7 * np.exp(0.7))


def test_constants_have_their_values() -> None:
    assert float(evaluate(parse("e").expr, {})[0, 0]) == pytest.approx(np.e)
    assert float(evaluate(parse("2 pi").expr, {})[0, 0]) == pytest.approx(2 * np.pi)


def test_division_by_a_scalar_matches_numpy() -> None:
    x, alpha = np.array([[2.0], [4.0]]), np.array([[4.0]])
    np.testing.assert_allclose(evaluate(parse("x / alpha").expr, {"x": x, "alpha": alpha}), x / 4.0)


def test_elementwise_functions_act_entry_by_entry() -> None:
    X = np.array([[-1.0, 0.5], [2.0, -3.0]])
    for name, reference in [
        ("exp", np.exp),
        ("tanh", np.tanh),
        ("abs", np.abs),
        ("sign", np.sign),
        ("relu", lambda a: np.maximum(a, 0)),
        ("sigmoid", lambda a: 1 / (1 + np.exp(-a))),
    ]:
        np.testing.assert_allclose(
            evaluate(parse(f"{name}(X)").expr, {"X": X}), reference(X), err_msg=name
        )


# ------------------------------------------------------------------------ docs/expressions.md

DOC = Path(__file__).resolve().parents[2] / "docs" / "expressions.md"


def _cells(line: str) -> list[str]:
    # GitHub tables escape a literal pipe as \| (also inside code spans).
    parts = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [part.strip().replace("\\|", "|") for part in parts]


def _doc_shape(text: str) -> list[Any]:
    if text == "scalar":
        return []
    rows, cols = (int(d) if d.isdigit() else d for d in text.split("×"))
    return [rows] if cols == 1 else [rows, cols]


def doc_table() -> list[tuple[str, str, list[Any]]]:
    section = DOC.read_text("utf-8").split("## What you can type", 1)[1].split("\n### ", 1)[0]
    rows = []
    for line in section.splitlines():
        if line.startswith("| `"):
            typed, reads, shape = _cells(line)
            rows.append((typed.strip("`"), reads.strip("`"), _doc_shape(shape)))
    return rows


DOC_TABLE = doc_table()


def test_doc_table_is_found() -> None:
    assert len(DOC_TABLE) > 60


@pytest.mark.parametrize(("typed", "text", "shape"), DOC_TABLE, ids=[row[0] for row in DOC_TABLE])
def test_doc_table_row(typed: str, text: str, shape: list[Any]) -> None:
    parsed = parse(typed)
    assert (to_text(parsed.expr), shape_to_list(parsed.expr.shape)) == (text, shape)


# Examples given in the prose of the reference, each with what it must read as.
DOC_PROSE: list[tuple[str, str]] = [
    ("\\frac{a^T b}{2}", "1/2 a^T b"),
    ("2^3^2", "512"),
    ("A^0", "I_n"),
    ("log det A", "log(det(A))"),
    ("\\sqrt x", "sqrt(x)"),
    ("exp alpha", "exp(alpha)"),
    ("sigma(z)", "sigmoid(z)"),
    ("x^T I x", "x^T I x"),
    ("[1, 2]^T x", "[1; 2]^T x"),
    ("\\tfrac{1}{2} alpha", "1/2 alpha"),
    ("\\bigl( x \\bigr)", "x"),
    ("\\|x\\|_2", "norm(x)"),
    ("\\boldsymbol{x} + \\vec{y}", "x + y"),
    ("Aᵀ", "A^T"),
    ("A⁻¹", "A^-1"),
    ("x \\odot y", "x .* y"),
    ("alpha \\times x", "alpha x"),
    ("A^{\\top}", "A^T"),
    ("\\Sigma", "Sigma"),
    ("x^T dx + dx^T x", "x^T dx + dx^T x"),
    ("\\frac\\alpha\\beta", "alpha / beta"),
    ("A^TB^T", "A^T B^T"),
    ("ABx", "A B x"),
    ("1.2e+1", "12"),
    ("2e-3x", "0.002 x"),
    ("2 e - 3x", "2 e - 3 x"),
    ("\\left. x \\right.", "x"),
    ("x \\odot y", "x .* y"),
    ("x^\\intercal", "x^T"),
    ("\\mathbf{1}_{n}", "ones(n)"),
    ("\\lvert t \\rvert", "abs(t)"),
]


@pytest.mark.parametrize(("typed", "text"), DOC_PROSE, ids=[row[0] for row in DOC_PROSE])
def test_doc_prose_example(typed: str, text: str) -> None:
    assert to_text(parse(typed).expr) == text


def test_doc_error_examples_show_what_the_app_shows() -> None:
    from app.mathcore.errors import MathError, point_to_error

    declared = {"x^T A": {"x": {"shape": ["n"]}, "A": {"shape": ["m", "n"]}}}
    blocks = re.findall(r"```text\n(.*?)\n```", DOC.read_text("utf-8"), flags=re.S)
    assert len(blocks) >= 4
    for block in blocks:
        typed, caret, message = block.split("\n")
        with pytest.raises(MathError) as caught:
            parse(typed, declared.get(typed))
        shown = point_to_error(typed, caught.value).split("\n")
        assert shown[:2] == [typed, caret]
        assert shown[2].startswith(message.removesuffix("…"))
