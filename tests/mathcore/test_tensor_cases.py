"""Matrix-by-matrix derivatives and Hessians by a matrix, against an independent table.

Each row names an expression, the variable, the declared shapes and a plain NumPy function
``f`` computing the same value (written by hand, never by the engine's evaluator), and the
textbook vec-Jacobian ``known`` (∂vec(F)/∂vec(X), column-major vec; for a Hessian
∂²f/∂vec(X)∂vec(X)ᵀ) written with ``np.kron`` and a commutation matrix built here. The
engine's value must match finite differences of ``f`` in both layouts; its Kronecker form
must read as ``known`` does (text) and equal it (value); its index form must give the
finite-difference tensor entry by entry; and the generated NumPy, einsum and self-check
code must run and agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pytest

from app.mathcore.derivative import Derivative, differentiate
from app.mathcore.evaluate import Evaluator
from app.mathcore.parse import parse
from tests.mathcore.derivative_cases import (
    Var,
    finite_difference,
    inv,
    mat,
    norm,
    sigmoid,
    softmax,
    tr,
    vec,
)

Kind = Literal["jacobian", "hessian"]
FD_RTOL = 1e-5
EXACT_RTOL = 1e-8


def commutation(rows: int, cols: int) -> np.ndarray:
    """K = Σ_ij E_ij ⊗ E_ijᵀ (E_ij rows×cols), so K vec(Y) = vec(Yᵀ) (Magnus & Neudecker)."""
    k = np.zeros((rows * cols, rows * cols))
    for i in range(rows):
        for j in range(cols):
            e = np.zeros((rows, cols))
            e[i, j] = 1.0
            k += np.kron(e, e.T)
    return k


def vec_of(a: np.ndarray) -> np.ndarray:
    return np.reshape(np.asarray(a, dtype=float), (-1, 1), order="F")


@dataclass(frozen=True)
class TensorCase:
    id: str
    expression: str
    wrt: str
    variables: Mapping[str, Var]
    f: Callable[..., Any]
    known: Callable[..., np.ndarray]
    """The vec-Jacobian (numerator layout), or the Hessian, in closed form."""
    kronecker: str
    """The Kronecker form the engine shows in numerator layout."""
    index: str
    kind: Kind = "jacobian"

    def sample(self) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(sum(map(ord, self.id)))
        return {name: var.sample(rng) for name, var in self.variables.items()}

    def declarations(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, var in self.variables.items():
            out[name] = {"shape": list(var.shape)}
            if var.properties:
                out[name]["properties"] = var.properties
        return out

    def tensor(self, inputs: Mapping[str, np.ndarray]) -> np.ndarray:
        """∂F_ij/∂X_kl (for a Hessian ∂²f/∂X_ij∂X_kl) by finite differences of ``f``,
        shaped F's shape then X's."""

        def f_of(x: np.ndarray) -> np.ndarray:
            return np.asarray(self.f(**{**inputs, self.wrt: x}), dtype=float)

        x = np.asarray(inputs[self.wrt], dtype=float)
        if self.kind == "hessian":
            return finite_difference(lambda y: finite_difference(f_of, y), x)
        return finite_difference(f_of, x)

    def jacobian(self, inputs: Mapping[str, np.ndarray]) -> np.ndarray:
        """∂vec(F)/∂vec(X) by finite differences: rows follow vec(F), columns vec(X)."""
        t = self.tensor(inputs)
        x_size = np.asarray(inputs[self.wrt]).size
        return np.reshape(t, (t.size // x_size, x_size), order="F")


def columns(inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The engine's values: vectors as (n, 1) columns, scalars as (1, 1)."""
    out = {}
    for name, value in inputs.items():
        array = np.asarray(value, dtype=float)
        out[name] = array.reshape(-1, 1) if array.ndim == 1 else np.atleast_2d(array)
    return out


I2, I3, I4 = np.eye(2), np.eye(3), np.eye(4)

