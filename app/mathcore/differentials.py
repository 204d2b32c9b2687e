"""The differential of an expression, one rule at a time.

``df`` starts as ``d(f)``. Each pass rewrites every outermost ``d(…)`` with the rule
for its argument (product rule, transpose rule, …) and records which rules it used,
so a learner sees the derivation unfold:

    d(x^T A x) = d(x^T) A x + x^T A dx        (product rule)
               = (dx)^T A x + x^T A dx        (transpose rule)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.mathcore import build
from app.mathcore.errors import LimitError, UnsupportedError
from app.mathcore.tree import (
    SCALAR,
    Apply,
    Call,
    Differential,
    Differentiate,
    ElementPower,
    Expr,
    Hadamard,
    Inverse,
    MatrixLiteral,
    Number,
    Ones,
    Power,
    Product,
    Quotient,
    Shape,
    Sum,
    Symbol,
    Transpose,
    depends_on,
)

MAX_PASSES = 60
MAX_MATRIX_POWER_TERMS = 12


@dataclass(frozen=True)
class Rule:
    name: str
    formula: str
    """The rule in LaTeX, as a learner would find it in a table."""


RULES = {
    "sum": Rule(
        "Linearity",
        r"\mathrm{d}(X + Y) = \mathrm{d}X + \mathrm{d}Y,\ \mathrm{d}(aX) = a\,\mathrm{d}X",
    ),
    "product": Rule("Product rule", r"\mathrm{d}(XY) = \mathrm{d}X\,Y + X\,\mathrm{d}Y"),
    "hadamard": Rule(
        "Product rule (elementwise)",
        r"\mathrm{d}(X \odot Y) = \mathrm{d}X \odot Y + X \odot \mathrm{d}Y",
    ),
    "quotient": Rule(
        "Quotient rule (elementwise)",
        r"\mathrm{d}(X \oslash Y) = \mathrm{d}X \oslash Y - (X \odot \mathrm{d}Y) \oslash (Y \odot Y)",
    ),
    "transpose": Rule("Transpose rule", r"\mathrm{d}(X^{\top}) = (\mathrm{d}X)^{\top}"),
    "inverse": Rule("Inverse rule", r"\mathrm{d}(X^{-1}) = -X^{-1}\,\mathrm{d}X\,X^{-1}"),
    "power": Rule("Power rule", r"\mathrm{d}(u^{a}) = a\,u^{a-1}\,\mathrm{d}u"),
    "matrix_power": Rule(
        "Matrix power rule", r"\mathrm{d}(X^{k}) = \sum_{i=0}^{k-1} X^{i}\,\mathrm{d}X\,X^{k-1-i}"
    ),
    "chain": Rule("Chain rule (elementwise)", r"\mathrm{d}f(X) = f'(X) \odot \mathrm{d}X"),
    "trace": Rule("Trace rule", r"\mathrm{d}\operatorname{tr}X = \operatorname{tr}\mathrm{d}X"),
    "det": Rule(
        "Determinant rule", r"\mathrm{d}\det X = \det X \operatorname{tr}(X^{-1}\mathrm{d}X)"
    ),
    "logdet": Rule(
        "Log-determinant rule", r"\mathrm{d}\log\det X = \operatorname{tr}(X^{-1}\mathrm{d}X)"
    ),
    "sum_entries": Rule(
        "Sum of entries", r"\mathrm{d}\operatorname{sum}(X) = \operatorname{sum}(\mathrm{d}X)"
    ),
    "norm": Rule(
        "Norm rule",
        r"\mathrm{d}\lVert X\rVert = \frac{\operatorname{tr}(X^{\top}\mathrm{d}X)}{\lVert X\rVert}",
    ),
    "softmax": Rule(
        "Softmax rule", r"\mathrm{d}\,s(z) = (\operatorname{diag}(s) - s s^{\top})\,\mathrm{d}z"
    ),
    "logsumexp": Rule(
        "Log-sum-exp rule",
        r"\mathrm{d}\operatorname{logsumexp}(z) = \operatorname{softmax}(z)^{\top}\mathrm{d}z",
    ),
    "diag": Rule(
        "Diagonal rule", r"\mathrm{d}\operatorname{diag}(X) = \operatorname{diag}(\mathrm{d}X)"
    ),
    "literal": Rule("Entry by entry", r"\mathrm{d}[a_{ij}] = [\mathrm{d}a_{ij}]"),
}


def spread(term: Expr, shape: Shape) -> Expr:
    """``term`` broadcast to ``shape``: a scalar ``s`` becomes ``s 1``, an array stays."""
    if term.is_scalar and shape != SCALAR:
        return build.multiply(term, Ones(shape))
    return term


def explicit(node: Expr) -> Expr:
    """``node`` with a scalar broadcast over an array written ``s 1`` (at the top only).

    A sum such as ``W x - logsumexp(W x)`` holds a scalar among vectors; inside a product
    (``y^T (W x - s)``) or a Jacobian that scalar must stay a vector, or ``y^T s`` would be
    read as a row. Writing it ``s 1`` keeps every term of an array sum an array.
    """
    if isinstance(node, Sum) and node.shape != SCALAR and any(t.is_scalar for t in node.terms):
        return build.add(*(spread(t, node.shape) for t in node.terms))
    if isinstance(node, Quotient) and node.numerator.is_scalar and node.shape != SCALAR:
        return build.quotient(spread(node.numerator, node.shape), node.denominator)
    return node


def add(*terms: Expr) -> Expr:
    """:func:`build.add` with every broadcast scalar written ``s 1``."""
    return explicit(build.add(*terms))


def subtract(a: Expr, b: Expr) -> Expr:
    return add(a, build.negate(b))


def quotient(numerator: Expr, denominator: Expr) -> Expr:
    """:func:`build.quotient` with a scalar numerator over an array written ``s 1``."""
    return explicit(build.quotient(numerator, denominator))


def make_explicit(expr: Expr) -> Expr:
    """Every broadcast scalar of ``expr`` written ``s 1``: the form the engine works on."""

    def visit(node: Expr) -> Expr:
        return rebuild(node, visit)

    return visit(expr)


def zero_like(expr: Expr) -> Expr:
    """A zero of the shape of ``expr``."""
    if expr.is_scalar:
        return build.ZERO
    return Product((build.ZERO, Ones(expr.shape)), expr.shape)


class Differentiator:
    """Differentiates with respect to the variables in ``wrt`` (the others are constants)."""

    def __init__(self, wrt: set[str]) -> None:
        self.wrt = wrt

    def depends(self, expr: Expr) -> bool:
        return any(depends_on(expr, name) for name in self.wrt)

    def d(self, expr: Expr) -> Expr:
        """``d(expr)`` as a node to expand later, or its value when that is immediate."""
        if not self.depends(expr):
            return zero_like(expr)
        if isinstance(expr, Symbol):
            return Differential(expr.name, expr.dims)
        return Differentiate(expr)

    def expand(self, root: Expr) -> tuple[Expr, list[str]]:
        """Rewrite every outermost ``d(…)`` in ``root`` once; return the rules used."""
        used: list[str] = []

        def visit(node: Expr) -> Expr:
            if isinstance(node, Differentiate):
                result, rule = self.rule(node.arg)
                if rule not in used:
                    used.append(rule)
                return result
            return rebuild(node, visit)

        return visit(root), used

    def rule(self, e: Expr) -> tuple[Expr, str]:
        d = self.d
        if isinstance(e, Sum):
            return add(*(d(t) for t in e.terms)), "sum"
        if isinstance(e, Product):
            terms = []
            for i, factor in enumerate(e.factors):
                if self.depends(factor):
                    factors = list(e.factors)
                    factors[i] = d(factor)
                    terms.append(build.multiply(*factors))
            # one varying factor: constants factor out (linearity); several: product rule
            return add(*terms), "product" if len(terms) > 1 else "sum"
        if isinstance(e, Transpose):
            return build.transpose(d(e.arg)), "transpose"
        if isinstance(e, Inverse):
            inv = build.inverse(e.arg)
            return build.negate(build.multiply(inv, d(e.arg), inv)), "inverse"
        if isinstance(e, Power):
            return self._power(e)
        if isinstance(e, Hadamard):
            terms = []
            for i, factor in enumerate(e.factors):
                if self.depends(factor):
                    factors = list(e.factors)
                    factors[i] = d(factor)
                    terms.append(build.hadamard(*factors))
            return add(*terms), "hadamard"
        if isinstance(e, Quotient):
            top, bottom = e.numerator, e.denominator
            first = quotient(d(top), bottom) if self.depends(top) else zero_like(e)
            second = (
                quotient(build.hadamard(top, d(bottom)), build.hadamard(bottom, bottom))
                if self.depends(bottom)
                else zero_like(e)
            )
            return subtract(first, second), "quotient"
        if isinstance(e, ElementPower):
            if self.depends(e.exponent):
                raise UnsupportedError("a variable in an elementwise exponent is not supported")
            lowered = build.element_power(e.base, add(e.exponent, build.number(-1)))
            return build.hadamard(build.multiply(e.exponent, lowered), d(e.base)), "power"
        if isinstance(e, Apply) and e.function == "log" and (shortcut := _log_shortcut(e.arg)):
            inner, factor = shortcut
            return build.hadamard(factor, d(inner)), "chain"
        if isinstance(e, Apply) and e.function == "log":
            if e.arg.is_scalar:
                return build.multiply(build.power(e.arg, build.number(-1)), d(e.arg)), "chain"
            return quotient(d(e.arg), e.arg), "chain"
        if isinstance(e, Apply):
            return build.hadamard(derivative_of(e.function, e.arg), d(e.arg)), "chain"
        if isinstance(e, Call):
            return self._call(e)
        if isinstance(e, MatrixLiteral):
            rows = [[d(entry) for entry in row] for row in e.rows]
            return MatrixLiteral(tuple(tuple(r) for r in rows)), "literal"
        raise UnsupportedError(f"cannot differentiate {type(e).__name__}")

    def _power(self, e: Power) -> tuple[Expr, str]:
        base, exponent = e.base, e.exponent
        if not base.is_scalar:
            assert isinstance(exponent, Number)  # build.power admits only integer matrix powers
            k = int(exponent.value)
            if k > MAX_MATRIX_POWER_TERMS:
                raise LimitError(
                    f"differentiating a matrix power above {MAX_MATRIX_POWER_TERMS} is not supported"
                )
            terms = [
                build.multiply(
                    build.power(base, build.number(i)),
                    self.d(base),
                    build.power(base, build.number(k - 1 - i)),
                )
                for i in range(k)
            ]
            return add(*terms), "matrix_power"
        if not self.depends(exponent):
            lowered = build.power(base, add(exponent, build.number(-1)))
            return build.multiply(exponent, lowered, self.d(base)), "power"
        # a^b = exp(b log a): d(a^b) = a^b (log(a) db + b/a da)
        log_base = build.apply("log", base)
        inner = add(
            build.multiply(log_base, self.d(exponent)),
            build.multiply(exponent, build.power(base, build.number(-1)), self.d(base)),
        )
        return build.multiply(e, inner), "power"

    def _call(self, e: Call) -> tuple[Expr, str]:
        x, d = e.arg, self.d
        name = e.function
        if name == "tr":
            return build.call("tr", d(x)), "trace"
        if name == "det":
            return build.multiply(
                e, build.call("tr", build.multiply(build.inverse(x), d(x)))
            ), "det"
        if name == "logdet":
            return build.call("tr", build.multiply(build.inverse(x), d(x))), "logdet"
        if name == "sum":
            return build.call("sum", d(x)), "sum_entries"
        if name == "norm":
            inner = (
                build.multiply(build.transpose(x), d(x))
                if x.shape[1] == 1
                else build.call("tr", build.multiply(build.transpose(x), d(x)))
            )
            return build.divide(inner, e), "norm"
        if name == "softmax":
            s = e
            jacobian = subtract(build.call("diag", s), build.multiply(s, build.transpose(s)))
            return build.multiply(jacobian, d(x)), "softmax"
        if name == "logsumexp":
            return build.multiply(build.transpose(build.call("softmax", x)), d(x)), "logsumexp"
        if name == "diag":
            return build.call("diag", d(x)), "diag"
        raise UnsupportedError(f"cannot differentiate {name}")


def _log_shortcut(arg: Expr) -> tuple[Expr, Expr] | None:
    """Logistic-loss patterns, differentiated in one step so results stay readable:
    d log(1 + e^u) = σ(u) ⊙ du, d log σ(u) = (1 - σ(u)) ⊙ du, d log(1 - σ(u)) = -σ(u) ⊙ du."""
    one = build.ONE
    if isinstance(arg, Apply) and arg.function == "sigmoid":
        return arg.arg, subtract(one, arg)
    ones = [t for t in arg.terms if t == one or isinstance(t, Ones)] if isinstance(arg, Sum) else []
    if isinstance(arg, Sum) and len(arg.terms) == 2 and ones:
        other = arg.terms[1] if arg.terms[0] == ones[0] else arg.terms[0]
        if isinstance(other, Apply) and other.function == "exp":
            return other.arg, build.apply("sigmoid", other.arg)
        if isinstance(other, Product) and other.factors[0] == build.number(-1):
            negated = build.negate(other)
            if isinstance(negated, Apply) and negated.function == "sigmoid":
                return negated.arg, build.negate(negated)
    return None


def derivative_of(function: str, u: Expr) -> Expr:
    """``f'(u)`` for the elementwise scalar functions, as an expression in ``u``."""
    one = build.ONE
    if function == "exp":
        return build.apply("exp", u)
    if function == "log":
        return quotient(one, u) if not u.is_scalar else build.power(u, build.number(-1))
    if function == "sin":
        return build.apply("cos", u)
    if function == "cos":
        return build.negate(build.apply("sin", u))
    if function == "tan":
        return add(one, build.element_power(build.apply("tan", u), build.number(2)))
    if function == "tanh":
        return subtract(one, build.element_power(build.apply("tanh", u), build.number(2)))
    if function == "sqrt":
        return quotient(build.number(1), build.multiply(build.number(2), build.apply("sqrt", u)))
    if function == "abs":
        return build.apply("sign", u)
    if function in {"sign", "step"}:
        return zero_like(u)
    if function == "sigmoid":
        s = build.apply("sigmoid", u)
        return build.hadamard(s, subtract(one, s))
    if function == "relu":
        return build.apply("step", u)
    if function == "softplus":
        return build.apply("sigmoid", u)
    raise UnsupportedError(f"cannot differentiate {function}")


