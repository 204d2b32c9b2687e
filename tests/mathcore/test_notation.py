"""Notation pasted from papers, textbooks and slides means what it means there.

Each line of ``PASTED`` pairs what a learner pastes with the same formula in the plain
language, written by hand; both are read with the same declarations and must have the same
shape and the same value at random inputs. A misreading (``\\sigma(z)`` as σ times z,
``1e-3`` as e − 3) changes the value, so these lines check meaning, not spelling.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.mathcore.errors import AmbiguousName, MathError, ParseError
from app.mathcore.evaluate import evaluate
from app.mathcore.parse import parse
from app.mathcore.printing import to_text

N = 3
DECLARED: dict[str, Any] = {
    **{name: {"shape": ["n", "n"]} for name in ("A", "B", "W", "X")},
    **{name: {"shape": ["n"]} for name in ("x", "y", "b", "w", "z", "x_1", "theta")},
    **{name: {"shape": []} for name in ("alpha", "beta", "lambda", "t")},
}

# (pasted, the same formula in plain text)
PASTED: list[tuple[str, str]] = [
    # the sigmoid as papers write it, and as the app prints it
    ("\\sigma(W x + b)", "sigmoid(W x + b)"),
    ("\\sigma\\left(z\\right)", "sigmoid(z)"),
    ("\\sigma \\left( W x + b \\right)", "sigmoid(W x + b)"),
    ("σ(z)", "sigmoid(z)"),
    ("\\sigma^2 x", "sigma^2 x"),
    # fractions with one-token arguments
    ("\\frac12", "1/2"),
    ("\\frac12 x^T x", "1/2 x^T x"),
    ("\\tfrac12 \\lambda", "lambda / 2"),
    ("\\dfrac{1}{2} x", "x / 2"),
    ("\\frac1{2}", "1/2"),
    ("\\frac{\\alpha}2", "alpha / 2"),
    ("\\frac\\alpha\\beta", "alpha / beta"),
    ("\\frac 1 t", "1 / t"),
    # norms
    ("\\lVert x \\rVert", "norm(x)"),
    ("\\left\\lVert x \\right\\rVert^{2}", "x^T x"),
    ("\\Vert x \\Vert^2", "x^T x"),
    ("\\|x\\|_2", "norm(x)"),
    ("\\|x\\|_2^2", "x^T x"),
    ("\\left\\|A x - b\\right\\|^2", "(A x - b)^T (A x - b)"),
    ("\\|X\\|_F", "sqrt(tr(X^T X))"),
    ("\\lvert t \\rvert", "abs(t)"),
    ("‖x‖", "norm(x)"),
    # function names
    ("\\mathrm{Tr}(A)", "tr(A)"),
    ("\\operatorname{Tr}(A)", "tr(A)"),
    ("\\operatorname{tr}(A B)", "tr(A B)"),
    ("\\mathrm{tr}\\,A", "tr(A)"),
    ("\\operatorname{diag}(x)", "diag(x)"),
    ("\\operatorname{softmax}(W x)", "softmax(W x)"),
    ("\\det A", "det(A)"),
    ("\\det(A)", "det(A)"),
    ("\\log\\det A", "logdet(A)"),
    ("\\log \\det(A^T A)", "logdet(A^T A)"),
    ("\\exp(x)", "exp(x)"),
    ("\\exp(-\\alpha)", "exp(-alpha)"),
    ("\\sqrt{t}", "sqrt(t)"),
    ("√t", "sqrt(t)"),
    ("√(t + 1)", "sqrt(t + 1)"),
    # decorated names
    ("\\mathbf{x}", "x"),
    ("\\mathbf{x}^T \\mathbf{A} \\mathbf{x}", "x^T A x"),
    ("\\boldsymbol{\\theta}", "theta"),
    ("\\boldsymbol{x}", "x"),
    ("\\bm{x}", "x"),
    ("\\vec{x} + \\vec{y}", "x + y"),
    ("x_{1}", "x_1"),
    ("x_1", "x_1"),
    ("x1", "x_1"),
    ("\\mathbf{x}_{1}", "x_1"),
    ("\\mathbf{x}_1", "x_1"),
    # transposes
    ("A^\\top", "A^T"),
    ("A^{\\top}", "A^T"),
    ("A^\\intercal", "A^T"),
    ("A^{\\intercal}", "A^T"),
    ("A^{\\mathsf T}", "A^T"),
    ("A^{\\mathsf{T}}", "A^T"),
    ("A^\\mathsf{T} x", "A^T x"),
    ("A^{\\mathrm{T}}", "A^T"),
    ("A^{-\\top}", "inv(A)^T"),
    ("A^⊤", "A^T"),
    ("Aᵀ", "A^T"),
    ("xᵀAx", "x^T A x"),
    # identities and the all-ones vector
    ("I_n", "A^0"),
    ("I_{n} + A", "I + A"),
    ("I_n x", "x"),
    ("\\mathbf{1}^T x", "sum(x)"),
    ("\\mathbf{1}^\\top x", "sum(x)"),
    ("1^T x", "sum(x)"),
    ("1^\\top x", "sum(x)"),
    ("\\mathbf{1}_n^T x", "sum(x)"),
    ("\\mathbf{1}_{n}^{\\top} A \\mathbf{1}_{n}", "sum(diag(A)) + sum(A) - tr(A)"),
    ("A \\mathbf{1}", "A ones(n)"),
    # operators
    ("x \\circ y", "x .* y"),
    ("x \\odot y", "x .* y"),
    ("x ⊙ y", "x .* y"),
    ("x ∘ y", "x .* y"),
    ("x^{\\circ 2}", "x .* x"),
    ("x^{\\circ2}", "x .* x"),
    ("x^{\\odot 2}", "x .^ 2"),
    ("x \\oslash y", "x ./ y"),
    ("x ⊘ y", "x ./ y"),
    ("\\alpha \\cdot x", "alpha x"),
    ("\\alpha \\times \\beta", "alpha beta"),
    ("\\alpha · \\beta", "alpha beta"),
    ("\\alpha ⋅ \\beta", "alpha beta"),
    ("\\alpha × \\beta", "alpha beta"),
    ("x − y", "x - y"),
    ("−x", "-x"),
    ("A⁻¹", "inv(A)"),
    ("A^{-1}", "inv(A)"),
    ("t²", "t^2"),
    ("x′", "x^T"),
    # brackets
    ("\\left[x + y\\right]^T z", "(x + y)^T z"),
    ("\\left( x + y \\right)^T z", "(x + y)^T z"),
    ("\\bigl( x \\bigr)", "x"),
    ("\\Bigl[ A x \\Bigr]", "A x"),
    ("\\left. x \\right.", "x"),
    # matrix literals
    ("\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}", "[1, 2; 3, 4]"),
    ("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "[1, 2; 3, 4]"),
    ("\\begin{bmatrix} \\alpha \\\\ \\beta \\end{bmatrix}", "[alpha; beta]"),
    ("\\begin{bmatrix} \\alpha & \\beta \\end{bmatrix}", "[alpha; beta]^T"),
    ("\\begin{matrix} 1 & 0 \\\\ 0 & 1 \\\\ \\end{matrix}", "[1, 0; 0, 1]"),
    ("\\begin{bmatrix} t & 0 \\\\ 0 & t \\end{bmatrix}^{-1}", "[1/t, 0; 0, 1/t]"),
    # numbers in scientific notation
    ("1e-3", "1/1000"),
    ("1e-3 x", "x / 1000"),
    ("2.5E4", "25000"),
    ("1.2e1", "12"),
    ("1.2e+1 t", "12 t"),
    ("3e0", "3"),
    (".5e1", "5"),
    ("x + 1e-3", "x + 0.001"),
    ("2e^t", "2 exp(t)"),
    ("2 e - 3", "2 exp(1) - 3"),
    # differentials as the app prints them
    ("\\mathrm{d}x", "dx"),
    ("x^T \\mathrm{d}x", "x^T dx"),
    # Greek letters, as commands or as characters
    ("\\lambda \\|x\\|^2", "lambda x^T x"),
    ("λ x", "lambda x"),
    ("\\alpha\\beta", "alpha beta"),
    ("αβ", "alpha beta"),
    ("\\varepsilon", "epsilon"),
]


def values(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    shapes = {0: (1, 1), 1: (N, 1), 2: (N, N)}
    out = {
        name: rng.uniform(0.5, 1.5, size=shapes[len(spec["shape"])])
        for name, spec in DECLARED.items()
    }
    out["dx"] = rng.normal(size=(N, 1))
    return out


@pytest.mark.parametrize(("pasted", "plain"), PASTED, ids=[row[0] for row in PASTED])
def test_pasted_notation_means_the_plain_formula(pasted: str, plain: str) -> None:
    declared = {**DECLARED, "epsilon": {"shape": []}}
    got = parse(pasted, declared).expr
    want = parse(plain, declared).expr
    assert got.shape == want.shape, f"{pasted!r} reads as {to_text(got)!r}"
    for seed in (1, 2):
        at = {**values(seed), "epsilon": np.array([[0.3]]), "sigma": np.array([[0.7]])}
        np.testing.assert_allclose(
            evaluate(got, at, {"n": N}),
            evaluate(want, at, {"n": N}),
            rtol=1e-12,
            err_msg=f"{pasted!r} reads as {to_text(got)!r}, not {plain!r}",
        )


def test_sigma_before_a_bracket_is_the_sigmoid_and_asks_when_sigma_is_declared() -> None:
    """``\\sigma(z)`` is the sigmoid; with a declared σ it could be σ times z, so it asks."""
    assert to_text(parse("\\sigma\\left(z\\right)").expr) == "sigmoid(z)"
    assert to_text(parse("\\sigma \\cdot \\left(z\\right)").expr) == "sigma z"
    declared = {"sigma": {"shape": []}, "z": {"shape": ["n"]}}
    with pytest.raises(AmbiguousName) as caught:
        parse("1 + \\sigma\\left(z\\right)", declared)
    assert caught.value.position == 4 and caught.value.suggestion == "sigmoid(…)"
    assert to_text(parse("sigma (z)", declared).expr) == "sigma z"


@pytest.mark.parametrize(
    ("pasted", "text"),
    [
        ("\\mathrm{d}\\left(x^T x\\right)", "d(x^T x)"),
        ("\\mathrm{d}X", "dX"),
        ("\\operatorname{tr}\\left(X^{\\top} \\mathrm{d}X\\right)", "tr(X^T dX)"),
    ],
)
def test_pasted_differentials(pasted: str, text: str) -> None:
    assert to_text(parse(pasted, {"x": {"shape": ["n"]}, "X": {"shape": ["n", "n"]}}).expr) == text


# ------------------------------------------------------------------- positions in the original

# (typed, the text the caret must point at): rewriting before the grammar never moves a caret.
POSITIONS: list[tuple[str, str]] = [
    ("\\frac12 + foo(x)", "foo"),
    ("\\begin{bmatrix} 1 & 2 \\end{bmatrix} + foo(x)", "foo"),
    ("\\sigma\\left(z\\right) + foo(x)", "foo"),
    ("\\boldsymbol{\\theta} + foo(x)", "foo"),
    ("\\left\\lVert x \\right\\rVert + foo(x)", "foo"),
    ("x^{\\mathsf T} A + foo(x)", "foo"),
    ("√x + foo(x)", "foo"),
    ("x − y + foo(x)", "foo"),
    ("\\mathbf{x}_{1} + foo(x)", "foo"),
    ("\\alpha\\beta + foo(x)", "foo"),
    ("\\frac12 + $", "$"),
    ("\\mathbf{x}^T \\mathbf{x} +", None),
]


@pytest.mark.parametrize(("typed", "pointed"), POSITIONS, ids=[row[0] for row in POSITIONS])
def test_error_positions_point_into_what_was_typed(typed: str, pointed: str | None) -> None:
    with pytest.raises(MathError) as caught:
        parse(typed)
    expected = len(typed) if pointed is None else typed.index(pointed)
    assert caught.value.position == expected, caught.value.message


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("1e20", "10^20"),
        ("\\begin{array}{cc} 1 & 2 \\end{array}", "bmatrix"),
        ("\\begin{bmatrix} 1 & 2", "bmatrix"),
    ],
)
def test_unreadable_notation_says_what_to_type(typed: str, fragment: str) -> None:
    with pytest.raises(MathError) as caught:
        parse(typed)
    assert fragment in caught.value.message
    assert caught.value.position is not None and 0 <= caught.value.position <= len(typed)


# ------------------------------------------------------------------- letters run together

LEARNER: dict[str, Any] = {
    "X": {"shape": ["m", "n"]},
    "A": {"shape": ["n", "n"]},
    "w": {"shape": ["n"]},
    "x": {"shape": ["n"]},
    "y": {"shape": ["m"]},
    "b": {"shape": ["n"]},
    "x1": {"shape": ["n"]},
    "W_2": {"shape": ["n", "n"]},
    "alpha": {"shape": []},
}

# (typed, the same formula spaced out, declarations, the readings shown)
RUN_TOGETHER: list[tuple[str, str, dict[str, Any] | None, list[str]]] = [
    ("Ax", "A x", None, ["read `Ax` as A x"]),
    ("Xw", "X w", None, ["read `Xw` as X w"]),
    ("2Ax", "2 A x", None, ["read `Ax` as A x"]),
    ("ABx", "A B x", None, ["read `ABx` as A B x"]),
    ("x^TAx", "x^T A x", None, ["read `x^TAx` as x^T A x"]),
    ("X^TX", "X^T X", None, ["read `X^TX` as X^T X"]),
    ("x^Tx", "x^T x", None, ["read `x^Tx` as x^T x"]),
    ("x'Ax", "x^T A x", None, ["read `Ax` as A x"]),
    ("||Ax-b||^2", "norm(A x - b)^2", None, ["read `Ax` as A x"]),
    ("2X^T(Xw-y)", "2 X^T (X w - y)", None, ["read `Xw` as X w"]),
    ("\\sigma(Wx + b)", "sigmoid(W x + b)", None, ["read `Wx` as W x"]),
    ("A^TB^T", "A^T B^T", None, ["read `A^TB` as A^T B"]),
    ("AB(x + y)", "A B (x + y)", None, ["read `AB` as A B"]),
    (
        "x^TAx + b^TAx",
        "x^T A x + b^T A x",
        None,
        ["read `x^TAx` as x^T A x", "read `b^TAx` as b^T A x"],
    ),
    # with declarations, only declared names split
    ("Xw", "X w", LEARNER, ["read `Xw` as X w"]),
    ("X^T(Xw - y)", "X^T (X w - y)", LEARNER, ["read `Xw` as X w"]),
    ("X^TXw", "X^T X w", LEARNER, ["read `X^TXw` as X^T X w"]),
    ("Ax + b", "A x + b", LEARNER, ["read `Ax` as A x"]),
    ("x^TAx", "x^T A x", LEARNER, ["read `x^TAx` as x^T A x"]),
    ("alphax", "alpha x", LEARNER, ["read `alphax` as alpha x"]),
    ("W_2x1", "W_2 x1", LEARNER, ["read `W_2x1` as W_2 x1"]),
    # declared names keep their meaning; so do words that are not products
    ("x1", "x1", LEARNER, []),
    ("W_2 x", "W_2 x", LEARNER, []),
    ("alpha x", "alpha x", LEARNER, []),
    ("alpha", "alpha", None, []),
    ("x y^T", "x y^T", None, []),
    ("e^x", "exp(x)", None, []),
    ("A x", "A x", None, []),
]


def _random_at(parsed_variables: dict[str, Any], seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = {"n": 3, "m": 4, "p": 2, "q": 5}
    return {
        name: rng.normal(size=tuple(d if isinstance(d, int) else sizes[d] for d in v.shape))
        for name, v in parsed_variables.items()
    }


@pytest.mark.parametrize(
    ("typed", "spaced", "declared", "readings"),
    RUN_TOGETHER,
    ids=[row[0] + (" [declared]" if row[2] else "") for row in RUN_TOGETHER],
)
def test_letters_run_together_are_read_as_a_product_and_say_so(
    typed: str, spaced: str, declared: dict[str, Any] | None, readings: list[str]
) -> None:
    parsed = parse(typed, declared)
    want = parse(spaced, declared if declared else parsed.variables)
    assert parsed.expr == want.expr, f"{typed!r} reads as {to_text(parsed.expr)!r}"
    assert [r.message() for r in parsed.readings] == readings
    for reading in parsed.readings:  # each reading points at what was typed
        assert typed[reading.position :].startswith(reading.text)
    at = _random_at(dict(parsed.variables), seed=len(typed))
    sizes = {"n": 3, "m": 4, "p": 2, "q": 5}
    np.testing.assert_allclose(
        evaluate(parsed.expr, at, sizes), evaluate(want.expr, at, sizes), rtol=1e-12
    )


def test_an_ambiguous_run_asks_which_names_were_meant() -> None:
    declared = {name: {"shape": []} for name in ("x", "y", "z", "xy", "yz")}
    with pytest.raises(AmbiguousName) as caught:
        parse("2 + xyz", declared)
    error = caught.value
    assert (error.kind, error.position) == ("syntax", 4)
    assert error.suggestion == "xy z" and error.options == ["xy z", "x yz"]
    assert "did you mean `xy z`?" in error.message
    assert error.to_dict()["suggestion"] == "xy z"
    assert isinstance(error, ParseError)
    # spaced out, the same text reads without a question
    assert to_text(parse("2 + xy z", declared).expr) == "2 + xy z"


def test_the_preview_api_reports_the_readings(client: TestClient) -> None:
    response = client.post("/api/parse", json={"expression": "2X^T(Xw - y)"})
    assert response.status_code == 200, response.text
    assert response.json()["readings"] == ["read `Xw` as X w"]
    assert response.json()["text"] == "2 X^T (X w - y)"
    plain = client.post("/api/parse", json={"expression": "2 X^T (X w - y)"})
    assert plain.json()["readings"] == []


def test_an_ambiguous_run_is_a_typed_422_with_the_suggestion(client: TestClient) -> None:
    declared = {name: {"shape": []} for name in ("x", "y", "z", "xy", "yz")}
    response = client.post("/api/parse", json={"expression": "xyz", "variables": declared})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["kind"] == "syntax" and error["position"] == 0
    assert "did you mean" in error["message"]


def test_the_question_survives_the_trip_through_a_worker_process() -> None:
    """Learner maths runs in worker processes: the error is pickled on its way back."""
    import pickle

    declared = {name: {"shape": []} for name in ("x", "y", "z", "xy", "yz")}
    with pytest.raises(AmbiguousName) as caught:
        parse("xyz", declared)
    again = pickle.loads(pickle.dumps(caught.value))
    assert isinstance(again, AmbiguousName)
    assert again.to_dict() == caught.value.to_dict()