# fmt: off
CASES = [
    TensorCase("d(A X B)/dX = B^T ⊗ A", "A X B", "X",
               {"A": mat(2, 3), "X": mat(3, 4), "B": mat(4, 5)},
               lambda A, X, B: A @ X @ B, lambda A, X, B: np.kron(B.T, A),
               "B^T ⊗ A", "∂F_ij/∂X_kl = A_ik B_lj"),
    TensorCase("d(X^T)/dX = K", "X^T", "X", {"X": mat(3, 4)},
               lambda X: X.T, lambda X: commutation(3, 4),
               "K_(3,4)", "∂F_ij/∂X_kl = δ_il δ_jk"),
    TensorCase("d(X^-1)/dX = -X^-T ⊗ X^-1", "inv(X)", "X", {"X": mat(3, 3, "invertible")},
               lambda X: inv(X), lambda X: -np.kron(inv(X).T, inv(X)),
               "-X^-T ⊗ X^-1", "∂F_ij/∂X_kl = -(X^-1)_ik (X^-1)_lj"),
    TensorCase("d(X^T X)/dX = (X^T ⊗ I) K + I ⊗ X^T", "X^T X", "X", {"X": mat(4, 3)},
               lambda X: X.T @ X, lambda X: np.kron(X.T, I3) @ commutation(4, 3) + np.kron(I3, X.T),
               "(X^T ⊗ I_3) K_(4,3) + I_3 ⊗ X^T", "∂F_ij/∂X_kl = δ_il X_kj + δ_jl X_ki"),
    TensorCase("d(X ⊙ X)/dX = 2 diag(vec X)", "X .* X", "X", {"X": mat(3, 4)},
               lambda X: X * X, lambda X: 2 * np.diag(vec_of(X)[:, 0]),
               "2 diag(vec(X))", "∂F_ij/∂X_kl = 2 δ_ik δ_jl X_ij"),
    TensorCase("d(A x)/dA = x^T ⊗ I", "A x", "A", {"A": mat(2, 3), "x": vec(3)},
               lambda A, x: A @ x, lambda A, x: np.kron(x.reshape(1, -1), I2),
               "x^T ⊗ I_2", "∂F_i/∂A_kl = δ_ik x_l"),
    TensorCase("d sigmoid(W x)/dW = diag(s ⊙ (1 - s)) (x^T ⊗ I)", "sigmoid(W x)", "W",
               {"W": mat(4, 3), "x": vec(3)},
               lambda W, x: sigmoid(W @ x),
               lambda W, x: np.diag(sigmoid(W @ x) * (1 - sigmoid(W @ x))) @ np.kron(x.reshape(1, -1), I4),
               "diag(sigmoid(W x) .* (ones(4) - sigmoid(W x))) (x^T ⊗ I_4)",
               "∂F_i/∂W_kl = δ_ik (sigmoid(W x) .* (ones(4) - sigmoid(W x)))_i x_l"),
    TensorCase("d softmax(W x)/dW = x^T ⊗ (diag(s) - s s^T)", "softmax(W x)", "W",
               {"W": mat(4, 3), "x": vec(3)},
               lambda W, x: softmax(W @ x),
               lambda W, x: np.kron(x.reshape(1, -1), np.diag(softmax(W @ x)) - np.outer(softmax(W @ x), softmax(W @ x))),
               "x^T ⊗ (diag(softmax(W x)) - softmax(W x) softmax(W x)^T)",
               "∂F_i/∂W_kl = (diag(softmax(W x)) - softmax(W x) softmax(W x)^T)_ik x_l"),
    TensorCase("d(x x^T)/dx = x ⊗ I + I ⊗ x", "x x^T", "x", {"x": vec(3)},
               lambda x: np.outer(x, x),
               lambda x: np.kron(x.reshape(-1, 1), I3) + np.kron(I3, x.reshape(-1, 1)),
               "x ⊗ I_3 + I_3 ⊗ x", "∂F_ij/∂x_k = δ_ik x_j + δ_jk x_i"),
    TensorCase("H_X tr(X^T A X) = I ⊗ (A + A^T)", "tr(X^T A X)", "X",
               {"A": mat(3, 3), "X": mat(3, 4)},
               lambda A, X: tr(X.T @ A @ X), lambda A, X: np.kron(I4, A + A.T),
               "I_4 ⊗ (A + A^T)", "∂²f/∂X_ij∂X_kl = δ_jl (A + A^T)_ik", "hessian"),
    TensorCase("H_X norm(W X - Y)^2 = 2 I ⊗ W^T W", "norm(W X - Y)^2", "X",
               {"W": mat(2, 3), "X": mat(3, 4), "Y": mat(2, 4)},
               lambda W, X, Y: norm(W @ X - Y) ** 2, lambda W, X, Y: 2 * np.kron(I4, W.T @ W),
               "2 (I_4 ⊗ (W^T W))", "∂²f/∂X_ij∂X_kl = 2 δ_jl (W^T W)_ik", "hessian"),
    TensorCase("H_W norm(W X - Y)^2 = 2 X X^T ⊗ I", "norm(W X - Y)^2", "W",
               {"W": mat(2, 3), "X": mat(3, 4), "Y": mat(2, 4)},
               lambda W, X, Y: norm(W @ X - Y) ** 2, lambda W, X, Y: 2 * np.kron(X @ X.T, I2),
               "2 ((X X^T) ⊗ I_2)", "∂²f/∂W_ij∂W_kl = 2 δ_ik (X X^T)_jl", "hessian"),
    TensorCase("H_X logdet(X) = -(X^-1 ⊗ X^-T) K", "logdet(X)", "X", {"X": mat(3, 3, "invertible")},
               lambda X: np.linalg.slogdet(X)[1],
               lambda X: -np.kron(inv(X), inv(X).T) @ commutation(3, 3),
               "-(X^-1 ⊗ X^-T) K_(3,3)", "∂²f/∂X_ij∂X_kl = -(X^-1)_li (X^-1)_jk", "hessian"),
    TensorCase("H_X tr(X^-1) = (X^-2 ⊗ X^-T + X^-1 ⊗ X^-2T) K", "tr(inv(X))", "X",
               {"X": mat(3, 3, "invertible")},
               lambda X: tr(inv(X)),
               lambda X: (np.kron(inv(X) @ inv(X), inv(X).T) + np.kron(inv(X), (inv(X) @ inv(X)).T)) @ commutation(3, 3),
               "((X^-1 X^-1) ⊗ X^-T) K_(3,3) + (X^-1 ⊗ (X^-T X^-T)) K_(3,3)",
               "∂²f/∂X_ij∂X_kl = (X^-1)_li (X^-1 X^-1)_jk + (X^-T X^-T)_il (X^-1)_jk", "hessian"),
]
# fmt: on
IDS = [case.id for case in CASES]
LAYOUTS = ["numerator", "denominator"]