def rebuild(node: Expr, visit: Callable[[Expr], Expr]) -> Expr:
    """``node`` with ``visit`` applied to each child, rebuilt through the checked constructors."""
    if not node.children():
        return node
    if isinstance(node, Sum):
        return add(*(visit(t) for t in node.terms))
    if isinstance(node, Product):
        return build.multiply(*(visit(f) for f in node.factors))
    if isinstance(node, Hadamard):
        return build.hadamard(*(visit(f) for f in node.factors))
    if isinstance(node, Transpose):
        return build.transpose(visit(node.arg))
    if isinstance(node, Inverse):
        return build.inverse(visit(node.arg))
    if isinstance(node, Power):
        return build.power(visit(node.base), visit(node.exponent))
    if isinstance(node, Quotient):
        return quotient(visit(node.numerator), visit(node.denominator))
    if isinstance(node, ElementPower):
        return build.element_power(visit(node.base), visit(node.exponent))
    if isinstance(node, Apply):
        return build.apply(node.function, visit(node.arg))
    if isinstance(node, Call):
        return build.call(node.function, visit(node.arg))
    if isinstance(node, MatrixLiteral):
        return MatrixLiteral(tuple(tuple(visit(e) for e in row) for row in node.rows))
    if isinstance(node, Differentiate):
        return Differentiate(visit(node.arg))
    raise TypeError(f"cannot rebuild {type(node).__name__}")


def differential_steps(expr: Expr, wrt: set[str]) -> list[tuple[Expr, list[str]]]:
    """The passes from ``d(expr)`` to an expression with only ``dX`` leaves."""
    differentiator = Differentiator(wrt)
    current = differentiator.d(make_explicit(expr))
    passes: list[tuple[Expr, list[str]]] = [(current, [])]
    for _ in range(MAX_PASSES):
        if not any(isinstance(n, Differentiate) for n in current.walk()):
            return passes
        current, used = differentiator.expand(current)
        passes.append((current, used))
    raise LimitError("this expression needs too many differentiation steps")
