"""The derivative engine: differentials, the canonical form, the result, and its check.

>>> from app.mathcore.parse import parse
>>> from app.mathcore.printing import to_text
>>> result = differentiate(parse("x^T A x"), "x")
>>> to_text(result.expr), result.verified
('(A + A^T) x', True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from app.mathcore import build
from app.mathcore.codegen import numpy_code
from app.mathcore.differentials import RULES, differential_steps, rebuild
from app.mathcore.errors import LimitError, ParseError, ShapeError, UnsupportedError
from app.mathcore.extract import Extractor
from app.mathcore.parse import Parsed
from app.mathcore.printing import latex_name, to_latex, to_text
from app.mathcore.simplify import simplify
from app.mathcore.tensor_code import einsum_code, matrix_code, selfcheck_code
from app.mathcore.tensor_derivative import (
    Form,
    TensorDerivative,
    VectorForms,
    build_tensor,
    vector_forms,
)
from app.mathcore.tree import (
    Call,
    Differential,
    Expr,
    Ones,
    Product,
    Shape,
    Sum,
    Symbol,
    format_shape,
)
from app.mathcore.variables import Variable, shape_to_list
from app.mathcore.verify import Check, check_derivative

Kind = Literal["gradient", "jacobian", "hessian"]
Layout = Literal["numerator", "denominator"]
Status = Literal["verified", "failed-check", "unverified"]


@dataclass(frozen=True)
class Step:
    rule: str
    latex: str
    formula: str = ""


@dataclass
class Derivative:
    """A derivative with its derivation and its numerical check."""

    expr: Expr
    kind: Kind
    layout: Layout
    wrt: str
    steps: list[Step]
    check: Check
    numpy: str
    variables: dict[str, Variable]
    notes: list[str] = field(default_factory=list)
    tensor: TensorDerivative | None = None
    """Set when the derivative has four indices (a vec-Jacobian, or a Hessian by a matrix);
    ``expr`` then holds the differential it was read off."""
    einsum: str = ""
    """``numpy.einsum`` code for the tensor ``∂F_ij/∂X_kl`` (tensor results only)."""
    selfcheck: str = ""
    """A function comparing the generated code with central differences (tensor results)."""
    vector: VectorForms | None = None
    """For a derivative by a vector (a Jacobian, a gradient or a Hessian): the differential,
    matrix and index forms, ``vector.forms`` holding those that passed their own numerical
    check. Tensor results keep theirs in ``tensor.forms``."""

    @property
    def forms(self) -> dict[str, Form]:
        """The checked forms shown with the result, by name (none for a scalar variable)."""
        if self.tensor is not None:
            return self.tensor.forms
        return self.vector.forms if self.vector is not None else {}

    @property
    def verified(self) -> bool:
        return self.check.passed

    @property
    def status(self) -> Status:
        """``failed-check``: the result disagrees with its own numerical check, so it must
        not be shown as an answer; ``unverified``: no values were found to check it at."""
        if self.check.passed:
            return "verified"
        return "failed-check" if self.check.failed else "unverified"

    @property
    def shape(self) -> Shape:
        return self.tensor.shape if self.tensor is not None else self.expr.shape


def _rule_names(keys: list[str]) -> tuple[str, str]:
    rules = [RULES[k] for k in keys]
    return ", ".join(r.name for r in rules), r",\quad ".join(r.formula for r in rules)


def _symmetric(variables: dict[str, Variable]) -> set[str]:
    return {n for n, v in variables.items() if v.properties & {"symmetric", "spd", "diagonal"}}


class _Derivation:
    def __init__(self, parsed: Parsed, wrt: Variable) -> None:
        self.parsed = parsed
        self.wrt = wrt
        self.symmetric = _symmetric(parsed.variables)
        self.steps: list[Step] = []
        self.simplex = {
            name
            for name, v in parsed.variables.items()
            if "simplex" in v.properties and name != wrt.name
        }
        self.assumed: list[str] = []
        self.last_differential: Expr | None = None
        """The differential of the last :meth:`differential` call, as shown in the steps."""

    def finish(self, result: Expr) -> Expr:
        """``result`` simplified, with ``sum(p) = 1`` for every declared probability vector
        ``p`` (never the variable differentiated by: its sum varies along dX)."""
        result = simplify(result, self.symmetric)
        if not self.simplex:
            return result

        def visit(node: Expr) -> Expr:
            if (
                isinstance(node, Call)
                and node.function == "sum"
                and isinstance(node.arg, Symbol)
                and node.arg.name in self.simplex
            ):
                if node.arg.name not in self.assumed:
                    self.assumed.append(node.arg.name)
                return build.ONE
            return rebuild(node, visit)

        substituted = visit(result)
        if substituted == result:
            return result
        return simplify(substituted, self.symmetric)

    def differential(self, f: Expr, lhs: str) -> Expr:
        """``df`` fully expanded and simplified, recording each pass as a step."""
        passes = differential_steps(f, {self.wrt.name})
        self.steps.append(
            Step("Take the differential", rf"{lhs} = \mathrm{{d}}\left({to_latex(f)}\right)")
        )
        for expr, used in passes[1:]:
            name, formula = _rule_names(used)
            self.steps.append(Step(name, rf"{lhs} = {to_latex(expr)}", formula))
        df = passes[-1][0]
        simpler = simplify(df, self.symmetric)
        if simpler != df:
            self.steps.append(Step("Simplify", rf"{lhs} = {to_latex(simpler)}"))
        self.last_differential = simpler
        return simpler

    def gradient(self, f: Expr, lhs: str = r"\mathrm{d}f") -> Expr:
        df = self.differential(f, lhs)
        x = self.wrt
        if x.shape == (1, 1):
            return self.scalar_derivative(df, lhs)
        if build.is_zero(df):
            return zeros(x.shape)
        extractor = Extractor(x.name)
        g = self.finish(extractor.gradient(df))
        dx = r"\mathrm{d}" + latex_name(x.name)
        if isinstance(df, Sum) and len(df.terms) > 1:
            parts = [simplify(extractor.gradient(term), self.symmetric) for term in df.terms]
            if x.shape[1] == 1:
                each = " + ".join(rf"\left({to_latex(p)}\right)^{{\top}} {dx}" for p in parts)
            else:
                each = " + ".join(
                    rf"\operatorname{{tr}}\left(\left({to_latex(p)}\right)^{{\top}} {dx}\right)"
                    for p in parts
                )
            self.steps.append(
                Step(
                    "Move the differential to the right in each term",
                    rf"{lhs} = {each}",
                    r"a = a^{\top} \text{ for a scalar};\ \operatorname{tr}(AB) = \operatorname{tr}(BA)",
                )
            )
        if x.shape[1] == 1:
            canonical = rf"{lhs} = \left({to_latex(g)}\right)^{{\top}} {dx}"
            formula = r"a^{\top} = a \text{ for a scalar};\ \mathrm{d}f = g^{\top}\mathrm{d}x"
        else:
            canonical = (
                rf"{lhs} = \operatorname{{tr}}\left(\left({to_latex(g)}\right)^{{\top}} {dx}\right)"
            )
            formula = r"a = \operatorname{tr}(a);\ \operatorname{tr}(AB) = \operatorname{tr}(BA);\ \mathrm{d}f = \operatorname{tr}(G^{\top}\mathrm{d}X)"
        self.steps.append(Step("Canonical form", canonical, formula))
        return g

    def scalar_derivative(self, df: Expr, lhs: str) -> Expr:
        name = self.wrt.name
        result = self.finish(_substitute_one(df, name))
        dt = r"\mathrm{d}" + latex_name(name)
        self.steps.append(
            Step(
                "Canonical form",
                rf"{lhs} = \left({to_latex(result)}\right) {dt}",
                r"\mathrm{d}f = f'(t)\,\mathrm{d}t",
            )
        )
        return result

    def jacobian(self, f: Expr) -> Expr:
        lhs = r"\mathrm{d}f"
        df = self.differential(f, lhs)
        x = self.wrt
        if x.shape == (1, 1):
            return self.scalar_derivative(df, lhs)
        if build.is_zero(df):
            return zeros((f.shape[0], x.shape[0]))
        j = self.finish(Extractor(x.name).jacobian(df))
        dx = r"\mathrm{d}" + latex_name(x.name)
        self.steps.append(
            Step("Canonical form", rf"{lhs} = {_grouped(j)} {dx}", r"\mathrm{d}f = J\,\mathrm{d}x")
        )
        return j


def zeros(shape: Shape) -> Expr:
    """The zero array of ``shape`` (the derivative of a constant)."""
    return build.ZERO if shape == (1, 1) else Product((build.ZERO, Ones(shape)), shape)


def _grouped(expr: Expr) -> str:
    latex = to_latex(expr)
    return rf"\left({latex}\right)" if " " in latex.strip() else latex


def _substitute_one(expr: Expr, name: str) -> Expr:
    def visit(node: Expr) -> Expr:
        if isinstance(node, Differential) and node.name == name:
            return build.ONE
        return rebuild(node, visit)

    return visit(expr)


def _resolve_wrt(parsed: Parsed, wrt: str) -> Variable:
    if wrt in parsed.variables:
        return parsed.variables[wrt]
    raise ParseError(
        f"'{wrt}' does not appear in the expression; its variables are "
        f"{', '.join(parsed.variables) or 'none'}",
        None,
    )


def differentiate(
    parsed: Parsed, wrt: str, kind: Kind | None = None, layout: Layout = "numerator"
) -> Derivative:
    """Differentiate ``parsed.expr`` with respect to the variable ``wrt``."""
    try:
        return _differentiate(parsed, wrt, kind, layout)
    except RecursionError:
        # parse() bounds the depth of the input; derivatives of some deep inputs grow deeper
        raise LimitError("this expression is too deeply nested to differentiate", None) from None


def _differentiate(parsed: Parsed, wrt: str, kind: Kind | None, layout: Layout) -> Derivative:
    f = parsed.expr
    x = _resolve_wrt(parsed, wrt)
    if any(isinstance(n, Differential) for n in f.walk()):
        raise UnsupportedError("the expression already holds differentials (dx)", None)
    f_rows, f_cols = f.shape
    if kind is None:
        kind = "gradient" if f.is_scalar else "jacobian"
    x_is_matrix = x.shape[1] != 1
    if x.shape != (1, 1) and (
        (kind == "jacobian" and (x_is_matrix or f_cols != 1))
        or (kind == "hessian" and f.is_scalar and x_is_matrix)
    ):
        return _tensor_derivative(parsed, x, kind, layout)
    if f_cols != 1:
        if x.shape == (1, 1):
            raise UnsupportedError(
                f"the expression is a {format_shape(f.shape)} matrix and {wrt} a scalar: "
                "differentiate each entry, or differentiate by a vector or matrix",
                None,
            )
        raise UnsupportedError(
            f"the expression is a {format_shape(f.shape)} matrix: ask for its Jacobian "
            "(kind jacobian), the matrix ∂vec(F)/∂vec(" + wrt + ")",
            None,
        )
    notes: list[str] = []
    derivation = _Derivation(parsed, x)
    if kind == "gradient":
        if not f.is_scalar:
            raise ShapeError(
                f"the gradient is defined for a scalar function, and this one is "
                f"{format_shape(f.shape)}: ask for its Jacobian",
                None,
            )
        result = derivation.gradient(f)
        symbol = rf"\nabla_{{{latex_name(wrt)}}} f"
        derivation.steps.append(Step("Read off the gradient", rf"{symbol} = {to_latex(result)}"))
        if x.properties & {"symmetric", "spd", "diagonal"}:
            notes.append(
                f"{wrt} is declared {sorted(x.properties)[0]}, but the gradient treats its entries "
                "as independent (the usual convention for optimisation)."
            )
        if x.shape[1] == 1 and x.shape != (1, 1):
            notes.append(
                "In numerator layout ∂f/∂x is the row vector (∇f)ᵀ; the gradient shown has the "
                "shape of x."
                if layout == "numerator"
                else "In denominator layout ∂f/∂x is this column, ∇f itself, the shape of x."
            )
    elif kind == "jacobian":
        result = derivation.jacobian(f)
        if layout == "denominator":
            result = simplify(build.transpose(result), derivation.symmetric)
        shape_note = (
            "m×n: rows follow f, columns follow x"
            if layout == "numerator"
            else ("n×m: rows follow x, columns follow f")
        )
        derivation.steps.append(
            Step(
                f"Read off the Jacobian ({layout} layout)",
                rf"\frac{{\partial f}}{{\partial {latex_name(wrt)}}} = {to_latex(result)}",
                shape_note,
            )
        )
    elif kind == "hessian":
        if not f.is_scalar:
            raise UnsupportedError(
                f"the Hessian is defined for a scalar function, and this one is "
                f"{format_shape(f.shape)}: ask for its Jacobian",
                None,
            )
        gradient = derivation.gradient(f)
        derivation.steps.append(Step("Read off the gradient", rf"\nabla f = {to_latex(gradient)}"))
        if x.shape == (1, 1):
            second = _Derivation(parsed, x)
            result = second.gradient(gradient, r"\mathrm{d}(\nabla f)")
        else:
            second = _Derivation(parsed, x)
            result = second.jacobian(gradient)
        derivation.steps.extend(
            Step(s.rule + " (second differential)", s.latex, s.formula) for s in second.steps
        )
        result = derivation.finish(result)
        derivation.assumed.extend(n for n in second.assumed if n not in derivation.assumed)
        derivation.steps.append(Step("Read off the Hessian", rf"H = {to_latex(result)}"))
    else:
        raise ParseError(f"unknown kind '{kind}': use gradient, jacobian or hessian", None)
    for name in derivation.assumed:
        notes.append(
            f"Assuming sum({name}) = 1: {name} is declared a probability vector (simplex)."
        )
    if kind == "hessian":
        first = check_derivative(f, gradient, "gradient", layout, x, parsed.variables)
        second_kind = "gradient" if x.shape == (1, 1) else "jacobian"
        check = check_derivative(gradient, result, second_kind, "numerator", x, parsed.variables)
        if not first.passed:
            check = first
    else:
        check = check_derivative(f, result, kind, layout, x, parsed.variables)
    name = {"gradient": "grad_f", "jacobian": "jacobian_f", "hessian": "hessian_f"}[kind]
    code = numpy_code(
        f, result, parsed.variables, name, to_text(f), f"{kind} of f by {wrt}: {to_text(result)}"
    )
    vector = None
    if x.shape[1] == 1 and x.shape != (1, 1):
        if kind == "hessian":
            vector = _vector_forms(gradient, second, x, parsed, layout, kind)
        else:
            vector = _vector_forms(f, derivation, x, parsed, layout, kind)
    return Derivative(
        result,
        kind,
        layout,
        wrt,
        derivation.steps,
        check,
        code,
        parsed.variables,
        notes,
        vector=vector,
    )


def _vector_forms(
    function: Expr, derivation: _Derivation, x: Variable, parsed: Parsed, layout: str, kind: str
) -> VectorForms | None:
    """The forms of a derivative by a vector, read off the differential its steps end with."""
    differential = derivation.last_differential
    if differential is None or build.is_zero(differential):
        return None
    return vector_forms(
        function, differential, x, parsed.variables, derivation.symmetric, layout, kind
    )


def _tensor_derivative(parsed: Parsed, x: Variable, kind: Kind, layout: Layout) -> Derivative:
    """A vec-Jacobian (matrix by matrix, vector by matrix, matrix by vector) or the
    Hessian of a scalar by a matrix, with its three forms and their check."""
    f = parsed.expr
    derivation = _Derivation(parsed, x)
    hessian = kind == "hessian"
    notes: list[str] = []
    gradient: Expr | None = None
    if hessian:
        gradient = derivation.gradient(f)
        derivation.steps.append(Step("Read off the gradient", rf"\nabla f = {to_latex(gradient)}"))
        second = _Derivation(parsed, x)
        df = second.differential(gradient, r"\mathrm{d}(\nabla f)")
        derivation.steps.extend(
            Step(s.rule + " (second differential)", s.latex, s.formula) for s in second.steps
        )
        function = gradient
        notes.append(
            "The Hessian ∂²f/∂vec(X)∂vec(X)ᵀ is the vec-Jacobian of the gradient; it is the "
            "same matrix in both layouts."
        )
    else:
        df = derivation.differential(f, r"\mathrm{d}F")
        function = f
    tensor, steps = build_tensor(function, df, x, derivation.symmetric, layout, hessian)
    derivation.steps.extend(Step(*step) for step in steps)
    if x.properties & {"symmetric", "spd", "diagonal"}:
        notes.append(
            f"{x.name} is declared {sorted(x.properties)[0]}, but the derivative treats its "
            "entries as independent."
        )
    check = tensor.check(parsed.variables)
    if gradient is not None:
        first = check_derivative(f, gradient, "gradient", "numerator", x, parsed.variables)
        if not first.passed:
            check = first
    code = matrix_code(f, gradient, tensor, parsed.variables)
    return Derivative(
        df,
        kind,
        layout,
        x.name,
        derivation.steps,
        check,
        code,
        parsed.variables,
        notes,
        tensor=tensor,
        einsum=einsum_code(tensor, parsed.variables),
        selfcheck=selfcheck_code(f, tensor, parsed.variables),
    )


def result_shape(shape: Shape) -> list[object]:
    """The API's shape of a result: ``[]``, ``[n]`` for a column vector, else ``[m, n]``."""
    return list(shape_to_list(shape))
