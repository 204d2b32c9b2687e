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

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.mathcore import build
from app.mathcore.errors import LimitError, UnsupportedError
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
    merge_plain,
    plain_matrix,
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


# ------------------------------------------------------------------------------- vectors


@dataclass
class VectorForms:
    """The forms of a derivative by a vector: a Jacobian of a vector, a gradient, or (with
    ``function`` the gradient) a Hessian, read off ``differential`` by the same linear maps
    as a vec-Jacobian (a vector is an n×1 matrix, so ``vec`` changes nothing):

    - the differential, ``df = A dx``;
    - the matrix, ``∂f/∂x = A`` (``Aᵀ`` in denominator layout; for a gradient the row
      ``(∇f)ᵀ`` in numerator layout and the column ``∇f`` in denominator layout);
    - the index form, ``∂f_i/∂x_j = A_ij``.

    ``forms`` holds those that passed their own check against central differences of
    ``function``; a form that fails, or cannot be written, is left out (the result stays).
    """

    function: Expr
    differential: Expr
    linear: LinearMap | None
    """``J`` in numerator layout, ``df = J dx``; None when it cannot be written."""
    shown: LinearMap | None
    """``J`` in the layout asked for."""
    index: IndexForm | None
    layout: str
    forms: dict[str, Form]

    def matrix(self, evaluator: Evaluator) -> Array:
        """The matrix form as shown (``J``, or ``Jᵀ`` in denominator layout)."""
        assert self.shown is not None
        return map_value(self.shown, evaluator)

    def numerator(self, evaluator: Evaluator) -> Array:
        """The matrix form brought to numerator layout, ``J``."""
        assert self.linear is not None and self.shown is not None
        shown = map_value(self.shown, evaluator)
        return shown if self.shown is self.linear else shown.T

    def entries(self, evaluator: Evaluator) -> Array:
        """``J`` entry by entry from the index form (rows follow f, columns x)."""
        assert self.index is not None
        return as_jacobian(tensor_value(self.index, evaluator))


def vector_forms(
    function: Expr,
    differential: Expr,
    wrt: Variable,
    variables: dict[str, Variable],
    symmetric: set[str],
    layout: str,
    kind: str,
) -> VectorForms:
    """The checked forms of the derivative of ``function`` by the vector ``wrt``.

    >>> from app.mathcore.parse import parse
    >>> from app.mathcore.differentials import differential_steps
    >>> p = parse("A x", {"A": {"shape": [2, 3]}, "x": {"shape": [3]}})
    >>> df = differential_steps(p.expr, {"x"})[-1][0]
    >>> v = vector_forms(p.expr, df, p.variables["x"], p.variables, set(), "numerator", "jacobian")
    >>> [v.forms[k].text for k in ("differential", "kronecker", "index")]
    ['df = A dx', '∂f/∂x = A', '∂f_i/∂x_j = A_ij']
    """
    hessian = kind == "hessian"
    x_latex, x_text = latex_name(wrt.name), wrt.name
    d_lhs = (r"\mathrm{d}(\nabla f)", "d(∇f)") if hessian else (r"\mathrm{d}f", "df")
    candidates: list[tuple[str, Form, Callable[[Evaluator], list[Array]]]] = [
        (
            "differential",
            Form(
                rf"{d_lhs[0]} = {to_latex(differential)}",
                f"{d_lhs[1]} = {to_text(differential)}",
            ),
            lambda evaluator: [],
        )
    ]
    linear: LinearMap | None = None
    shown: LinearMap | None = None
    index: IndexForm | None = None
    try:
        _guard_declared(function.shape, wrt.shape)
        linear = merge_plain(
            linear_map(differential, Symbol(wrt.name, wrt.shape), symmetric), symmetric
        )
        shown = linear if layout == "numerator" or hessian else linear.transpose(symmetric)
        index = index_form(linear, names="ijjl" if function.is_scalar else "iljk", split=True)
    except (UnsupportedError, LimitError):
        linear = shown = index = None
    result = VectorForms(function, differential, linear, shown, index, layout, {})
    exprs: tuple[Expr, ...] = ()
    if linear is not None and shown is not None and index is not None:
        exprs = tuple(map_exprs(linear)) + tuple(map_exprs(shown))
        lhs = _vector_lhs(x_latex, x_text, kind, layout)
        plain = _one_matrix(shown)
        candidates.append(
            (
                "kronecker",
                Form(
                    f"{lhs[0]} = {kronecker_latex(shown) if plain is None else to_latex(plain)}",
                    f"{lhs[1]} = {kronecker_text(shown) if plain is None else to_text(plain)}",
                ),
                lambda evaluator: [map_value(linear, evaluator), result.numerator(evaluator)],
            )
        )
        candidates.append(
            (
                "index",
                Form(
                    render(index, ("f", x_latex), latex=True, hessian=hessian),
                    render(index, ("f", x_text), latex=False, hessian=hessian),
                ),
                lambda evaluator: [result.entries(evaluator)],
            )
        )

    def passes(chosen: list[Callable[[Evaluator], list[Array]]]) -> bool:
        def values(evaluator: Evaluator) -> list[Array]:
            return [m for value in chosen for m in value(evaluator)]

        return check_vec_jacobian(function, differential, values, exprs, wrt, variables).passed

    # one check for all of them; only when it fails, one for each, to keep those that hold
    if passes([values for _, _, values in candidates]):
        result.forms = {name: form for name, form, _ in candidates}
    elif len(candidates) > 1:
        result.forms = {name: form for name, form, values in candidates if passes([values])}
    return result


def _vector_lhs(x_latex: str, x_text: str, kind: str, layout: str) -> tuple[str, str]:
    """The left side of the matrix form, in LaTeX and text."""
    if kind == "hessian":
        return (
            rf"H = \frac{{\partial^2 f}}{{\partial {x_latex}\,\partial {x_latex}^{{\top}}}}",
            f"H = ∂²f/∂{x_text}∂{x_text}^T",
        )
    partial = (rf"\frac{{\partial f}}{{\partial {x_latex}}}", f"∂f/∂{x_text}")
    if kind == "gradient" and layout == "numerator":
        return (rf"{partial[0]} = (\nabla f)^{{\top}}", f"{partial[1]} = (∇f)^T")
    if kind == "gradient":
        return (rf"{partial[0]} = \nabla f", f"{partial[1]} = ∇f")
    return partial


def _one_matrix(linear: LinearMap) -> Expr | None:
    """The map as one matrix expression when it is a single plain matrix (``2 Aᵀ A``), to be
    printed as such rather than as a Kronecker product with a 1×1 side."""
    if len(linear.terms) != 1:
        return None
    term = linear.terms[0]
    matrix = plain_matrix(term)
    return None if matrix is None else build.multiply(term.coefficient, matrix)
