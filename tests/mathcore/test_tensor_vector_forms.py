"""The forms of derivatives by a vector: Jacobians of vectors, gradients and Hessians.

Each row names an expression, the vector to differentiate by, the declared shapes, a plain
NumPy function ``f`` computing the same value and the textbook Jacobian ``known`` (for a
gradient the row (∇f)ᵀ, for a Hessian ∂²f/∂x∂xᵀ), both written by hand, never by the
engine's evaluator. The engine's differential form, matrix form and index form must each
give ``known`` by value, in both layouts; ``known`` itself must agree with finite
differences of ``f``; and the answer of the old path (value, text) must stay what it was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest

from app.mathcore.derivative import differentiate
from app.mathcore.evaluate import Evaluator
from app.mathcore.parse import parse
from app.mathcore.printing import to_text
from app.mathcore.tensor import LinearMap, Term, merge_plain
from app.mathcore.tensor_index import index_form
from tests.mathcore.derivative_cases import Var, finite_difference, mat, sigmoid, softmax, vec
from tests.mathcore.test_tensor_cases import engine, scale  # the same for rows by a vector

Kind = Literal["gradient", "jacobian", "hessian"]
EXACT_RTOL = 1e-8
FD_RTOL = 1e-6
FORMS = ("differential", "kronecker", "index")
LAYOUTS = ["numerator", "denominator"]


@dataclass(frozen=True)
class VectorCase:
    id: str
    expression: str
    wrt: str
    variables: Mapping[str, Var]
    kind: Kind
    f: Callable[..., Any]
    known: Callable[..., np.ndarray]
    """∂f/∂xᵀ in numerator layout: (entries of f) × (entries of x); a Hessian for a Hessian."""
    matrix: str
    """The matrix form the engine shows in numerator layout, right of the last ' = '."""
    index: str
    answer: str
    """The old path's answer (``to_text`` of the result, numerator layout)."""

    def sample(self) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(sum(map(ord, self.id)))
        return {name: var.sample(rng) for name, var in self.variables.items()}

    def declarations(self) -> dict[str, Any]:
        return {name: {"shape": list(var.shape)} for name, var in self.variables.items()}

    def numeric(self, inputs: Mapping[str, np.ndarray]) -> np.ndarray:
        """``known`` by finite differences of ``f`` (of its gradient, for a Hessian)."""

        def f_of(x: np.ndarray) -> np.ndarray:
            return np.asarray(self.f(**{**inputs, self.wrt: x}), dtype=float)

        x = np.asarray(inputs[self.wrt], dtype=float)
        if self.kind == "hessian":
            return finite_difference(lambda y: finite_difference(f_of, y), x)
        return np.reshape(finite_difference(f_of, x), (-1, x.size))