def engine(case: TensorCase | Any, layout: str) -> Derivative:
    """The engine's derivative for a table row (test_tensor_vector_forms.py's rows too)."""
    return differentiate(
        parse(case.expression, case.declarations()),
        case.wrt,
        case.kind,
        layout,  # type: ignore[arg-type]
    )


def scale(a: np.ndarray) -> float:
    return max(1.0, float(np.max(np.abs(a))))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_vec_jacobian_matches_finite_differences(case: TensorCase, layout: str) -> None:
    inputs = case.sample()
    result = engine(case, layout)
    assert result.status == "verified", result.check.message
    assert result.tensor is not None
    value = result.tensor.matrix(Evaluator(columns(inputs)))
    numeric = case.jacobian(inputs)
    if layout == "denominator" and case.kind == "jacobian":
        numeric = numeric.T
    assert value.shape == numeric.shape
    np.testing.assert_allclose(value, numeric, rtol=FD_RTOL, atol=FD_RTOL * scale(numeric))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_kronecker_form_reads_and_equals_the_textbook_form(case: TensorCase) -> None:
    inputs = case.sample()
    result = engine(case, "numerator")
    assert result.tensor is not None
    assert result.tensor.forms["kronecker"].text.rsplit(" = ", 1)[1] == case.kronecker
    value = result.tensor.matrix(Evaluator(columns(inputs)))
    known = case.known(**inputs)
    np.testing.assert_allclose(value, known, rtol=EXACT_RTOL, atol=EXACT_RTOL * scale(known))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_denominator_layout_shows_the_transpose(case: TensorCase) -> None:
    inputs = case.sample()
    numerator = engine(case, "numerator")
    denominator = engine(case, "denominator")
    assert numerator.tensor is not None and denominator.tensor is not None
    evaluator = Evaluator(columns(inputs))
    top = numerator.tensor.matrix(evaluator)
    bottom = denominator.tensor.matrix(evaluator)
    np.testing.assert_allclose(bottom, top if case.kind == "hessian" else top.T, rtol=1e-12)
    if case.kind == "jacobian" and top.shape[0] != top.shape[1]:
        assert bottom.shape == top.shape[::-1]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_index_form_reads_as_written_and_gives_the_tensor(case: TensorCase) -> None:
    inputs = case.sample()
    result = engine(case, "numerator")
    assert result.tensor is not None
    assert result.tensor.forms["index"].text == case.index
    tensor = result.tensor.tensor(Evaluator(columns(inputs)))
    numeric = case.tensor(inputs)
    assert tensor.shape == numeric.shape
    np.testing.assert_allclose(tensor, numeric, rtol=FD_RTOL, atol=FD_RTOL * scale(numeric))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_generated_code_runs_and_checks_itself(case: TensorCase, layout: str) -> None:
    result = engine(case, layout)
    namespace: dict[str, Any] = {}
    # our own generated code, from our own tree: this is what a learner pastes and runs
    source = result.numpy + "\n" + result.einsum + "\n" + result.selfcheck
    exec(compile(source, f"<generated for {case.id}>", "exec"), namespace)  # noqa: S102
    assert namespace["self_check"]() < FD_RTOL
    inputs = case.sample()
    values = columns(inputs)
    matrix = namespace["hessian_f" if case.kind == "hessian" else "jacobian_f"](**values)
    numeric = case.jacobian(inputs)
    if layout == "denominator" and case.kind == "jacobian":
        numeric = numeric.T
    np.testing.assert_allclose(matrix, numeric, rtol=FD_RTOL, atol=FD_RTOL * scale(numeric))
    einsum = namespace[f"d_f_d_{case.wrt}"](**values)
    tensor = case.tensor(inputs)
    np.testing.assert_allclose(einsum, tensor, rtol=FD_RTOL, atol=FD_RTOL * scale(tensor))


