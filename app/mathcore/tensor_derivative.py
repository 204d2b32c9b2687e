"""Derivatives that are matrices of matrices: vec-Jacobians and Hessians by a matrix.

When ``F`` (p×q) or ``X`` (m×n) is a matrix, the derivative of ``F`` by ``X`` has four
indices. We show it three ways, each read off the differential ``dF`` (linear in ``dX``)
and each checked numerically before it is shown:

- the differential itself, ``dF = A dX B``;
- the vec-Jacobian ``J = ∂vec(F)/∂vec(X)`` (pq × mn, ``vec`` stacking columns), in
  Kronecker form (``Bᵀ ⊗ A``), with the commutation matrix ``K`` where ``dXᵀ`` appears;
- the index form ``∂F_ij/∂X_kl = A_ik B_lj``.

The Hessian of a scalar ``f`` by a matrix is the vec-Jacobian of its gradient:
``H = ∂vec(∇f)/∂vec(X) = ∂²f/∂vec(X)∂vec(X)ᵀ``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.mathcore.errors import LimitError
from app.mathcore.evaluate import Array, Evaluator
from app.mathcore.printing import latex_name, to_latex, to_text
from app.mathcore.shapes import resolve_dim
from app.mathcore.tensor import (
    Commutation,
    DiagVec,
    Kron,
    LinearMap,
    VecColumn,
    VecRow,
    kronecker_latex,
    kronecker_text,
    linear_map,
    map_exprs,
    map_value,
    size_of,
)
from app.mathcore.tensor_index import IndexForm, as_jacobian, index_form, render, tensor_value
from app.mathcore.tree import Differential, Dim, Expr, Shape, Symbol
from app.mathcore.variables import Variable, shape_to_list
from app.mathcore.verify import Check, check_vec_jacobian

MAX_TENSOR_ENTRIES = 250_000
"""The largest vec-Jacobian (entries of F times entries of X) computed or sent."""

VEC_CONVENTION = (
    "vec stacks the columns of a matrix (column-major, as in Magnus & Neudecker): "
    "vec(X) = (X_11, X_21, …, X_m1, X_12, …, X_mn)ᵀ. The vec-Jacobian ∂vec(F)/∂vec(X) has "
    "one row per entry of F and one column per entry of X: entry F_ij (F p×q) is row i + p(j−1), "
    "entry X_kl (X m×n) is column k + m(l−1), counting from 1, so vec(dF) = J vec(dX). "
    "In denominator layout the matrix is transposed. The index form ∂F_ij/∂X_kl does not "
    "depend on the layout."
)

_VEC_RULES = {
    Kron: r"\operatorname{vec}(L\,Y R) = (R^{\top} \otimes L)\operatorname{vec}(Y)",
    Commutation: r"\operatorname{vec}(Y^{\top}) = K_{r,c}\operatorname{vec}(Y)",
    DiagVec: r"\operatorname{vec}(W \odot Y) = \operatorname{diag}(\operatorname{vec}W)\operatorname{vec}(Y)",
    VecColumn: r"\operatorname{vec}(s\,M) = \operatorname{vec}(M)\,s",
    VecRow: r"\operatorname{tr}(N^{\top} Y) = \operatorname{vec}(N)^{\top}\operatorname{vec}(Y)",
}
_INDEX_RULE = (
    r"(P \otimes Q)_{(i,j),(k,l)} = P_{jl}\,Q_{ik},\ "
    r"(K_{m,n})_{(i,j),(k,l)} = \delta_{il}\,\delta_{jk},\ "
    r"\operatorname{diag}(\operatorname{vec}W)_{(i,j),(k,l)} = W_{ij}\,\delta_{ik}\,\delta_{jl}"
)


@dataclass(frozen=True)
class Form:
    latex: str
    text: str


@dataclass
class TensorDerivative:
    """The derivative of ``function`` by ``wrt`` as a linear map on ``vec``.

    For a Hessian, ``function`` is the gradient of the scalar differentiated.
    """

    function: Expr
    differential: Expr
    linear: LinearMap
    """``J`` in numerator layout: ``vec(dF) = J vec(dX)``."""
    shown: LinearMap
    """``J`` in the layout asked for (``Jᵀ`` in denominator layout)."""
    index: IndexForm
    wrt: Variable
    layout: str
    hessian: bool
    forms: dict[str, Form]

    @property
    def function_shape(self) -> Shape:
        return self.function.shape

    @property
    def shape(self) -> tuple[Dim, Dim]:
        """The shape of the matrix shown: (entries of F) × (entries of X), or its transpose."""
        return (size_of(self.shown.target), size_of(self.shown.source))

    def tensor_shape(self) -> list[object]:
        """The API shape of the tensor ``∂F_ij/∂X_kl``: F's shape, then X's."""
        return [*shape_to_list(self.function.shape), *shape_to_list(self.wrt.shape)]

    def entries(self, evaluator: Evaluator) -> int:
        target = evaluator.size(self.linear.target[0]) * evaluator.size(self.linear.target[1])
        source = evaluator.size(self.linear.source[0]) * evaluator.size(self.linear.source[1])
        return target * source

    def guard(self, evaluator: Evaluator) -> None:
        """Refuse sizes whose matrices would be too large to build (any factor of ``J``)."""
        biggest = self.entries(evaluator)
        for term in self.linear.terms:
            for factor in term.factors:
                source, target = factor.shapes
                count = 1
                for dim in (*source, *target):
                    count *= evaluator.size(dim)
                biggest = max(biggest, count)
        if biggest > MAX_TENSOR_ENTRIES:
            raise LimitError(
                f"this derivative has {biggest:,} entries at these sizes; the calculator computes "
                f"at most {MAX_TENSOR_ENTRIES:,} (entries of the function times entries of "
                "the variable)",
                None,
            )

    def matrix(self, evaluator: Evaluator) -> Array:
        """The matrix shown (``J`` or ``Jᵀ``) at the evaluator's values."""
        self.guard(evaluator)
        return map_value(self.shown, evaluator)

    def tensor(self, evaluator: Evaluator) -> Array:
        """``T[i, j, k, l] = ∂F_ij/∂X_kl`` from the index form, in the API shape."""
        self.guard(evaluator)
        full = tensor_value(self.index, evaluator)
        shape = [evaluator.size(d) for d in (*self.function.shape, *self.wrt.shape)]
        keep = [
            size
            for size, dim in zip(shape, (*self.function.shape, *self.wrt.shape), strict=True)
            if resolve_dim(dim) != 1
        ]
        out: Array = full.reshape(keep)
        return out

    def numerator_forms(self, evaluator: Evaluator) -> list[Array]:
        """Every displayed matrix form, brought to numerator layout (for the check)."""
        self.guard(evaluator)
        kronecker = map_value(self.linear, evaluator)
        shown = map_value(self.shown, evaluator)
        index = as_jacobian(tensor_value(self.index, evaluator))
        return [kronecker, shown if self.layout == "numerator" else shown.T, index]

    def check(self, variables: dict[str, Variable]) -> Check:
        exprs = tuple(map_exprs(self.linear)) + tuple(map_exprs(self.shown))
        return check_vec_jacobian(
            self.function, self.differential, self.numerator_forms, exprs, self.wrt, variables
        )