def columns(inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The engine's values: vectors as (n, 1) columns."""
    return {
        name: (a.reshape(-1, 1) if a.ndim == 1 else np.atleast_2d(a))
        for name, a in ((n, np.asarray(v, dtype=float)) for n, v in inputs.items())
    }


def ds(s: np.ndarray) -> np.ndarray:
    return np.diag(s * (1 - s))


# fmt: off
CASES = [
    VectorCase("A x by x", "A x", "x", {"A": mat(4, 3), "x": vec(3)}, "jacobian",
               lambda A, x: A @ x, lambda A, x: A,
               "A", "∂f_i/∂x_j = A_ij", "A"),
    VectorCase("x^T A x by x", "x^T A x", "x", {"A": mat(3, 3), "x": vec(3)}, "gradient",
               lambda A, x: x @ A @ x, lambda A, x: (x @ (A + A.T)).reshape(1, -1),
               "x^T (A^T + A)", "∂f/∂x_j = Σ_a x_a (A^T + A)_aj", "(A + A^T) x"),
    VectorCase("sigmoid(W x + b) by x", "sigmoid(W x + b)", "x",
               {"W": mat(4, 3), "x": vec(3), "b": vec(4)}, "jacobian",
               lambda W, x, b: sigmoid(W @ x + b), lambda W, x, b: ds(sigmoid(W @ x + b)) @ W,
               "diag(sigmoid(W x + b) .* (ones(4) - sigmoid(W x + b))) W",
               "∂f_i/∂x_j = (sigmoid(W x + b) .* (ones(4) - sigmoid(W x + b)))_i W_ij",
               "diag(sigmoid(W x + b) .* (ones(4) - sigmoid(W x + b))) W"),
    VectorCase("softmax(x) by x", "softmax(x)", "x", {"x": vec(4)}, "jacobian",
               lambda x: softmax(x), lambda x: np.diag(softmax(x)) - np.outer(softmax(x), softmax(x)),
               "diag(softmax(x)) - softmax(x) softmax(x)^T",
               "∂f_i/∂x_j = (diag(softmax(x)) - softmax(x) softmax(x)^T)_ij",
               "diag(softmax(x)) - softmax(x) softmax(x)^T"),
    VectorCase("x .* y by x", "x .* y", "x", {"x": vec(3), "y": vec(3)}, "jacobian",
               lambda x, y: x * y, lambda x, y: np.diag(y),
               "diag(y)", "∂f_i/∂x_j = δ_ij y_i", "diag(y)"),
    VectorCase("exp(x) by x", "exp(x)", "x", {"x": vec(3)}, "jacobian",
               lambda x: np.exp(x), lambda x: np.diag(np.exp(x)),
               "diag(exp(x))", "∂f_i/∂x_j = δ_ij (exp(x))_i", "diag(exp(x))"),
    VectorCase("||x||^2 by x", "||x||^2", "x", {"x": vec(3)}, "gradient",
               lambda x: x @ x, lambda x: 2 * x.reshape(1, -1),
               "2 x^T", "∂f/∂x_j = 2 x_j", "2 x"),
    VectorCase("H x^T A x", "x^T A x", "x", {"A": mat(3, 3), "x": vec(3)}, "hessian",
               lambda A, x: x @ A @ x, lambda A, x: A + A.T,
               "A + A^T", "∂²f/∂x_i∂x_j = (A + A^T)_ij", "A + A^T"),
    VectorCase("||A x - b||^2 by x", "||A x - b||^2", "x",
               {"A": mat(4, 3), "x": vec(3), "b": vec(4)}, "gradient",
               lambda A, x, b: (A @ x - b) @ (A @ x - b),
               lambda A, x, b: (2 * (A @ x - b) @ A).reshape(1, -1),
               "2 (A x - b)^T A", "∂f/∂x_j = Σ_a 2 (A x - b)_a A_aj", "2 A^T (A x - b)"),
    VectorCase("H ||A x - b||^2", "||A x - b||^2", "x",
               {"A": mat(4, 3), "x": vec(3), "b": vec(4)}, "hessian",
               lambda A, x, b: (A @ x - b) @ (A @ x - b), lambda A, x, b: 2 * A.T @ A,
               "2 A^T A", "∂²f/∂x_i∂x_j = Σ_a 2 A_ai A_aj", "2 A^T A"),
    VectorCase("H log(sum(exp(x)))", "log(sum(exp(x)))", "x", {"x": vec(4)}, "hessian",
               lambda x: np.log(np.exp(x).sum()),
               lambda x: np.diag(softmax(x)) - np.outer(softmax(x), softmax(x)),
               "sum(exp(x))^(-1) diag(exp(x)) - sum(exp(x))^(-2) vec(exp(x)) vec(ones(4))^T diag(exp(x))",
               "∂²f/∂x_i∂x_j = sum(exp(x))^(-1) δ_ij (exp(x))_i - sum(exp(x))^(-2) (exp(x))_i (exp(x))_j",
               "diag(exp(x)) / sum(exp(x)) - exp(x) exp(x^T) / sum(exp(x))^2"),
]
# fmt: on
IDS = [case.id for case in CASES]


def expected_matrix(case: VectorCase, known: np.ndarray, layout: str) -> np.ndarray:
    """The matrix form in ``layout``: the transpose in denominator layout (not for a Hessian,
    which is one matrix in both)."""
    return known.T if layout == "denominator" and case.kind != "hessian" else known


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_form_is_shown_and_the_result_verified(case: VectorCase, layout: str) -> None:
    result = engine(case, layout)
    assert result.status == "verified", result.check.message
    assert result.tensor is None  # the old path: its answer, value and code stay
    assert result.vector is not None
    assert sorted(result.forms) == sorted(FORMS)
    assert all(form.latex and form.text for form in result.forms.values())


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matrix_form_equals_the_textbook_jacobian(case: VectorCase, layout: str) -> None:
    inputs = case.sample()
    result = engine(case, layout)
    assert result.vector is not None
    value = result.vector.matrix(Evaluator(columns(inputs)))
    known = expected_matrix(case, case.known(**inputs), layout)
    assert value.shape == known.shape
    np.testing.assert_allclose(value, known, rtol=EXACT_RTOL, atol=EXACT_RTOL * scale(known))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_index_form_gives_the_jacobian_entry_by_entry(case: VectorCase, layout: str) -> None:
    inputs = case.sample()
    result = engine(case, layout)
    assert result.vector is not None
    entries = result.vector.entries(Evaluator(columns(inputs)))
    known = case.known(**inputs)
    assert entries.shape == known.shape
    np.testing.assert_allclose(entries, known, rtol=EXACT_RTOL, atol=EXACT_RTOL * scale(known))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_differential_form_is_the_jacobian_applied_to_dx(case: VectorCase, layout: str) -> None:
    inputs = case.sample()
    result = engine(case, layout)
    assert result.vector is not None
    values = columns(inputs)
    known = case.known(**inputs)
    rng = np.random.default_rng(5)
    for _ in range(3):
        direction = rng.standard_normal((known.shape[1], 1))
        change = Evaluator({**values, "d" + case.wrt: direction})(result.vector.differential)
        expected = known @ direction
        np.testing.assert_allclose(
            change.reshape(-1, 1), expected, rtol=EXACT_RTOL, atol=EXACT_RTOL * scale(expected)
        )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forms_read_as_written(case: VectorCase) -> None:
    numerator = engine(case, "numerator")
    assert numerator.forms["kronecker"].text.rsplit(" = ", 1)[1] == case.matrix
    assert numerator.forms["index"].text == case.index
    lhs = "d(∇f) = " if case.kind == "hessian" else "df = "
    assert numerator.forms["differential"].text.startswith(lhs)
    denominator = engine(case, "denominator")
    assert denominator.forms["index"].text == case.index  # entries do not depend on the layout


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_old_answer_stays(case: VectorCase) -> None:
    inputs = case.sample()
    result = engine(case, "numerator")
    assert to_text(result.expr) == case.answer
    value = Evaluator(columns(inputs))(result.expr)
    known = case.known(**inputs)
    if case.kind == "gradient":
        known = known.T  # the gradient has the shape of x in either layout
    np.testing.assert_allclose(value, known, rtol=EXACT_RTOL, atol=EXACT_RTOL * scale(known))


# --- a form that fails its check is left out, and the result stays -----------------------------


def _doubled(linear: LinearMap) -> LinearMap:
    terms = tuple(Term(t.coefficient, t.factors) for t in linear.terms) * 2
    return LinearMap(terms, linear.source, linear.target)


def test_a_wrong_matrix_form_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "app.mathcore.tensor_derivative.merge_plain",
        lambda linear, symmetric: _doubled(merge_plain(linear, symmetric)),
    )
    result = engine(CASES[0], "numerator")
    assert result.status == "verified"
    assert sorted(result.forms) == ["differential"]  # the index form is read off the same map