def test_self_check_fails_for_a_wrong_derivative() -> None:
    case = CASES[0]
    result = engine(case, "numerator")
    namespace: dict[str, Any] = {}
    source = result.numpy + "\n" + result.einsum + "\n" + result.selfcheck
    exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102 - our own code
    right = namespace["jacobian_f"]
    namespace["jacobian_f"] = lambda A, X, B: 2 * right(A, X, B)
    with pytest.raises(AssertionError, match="central differences"):
        namespace["self_check"]()


def test_einsum_code_names_each_subexpression_once() -> None:
    case = next(c for c in CASES if c.expression == "sigmoid(W x)")
    code = engine(case, "numerator").einsum
    body = code.split('"""')[-1]  # after the docstring, which quotes the index form
    assert body.count("sigmoid(") == 1, body  # t_1 = sigmoid(t_0), used twice in t_2
    assert "t_0 = (W @ x)" in body and "t_1 = sigmoid(t_0)" in body
    assert 'np.einsum("i,l,ik->ikl"' in code


def test_steps_lead_from_the_differential_to_each_form() -> None:
    result = engine(CASES[0], "denominator")
    rules = [step.rule for step in result.steps]
    assert rules[0] == "Take the differential"
    assert rules[-4:] == [
        "Vectorise the differential",
        "Read off the vec-Jacobian (numerator layout)",
        "Transpose for the denominator layout",
        "Read entry by entry (index form)",
    ]
    assert result.steps[-2].latex.endswith(r"= B \otimes A^{\top}")
    assert result.tensor is not None
    assert result.tensor.forms["differential"].text == "dF = A dX B"