def _guard_declared(function: Shape, wrt: Shape) -> None:
    dims = [*function, *wrt]
    if all(isinstance(d, int) for d in dims):
        count = int(np.prod([int(d) for d in dims]))  # type: ignore[arg-type]
        if count > MAX_TENSOR_ENTRIES:
            raise LimitError(
                f"this derivative has {count:,} entries (entries of the function times entries "
                f"of the variable); the calculator computes at most {MAX_TENSOR_ENTRIES:,}",
                None,
            )


def _vec_rules(linear: LinearMap) -> str:
    used: list[str] = []
    for term in linear.terms:
        for factor in term.factors:
            rule = _VEC_RULES[type(factor)]
            if rule not in used:
                used.append(rule)
    return r",\quad ".join(used) or r"\operatorname{vec}(0) = 0"


def _grouped(latex: str, several: bool) -> str:
    return rf"\left({latex}\right)" if several else latex


def build_tensor(
    function: Expr,
    differential: Expr,
    wrt: Variable,
    symmetric: set[str],
    layout: str,
    hessian: bool,
) -> tuple[TensorDerivative, list[tuple[str, str, str]]]:
    """The vec-Jacobian of ``function`` read off its ``differential``, with the steps
    (rule, LaTeX, formula) from the differential to each form."""
    _guard_declared(function.shape, wrt.shape)
    linear = linear_map(differential, Symbol(wrt.name, wrt.shape), symmetric)
    shown = linear if layout == "numerator" or hessian else linear.transpose(symmetric)
    index = index_form(linear)
    x_latex, x_text = latex_name(wrt.name), wrt.name
    d_x = rf"\operatorname{{vec}}(\mathrm{{d}}{x_latex})"
    if hessian:
        f_latex, f_text = r"\nabla f", "∇f"
        d_lhs_latex, d_lhs_text = r"\mathrm{d}(\nabla f)", "d(∇f)"
        j_lhs_latex = rf"H = \frac{{\partial^2 f}}{{\partial \operatorname{{vec}}({x_latex})\,\partial \operatorname{{vec}}({x_latex})^{{\top}}}}"
        j_lhs_text = f"H = ∂²f/∂vec({x_text})∂vec({x_text})^T"
    else:
        f_latex, f_text = "F", "F"
        d_lhs_latex, d_lhs_text = r"\mathrm{d}F", "dF"
        if layout == "numerator":
            j_lhs_latex = rf"\frac{{\partial \operatorname{{vec}}(F)}}{{\partial \operatorname{{vec}}({x_latex})^{{\top}}}}"
            j_lhs_text = f"∂vec(F)/∂vec({x_text})^T"
        else:
            j_lhs_latex = rf"\frac{{\partial \operatorname{{vec}}(F)^{{\top}}}}{{\partial \operatorname{{vec}}({x_latex})}}"
            j_lhs_text = f"∂vec(F)^T/∂vec({x_text})"
    numerator_latex = kronecker_latex(linear)
    several = len(linear.terms) > 1
    steps: list[tuple[str, str, str]] = [
        (
            "Vectorise the differential",
            rf"\operatorname{{vec}}({d_lhs_latex}) = {_grouped(numerator_latex, several)}\,{d_x}",
            _vec_rules(linear),
        ),
        (
            "Read off the vec-Jacobian" + (" (the Hessian)" if hessian else " (numerator layout)"),
            rf"{j_lhs_latex} = {numerator_latex}",
            r"\operatorname{vec}(\mathrm{d}F) = J\operatorname{vec}(\mathrm{d}X)",
        ),
    ]
    if shown is not linear:
        steps.append(
            (
                "Transpose for the denominator layout",
                rf"{j_lhs_latex} = {_grouped(numerator_latex, True)}^{{\top}} = {kronecker_latex(shown)}",
                r"(P \otimes Q)^{\top} = P^{\top} \otimes Q^{\top},\ K_{m,n}^{\top} = K_{n,m},\ "
                r"(A + B)^{\top} = A^{\top} + B^{\top}",
            )
        )
    index_names = ("f", x_latex) if hessian else (f_latex, x_latex)
    index_latex = render(index, index_names, latex=True, hessian=hessian)
    steps.append(("Read entry by entry (index form)", index_latex, _INDEX_RULE))
    forms = {
        "differential": Form(
            rf"{d_lhs_latex} = {to_latex(differential)}", f"{d_lhs_text} = {to_text(differential)}"
        ),
        "kronecker": Form(
            rf"{j_lhs_latex} = {kronecker_latex(shown)}", f"{j_lhs_text} = {kronecker_text(shown)}"
        ),
        "index": Form(
            index_latex,
            render(index, ("f", x_text) if hessian else (f_text, x_text), False, hessian),
        ),
    }
    derivative = TensorDerivative(
        function, differential, linear, shown, index, wrt, layout, hessian, forms
    )
    return derivative, steps


def has_differential(expr: Expr, name: str) -> bool:
    return any(isinstance(n, Differential) and n.name == name for n in expr.walk())