def test_a_wrong_index_form_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrong(linear: LinearMap, names: str = "ijkl", split: bool = False) -> Any:
        return index_form(_doubled(linear), names, split)

    monkeypatch.setattr("app.mathcore.tensor_derivative.index_form", wrong)
    result = engine(CASES[1], "denominator")
    assert result.status == "verified"
    assert sorted(result.forms) == ["differential", "kronecker"]


def test_a_scalar_variable_and_a_gradient_by_a_matrix_have_no_vector_forms() -> None:
    scalar = differentiate(parse("t^2", {"t": {"shape": []}}), "t")
    assert scalar.vector is None and scalar.forms == {}
    by_matrix = differentiate(
        parse("tr(A X)", {"A": {"shape": [3, 2]}, "X": {"shape": [2, 3]}}), "X"
    )
    assert by_matrix.vector is None and by_matrix.forms == {}


def test_named_sizes_give_the_same_forms() -> None:
    result = differentiate(parse("A x"), "x")
    assert [result.forms[k].text for k in FORMS] == ["df = A dx", "∂f/∂x = A", "∂f_i/∂x_j = A_ij"]


# --- the table's own health: a wrong closed form must not pass for a wrong engine ------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reference_finite_differences_agree_with_closed_form(case: VectorCase) -> None:
    inputs = case.sample()
    numeric = case.numeric(inputs)
    known = case.known(**inputs)
    assert numeric.shape == known.shape
    np.testing.assert_allclose(numeric, known, rtol=FD_RTOL, atol=FD_RTOL * scale(known))


# --- docs/expressions.md: the table of forms by a vector, read back and recomputed -------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "expressions.md"
DOC_KINDS: dict[str, Kind | None] = {"": None, "(gradient)": "gradient", "(Hessian)": "hessian"}


def doc_rows() -> list[tuple[str, Kind | None, list[str]]]:
    section = DOC.read_text("utf-8").split("### Derivatives by a vector", 1)[1].split("\n#", 1)[0]
    rows = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        first, *forms = (cell.strip().strip("`") for cell in line.strip().strip("|").split("|"))
        expression, _, kind = first.partition("` ")
        rows.append((expression, DOC_KINDS[kind], forms))
    return rows


def test_docs_table_of_vector_forms_is_what_the_engine_shows() -> None:
    rows = doc_rows()
    assert len(rows) == 4
    for expression, kind, forms in rows:
        result = differentiate(parse(expression), "x", kind)
        assert result.status == "verified", expression
        assert [result.forms[name].text for name in FORMS] == forms, expression
    section = DOC.read_text("utf-8").split("### Derivatives by a vector", 1)[1]
    for expression in ("A x", "x^T A x"):  # the denominator layout, in the prose under it
        result = differentiate(parse(expression), "x", None, "denominator")
        assert f"`{result.forms['kronecker'].text}`" in section, expression
