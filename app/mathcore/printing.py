"""Printing typed trees: canonical LaTeX for people, plain text that parses back.

``to_text(parse(to_text(e))) == to_text(e)`` and, more strongly, parsing the text of a
tree gives the same tree; the tests check both on many inputs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from fractions import Fraction

from app.mathcore.shapes import display_dim
from app.mathcore.tree import (
    Apply,
    Call,
    Constant,
    Differential,
    Differentiate,
    Dim,
    ElementPower,
    Expr,
    Hadamard,
    Identity,
    Inverse,
    MatrixLiteral,
    Number,
    Ones,
    Power,
    Product,
    Quotient,
    Sum,
    Symbol,
    Transpose,
)

GREEK = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "varepsilon",
    "zeta",
    "eta",
    "theta",
    "vartheta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "omicron",
    "pi",
    "rho",
    "sigma",
    "tau",
    "upsilon",
    "phi",
    "varphi",
    "chi",
    "psi",
    "omega",
    "Gamma",
    "Delta",
    "Theta",
    "Lambda",
    "Xi",
    "Pi",
    "Sigma",
    "Upsilon",
    "Phi",
    "Psi",
    "Omega",
]
GREEK_SET = frozenset(GREEK)

_SUM, _PRODUCT, _NEGATION, _POWER, _POSTFIX, _ATOM = 1, 2, 3, 4, 5, 6


def _precedence(expr: Expr) -> int:
    if isinstance(expr, Sum):
        return _SUM
    if isinstance(expr, (Product, Hadamard, Quotient)):
        if isinstance(expr, Product) and _coefficient(expr) < 0:
            return _NEGATION
        return _PRODUCT
    if isinstance(expr, Number):
        if expr.value < 0:
            return _NEGATION
        return _PRODUCT if expr.value.denominator != 1 else _ATOM
    if isinstance(expr, (Power, ElementPower)):
        return _POWER
    if isinstance(expr, (Transpose, Inverse)):
        return _POSTFIX
    if isinstance(expr, Ones) and _is_row(expr):
        return _POSTFIX  # printed ones(n)^T
    return _ATOM


def _is_row(expr: Ones) -> bool:
    return display_dim(expr.dims[0]) == "1" and display_dim(expr.dims[1]) != "1"


def _is_zero_array(expr: Expr) -> bool:
    """``0 1``: the zero array of a shape, as the engine builds it."""
    return (
        isinstance(expr, Product)
        and len(expr.factors) == 2
        and isinstance(expr.factors[0], Number)
        and expr.factors[0].value == 0
        and isinstance(expr.factors[1], Ones)
    )


def _sizes(dims: tuple[Dim, Dim]) -> list[str]:
    """The sizes an all-ones array is written with: ``[n]`` (column or row), ``[m, n]``."""
    rows, cols = (display_dim(d) for d in dims)
    if cols == "1":
        return [rows]
    if rows == "1":
        return [cols]
    return [rows, cols]


def _coefficient(expr: Product) -> Fraction:
    first = expr.factors[0]
    return first.value if isinstance(first, Number) else Fraction(1)


def _split_product(expr: Product) -> tuple[Fraction, list[Expr], list[Expr]]:
    """Coefficient, numerator factors and denominator factors (scalars with negative powers)."""
    coefficient = _coefficient(expr)
    numerator: list[Expr] = []
    denominator: list[Expr] = []
    for factor in expr.factors:
        if isinstance(factor, Number):
            continue
        if (
            isinstance(factor, Power)
            and factor.is_scalar
            and isinstance(factor.exponent, Number)
            and factor.exponent.value < 0
        ):
            exponent = -factor.exponent.value
            denominator.append(
                factor.base if exponent == 1 else Power(factor.base, Number(exponent))
            )
        else:
            numerator.append(factor)
    return coefficient, numerator, denominator


_LINKED: ContextVar[bool] = ContextVar("identity_sized_by_neighbours", default=False)
"""Whether an identity printed now takes its size from a neighbour (``A + I``), so it can be
written ``I``; one that stands alone is written with its size, ``I_n``, to read back the same."""


@contextmanager
def _linked(flag: bool) -> Iterator[None]:
    token = _LINKED.set(flag)
    try:
        yield
    finally:
        _LINKED.reset(token)


def _identity_like(expr: Expr) -> bool:
    """An identity, possibly scaled: its size comes from its neighbours."""
    if isinstance(expr, Product):
        arrays = [f for f in expr.factors if not f.is_scalar]
        return len(arrays) == 1 and isinstance(arrays[0], Identity)
    return isinstance(expr, Identity)


def _links(children: tuple[Expr, ...] | list[Expr]) -> list[bool]:
    """For each child: whether an identity in it is sized by another child of the same node."""
    anchored = any(not c.is_scalar and not _identity_like(c) for c in children)
    links, seen = [], False
    for child in children:
        links.append(anchored or seen)
        seen = seen or _identity_like(child)
    return links


def _identity(expr: Identity, latex: bool) -> str:
    if _LINKED.get():
        return "I"
    size = display_dim(expr.size)
    return f"I_{{{size}}}" if latex else f"I_{size}"


def _join_sum(expr: Sum, render: Callable[[Expr], str], wrap: Callable[[Expr, int], str]) -> str:
    """``a + b - c``: a negative term is written with a minus, in either output language."""
    links = _links(expr.terms)
    with _linked(links[0]):
        parts = [render(expr.terms[0])]
    for term, link in zip(expr.terms[1:], links[1:], strict=True):
        with _linked(link):
            if isinstance(term, Product) and _coefficient(term) < 0:
                parts.append("- " + wrap(_negated(term), _PRODUCT))
            elif isinstance(term, Number) and term.value < 0:
                parts.append("- " + render(Number(-term.value)))
            else:
                parts.append("+ " + wrap(term, _SUM + 1))
    return " ".join(parts)


def _factor_links(expr: Product, outer: bool) -> dict[int, bool]:
    """Which array factors (by position) are identities sized by the product or around it."""
    arrays = [(i, f) for i, f in enumerate(expr.factors) if not f.is_scalar]
    links = _links([f for _, f in arrays])
    return {i: outer or link for (i, _), link in zip(arrays, links, strict=True)}


def _number_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    denominator = value.denominator
    while denominator % 2 == 0:
        denominator //= 2
    while denominator % 5 == 0:
        denominator //= 5
    if denominator == 1 and value.denominator not in {2, 4, 8}:
        decimal = _decimal(value)
        if sum(ch.isdigit() for ch in decimal) <= 12:
            return decimal
    return f"{value.numerator}/{value.denominator}"


def _decimal(value: Fraction) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole, rest = divmod(value.numerator, value.denominator)
    digits = ""
    while rest:
        rest *= 10
        digit, rest = divmod(rest, value.denominator)
        digits += str(digit)
    return f"{sign}{whole}.{digits}"


# --------------------------------------------------------------------------- text


def to_text(expr: Expr) -> str:
    """Plain text in the input language.

    >>> from app.mathcore.parse import parse
    >>> to_text(parse("x' A x").expr)
    'x^T A x'
    """
    return _text(expr)


def _wrap_text(expr: Expr, minimum: int) -> str:
    inner = _text(expr)
    return f"({inner})" if _precedence(expr) < minimum else inner


def _text(expr: Expr) -> str:
    if isinstance(expr, Identity):
        return _identity(expr, latex=False)
    outer = _LINKED.get()
    with _linked(False):
        if isinstance(expr, Product):
            return _product_text(expr, outer)
        if isinstance(expr, Hadamard):
            links = _links(expr.factors)
            parts = []
            for factor, link in zip(expr.factors, links, strict=True):
                with _linked(link):
                    parts.append(_wrap_text(factor, _PRODUCT + 2))
            return " .* ".join(parts)
        return _plain_text(expr)


def _plain_text(expr: Expr) -> str:
    if isinstance(expr, Number):
        return _number_text(expr.value)
    if isinstance(expr, Constant):
        return expr.name
    if isinstance(expr, Symbol):
        return expr.name
    if isinstance(expr, Differential):
        return "d" + expr.name
    if isinstance(expr, Ones):
        return _ones_text("ones", expr)
    if isinstance(expr, Sum):
        return _join_sum(expr, _text, _wrap_text)
    if isinstance(expr, Quotient):
        return f"{_wrap_text(expr.numerator, _PRODUCT)} ./ {_wrap_text(expr.denominator, _POWER)}"
    if isinstance(expr, Power):
        return f"{_wrap_text(expr.base, _ATOM)}^{_exponent_text(expr.exponent)}"
    if isinstance(expr, ElementPower):
        return f"{_wrap_text(expr.base, _ATOM)}.^{_exponent_text(expr.exponent)}"
    if isinstance(expr, Transpose):
        if isinstance(expr.arg, Inverse):
            return f"{_wrap_text(expr.arg.arg, _ATOM)}^-T"
        return f"{_wrap_text(expr.arg, _ATOM)}^T"
    if isinstance(expr, Inverse):
        return f"{_wrap_text(expr.arg, _ATOM)}^-1"
    if isinstance(expr, Apply):
        return f"{expr.function}({_text(expr.arg)})"
    if isinstance(expr, Call):
        return f"{expr.function}({_text(expr.arg)})"
    if isinstance(expr, MatrixLiteral):
        body = "; ".join(", ".join(_text(e) for e in row) for row in expr.rows)
        # a single row is [[a, b]]: a flat [a, b] is read as a column
        return f"[[{body}]]" if len(expr.rows) == 1 else f"[{body}]"
    if isinstance(expr, Differentiate):
        return f"d({_text(expr.arg)})"
    raise TypeError(f"cannot print {type(expr).__name__}")


def _ones_text(function: str, ones: Ones) -> str:
    """``ones(n)``, ``ones(n)^T``, ``ones(m, n)`` (and ``zeros(…)``): sized, so it reads back."""
    text = f"{function}({', '.join(_sizes(ones.dims))})"
    return text + "^T" if _is_row(ones) else text


def _exponent_text(exponent: Expr) -> str:
    if isinstance(exponent, Number) and exponent.value.denominator == 1 and exponent.value >= 0:
        return str(exponent.value)
    if isinstance(exponent, Symbol):
        return exponent.name
    return f"({_text(exponent)})"


def _negated(product: Product) -> Expr:
    coefficient = -_coefficient(product)
    rest = product.factors[1:] if isinstance(product.factors[0], Number) else product.factors
    if coefficient == 1:
        if len(rest) == 1:
            return rest[0]
        return Product(tuple(rest), product.dims)
    return Product((Number(coefficient), *rest), product.dims)


def _trailing_denominators(expr: Product) -> bool:
    """Whether every scalar with a negative power comes after the other factors, so that
    ``a b / c`` reads back in the same order."""
    seen_denominator = False
    for factor in expr.factors:
        negative = (
            isinstance(factor, Power)
            and factor.is_scalar
            and isinstance(factor.exponent, Number)
            and factor.exponent.value < 0
        )
        if negative:
            seen_denominator = True
        elif seen_denominator and factor.is_scalar and not isinstance(factor, Number):
            return False  # arrays always follow scalars, so only scalars change the order
    return True


def _product_text(expr: Product, outer: bool = False) -> str:
    links = _factor_links(expr, outer)
    coefficient, numerator, denominator = _split_product(expr)
    if denominator and not _trailing_denominators(expr):
        numerator = [f for f in expr.factors if not isinstance(f, Number)]
        denominator = []
    if _is_zero_array(expr):
        ones = expr.factors[1]
        assert isinstance(ones, Ones)
        return _ones_text("zeros", ones)
    if coefficient < 0:
        negated = _negated(expr)
        with _linked(outer):  # -(a ./ b): a leading minus would bind to a alone
            return "-" + _wrap_text(negated, _POWER if _minus_needs_brackets(negated) else _PRODUCT)
    numerator = _after_scalars(_regrouped(numerator), coefficient, expr.shape)
    parts: list[str] = []
    if coefficient != 1 or not numerator:
        parts.append(_number_text(coefficient))
    for factor in numerator:
        with _linked(any(link for i, link in links.items() if expr.factors[i] is factor)):
            parts.append(_factor_text(factor))
    text = " ".join(parts)
    for factor in denominator:
        text += " / " + _wrap_text(factor, _POWER)
    return text


def _chained(factor: Expr) -> bool:
    """A scalar computed from arrays, such as ``x^T y``: printed in brackets as a factor."""
    return (
        isinstance(factor, Product)
        and factor.is_scalar
        and any(not f.is_scalar for f in factor.factors)
    )


def _minus_needs_brackets(negated: Expr) -> bool:
    """``-(a ./ b)`` and ``-((x^T y) z)``: a bare minus would bind to the first operand."""
    if isinstance(negated, Quotient):
        return True
    if not isinstance(negated, Product) or len(negated.factors) < 2:
        return False
    first = next((f for f in negated.factors if not isinstance(f, Number)), None)
    return first is not None and _chained(first)


def _after_scalars(
    factors: list[Expr], coefficient: Fraction, shape: tuple[Dim, Dim]
) -> list[Expr]:
    """``alpha ((x^T y) z)``: read left to right, ``alpha (x^T y)`` would merge into one
    scalar, so the factors from the first computed scalar on are bracketed together."""
    index = next((i for i, f in enumerate(factors) if _chained(f)), None)
    if index is None or index == len(factors) - 1:
        return factors
    if index > 0 or coefficient != 1:
        return [*factors[:index], Product(tuple(factors[index:]), shape)]
    if factors[1].is_scalar and not all(f.is_scalar for f in factors):
        # (x^T y) alpha z: alpha would merge into x^T y; (x^T y) (alpha z) keeps it apart
        return [factors[0], Product(tuple(factors[1:]), shape)]
    return factors


def _regrouped(factors: list[Expr]) -> list[Expr]:
    """``a^T (b c^T)`` for the flat product ``a^T b c^T``: read left to right, ``a^T b`` would
    become one scalar factor, so the factors after the leading row are bracketed, which
    reads back flat."""
    arrays = [f for f in factors if not f.is_scalar]
    if len(arrays) < 3 or display_dim(arrays[0].shape[0]) != "1":
        return factors
    if not any(display_dim(a.shape[1]) == "1" for a in arrays[1:-1]):
        return factors
    rest = tuple(arrays[1:])
    group = Product(rest, (rest[0].shape[0], rest[-1].shape[1]))
    return [f for f in factors if f.is_scalar] + [arrays[0], group]


def _factor_text(factor: Expr) -> str:
    if isinstance(factor, Product) and factor.is_scalar:
        return f"({_text(factor)})"
    if isinstance(factor, Number):
        return _wrap_text(factor, _ATOM)
    return _wrap_text(factor, _PRODUCT + 1)


# --------------------------------------------------------------------------- LaTeX

_LATEX_FUNCTIONS = {
    "exp": r"\exp",
    "log": r"\log",
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "tanh": r"\tanh",
    "sigmoid": r"\sigma",
    "relu": r"\operatorname{relu}",
    "softplus": r"\operatorname{softplus}",
    "sign": r"\operatorname{sign}",
    "step": r"\operatorname{step}",
    "tr": r"\operatorname{tr}",
    "det": r"\det",
    "logdet": r"\operatorname{logdet}",  # \log\det reads back as log(det(…))
    "sum": r"\operatorname{sum}",
    "softmax": r"\operatorname{softmax}",
    "logsumexp": r"\operatorname{logsumexp}",
    "diag": r"\operatorname{diag}",
}

_NAME_PARTS = re.compile(r"^([A-Za-z]+?)(_?)([0-9]*)(?:_(.*))?$")


def latex_name(name: str) -> str:
    """``alpha`` -> ``\\alpha``, ``W_2`` -> ``W_{2}``, ``x1`` -> ``x_{1}``, ``loss`` -> ``\\mathrm{loss}``."""
    head, _, rest = name.partition("_")
    match = re.fullmatch(r"([A-Za-z]+)([0-9]*)", head)
    if match is None:
        return name
    letters, digits = match.groups()
    if letters in GREEK_SET:
        base = "\\" + letters
    elif len(letters) == 1:
        base = letters
    else:
        base = rf"\mathrm{{{letters}}}"
    subscript = ",".join(part for part in (digits, rest.replace("_", ",")) if part)
    if subscript:
        return f"{base}_{{{latex_name(subscript) if subscript.isalpha() else subscript}}}"
    return base


def to_latex(expr: Expr) -> str:
    r"""Canonical LaTeX for KaTeX.

    >>> from app.mathcore.parse import parse
    >>> to_latex(parse("x^T A x").expr)
    'x^{\\top} A x'
    """
    return _latex(expr)


def _wrap_latex(expr: Expr, minimum: int) -> str:
    inner = _latex(expr)
    return rf"\left({inner}\right)" if _precedence(expr) < minimum else inner


def _number_latex(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    text = _number_text(value)
    if "/" not in text:
        return text
    sign = "-" if value < 0 else ""
    return rf"{sign}\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def _latex(expr: Expr) -> str:
    if isinstance(expr, Identity):
        return _identity(expr, latex=True)
    outer = _LINKED.get()
    with _linked(False):
        if isinstance(expr, Product):
            return _product_latex(expr, outer)
        if isinstance(expr, Hadamard):
            parts = []
            for factor, link in zip(expr.factors, _links(expr.factors), strict=True):
                with _linked(link):
                    parts.append(_wrap_latex(factor, _PRODUCT + 2))
            return r" \odot ".join(parts)
        return _plain_latex(expr)


def _plain_latex(expr: Expr) -> str:
    if isinstance(expr, Number):
        return _number_latex(expr.value)
    if isinstance(expr, Constant):
        return r"\pi" if expr.name == "pi" else "e"
    if isinstance(expr, Symbol):
        return latex_name(expr.name)
    if isinstance(expr, Differential):
        return r"\mathrm{d}" + latex_name(expr.name)
    if isinstance(expr, Ones):
        return _ones_latex("1", expr)
    if isinstance(expr, Sum):
        return _join_sum(expr, _latex, _wrap_latex)
    if isinstance(expr, Quotient):
        return rf"{_wrap_latex(expr.numerator, _PRODUCT + 1)} \oslash {_wrap_latex(expr.denominator, _POWER)}"
    if isinstance(expr, Power):
        return f"{_base_latex(expr.base)}^{{{_latex(expr.exponent)}}}"
    if isinstance(expr, ElementPower):
        return rf"{_base_latex(expr.base)}^{{\circ {_latex(expr.exponent)}}}"
    if isinstance(expr, Transpose):
        if isinstance(expr.arg, Inverse):
            return rf"{_base_latex(expr.arg.arg)}^{{-\top}}"
        return rf"{_base_latex(expr.arg)}^{{\top}}"
    if isinstance(expr, Inverse):
        return f"{_base_latex(expr.arg)}^{{-1}}"
    if isinstance(expr, Apply):
        if expr.function == "sqrt":
            return rf"\sqrt{{{_latex(expr.arg)}}}"
        if expr.function == "abs":
            return rf"\left|{_latex(expr.arg)}\right|"
        return rf"{_LATEX_FUNCTIONS[expr.function]}\left({_latex(expr.arg)}\right)"
    if isinstance(expr, Call):
        if expr.function == "norm":
            index = "_F" if not (expr.arg.shape[1] == 1 or expr.arg.shape[0] == 1) else ""
            return rf"\left\lVert {_latex(expr.arg)} \right\rVert{index}"
        return rf"{_LATEX_FUNCTIONS[expr.function]}\left({_latex(expr.arg)}\right)"
    if isinstance(expr, MatrixLiteral):
        body = r" \\ ".join(" & ".join(_latex(e) for e in row) for row in expr.rows)
        return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"
    if isinstance(expr, Differentiate):
        return rf"\mathrm{{d}}\left({_latex(expr.arg)}\right)"
    raise TypeError(f"cannot print {type(expr).__name__}")


def _ones_latex(digit: str, ones: Ones) -> str:
    r"""``\mathbf{1}_{n}``, ``\mathbf{1}_{n}^{\top}``, ``\mathbf{1}_{m \times n}`` (and ``\mathbf{0}``)."""
    sizes = " \\times ".join(_sizes(ones.dims))
    latex = rf"\mathbf{{{digit}}}_{{{sizes}}}"
    return latex + r"^{\top}" if _is_row(ones) else latex


def _base_latex(base: Expr) -> str:
    if isinstance(base, (Apply, Call)) and not (isinstance(base, Call) and base.function == "norm"):
        return rf"\left({_latex(base)}\right)"
    if isinstance(base, (Symbol, Differential)) and "_" in _latex(base):
        return "{" + _latex(base) + "}"
    return _wrap_latex(base, _ATOM)


def _product_latex(expr: Product, outer: bool = False) -> str:
    links = _factor_links(expr, outer)
    coefficient, numerator, denominator = _split_product(expr)
    if denominator and not _trailing_denominators(expr):
        # a fraction would move the denominators after the other factors: keep the order
        numerator = [f for f in expr.factors if not isinstance(f, Number)]
        denominator = []
    if _is_zero_array(expr):
        ones = expr.factors[1]
        assert isinstance(ones, Ones)
        return _ones_latex("0", ones)
    if coefficient < 0:
        negated = _negated(expr)
        with _linked(outer):
            return "-" + _wrap_latex(
                negated, _POWER if _minus_needs_brackets(negated) else _PRODUCT
            )
    numerator = _after_scalars(_regrouped(numerator), coefficient, expr.shape)
    top_factors = []
    for factor in numerator:
        with _linked(any(link for i, link in links.items() if expr.factors[i] is factor)):
            top_factors.append(_factor_latex(factor))
    top_factors = _apart_from_sigma(top_factors)
    if denominator:
        top = " ".join(top_factors) or "1"
        bottom = " ".join(_apart_from_sigma([_factor_latex(f) for f in denominator]))
        if coefficient.denominator != 1:
            bottom = f"{coefficient.denominator} {bottom}"
        if coefficient.numerator != 1:
            top = f"{coefficient.numerator} {top}" if top_factors else str(coefficient.numerator)
        return rf"\frac{{{top}}}{{{bottom}}}"
    parts = ([] if coefficient == 1 else [_number_latex(coefficient)]) + top_factors
    return " ".join(parts) if parts else "1"


def _apart_from_sigma(factors: list[str]) -> list[str]:
    r"""``\sigma \cdot \left(x + y\right)``: the scalar σ times a bracket, which without the dot
    would read as the sigmoid ``\sigma\left(x + y\right)``."""
    out = list(factors)
    for index in range(1, len(out)):
        before = out[index - 1]
        if (before == r"\sigma" or before.endswith(r" \sigma")) and out[index].startswith(
            r"\left("
        ):
            out[index] = r"\cdot " + out[index]
    return out


def _factor_latex(factor: Expr) -> str:
    if isinstance(factor, Product) and factor.is_scalar:
        return rf"\left({_latex(factor)}\right)"
    return _wrap_latex(factor, _PRODUCT + 1)