# --- the table's own health: a wrong closed form must not pass for a wrong engine ------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reference_finite_differences_agree_with_closed_form(case: TensorCase) -> None:
    inputs = case.sample()
    numeric = case.jacobian(inputs)
    known = case.known(**inputs)
    np.testing.assert_allclose(numeric, known, rtol=1e-6, atol=1e-6 * scale(known))


def test_closed_forms_tell_a_missing_commutation_matrix_apart() -> None:
    case = next(c for c in CASES if c.expression == "X^T X")
    inputs = case.sample()
    X = inputs["X"]
    numeric = case.jacobian(inputs)
    np.testing.assert_allclose(numeric, case.known(**inputs), rtol=1e-6, atol=1e-8)
    without_k = np.kron(X.T, I3)[:, :12] + np.kron(I3, X.T)  # the classic slip: K dropped
    assert not np.allclose(numeric, without_k, rtol=1e-3)
    Y = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(commutation(3, 4) @ vec_of(Y), vec_of(Y.T))


def test_the_worked_example_in_docs_expressions() -> None:
    """docs/expressions.md: A X B by X, A 2×2, X 2×3, B 3×2, in both layouts."""
    declared = {"A": {"shape": [2, 2]}, "X": {"shape": [2, 3]}, "B": {"shape": [3, 2]}}
    values = {
        "A": np.array([[1.0, 2.0], [3.0, 4.0]]),
        "X": np.zeros((2, 3)),
        "B": np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
    }
    expected = np.array(
        [[1, 2, 0, 0, 1, 2], [3, 4, 0, 0, 3, 4], [0, 0, 1, 2, 1, 2], [0, 0, 3, 4, 3, 4]], float
    )
    for layout, matrix, text in [
        ("numerator", expected, "B^T ⊗ A"),
        ("denominator", expected.T, "B ⊗ A^T"),
    ]:
        result = differentiate(parse("A X B", declared), "X", None, layout)  # type: ignore[arg-type]
        assert result.tensor is not None
        assert result.tensor.forms["kronecker"].text.endswith(f" = {text}")
        np.testing.assert_array_equal(result.tensor.matrix(Evaluator(values)), matrix)
        assert result.tensor.tensor(Evaluator(values))[0, 1, 0, 2] == 1.0  # ∂F_12/∂X_13


# A scalar broadcast over a matrix inside tr: the index form sums over an index that no entry
# carries (Σ_a 1 = n), which once vanished from its value while the Kronecker form held.
BROADCAST = [
    ("tr(tr(X) - X)", lambda X: np.trace(np.trace(X) * np.ones((3, 3)) - X), "3 δ_kl - δ_kl"),
    ("tr(sum(X) - X^T)", lambda X: np.trace(X.sum() * np.ones((3, 3)) - X.T), "3 - δ_lk"),
]


@pytest.mark.parametrize(("expression", "reference", "index"), BROADCAST)
@pytest.mark.parametrize("sizes", ["declared", "named"])
def test_index_form_counts_a_sum_over_a_broadcast_scalar(
    expression: str, reference: Callable[[np.ndarray], Any], index: str, sizes: str
) -> None:
    shape: list[Any] = [3, 3] if sizes == "declared" else ["n", "n"]
    result = differentiate(parse(expression, {"X": {"shape": shape}}), "X", "jacobian")
    assert result.status == "verified", result.check.message
    assert result.tensor is not None
    X = np.random.default_rng(7).standard_normal((3, 3))
    evaluator = Evaluator({"X": X}, {"n": 3})
    numeric = finite_difference(lambda Y: np.asarray(reference(Y)), X)
    np.testing.assert_allclose(result.tensor.tensor(evaluator), numeric, rtol=1e-6, atol=1e-8)
    text = result.tensor.forms["index"].text
    if sizes == "declared":
        assert text == f"∂F/∂X_kl = {index}"
    else:
        assert "Σ_" in text  # Σ_a over 1..n: the size stays a sum when it has no number
