"""Constructors for typed nodes: each checks shapes and keeps the tree in a light normal form.

The normal form is what makes "print, then parse again" return the same tree: nested
sums and products are flattened, numeric factors are multiplied together and put first,
scalar factors stand before array factors, and double transposes cancel. Heavier
rewriting (collecting like terms, factoring) lives in :mod:`app.mathcore.simplify`.

Shape mismatches raise :class:`ShapeConflict`; the reader of learner input turns them
into messages that name the operator (:mod:`app.mathcore.elaborate`).
"""

from __future__ import annotations

from fractions import Fraction

from app.mathcore.errors import LimitError
from app.mathcore.shapes import ShapeConflict, dims_equal, is_one, shape_is_scalar, unify
from app.mathcore.tree import (
    SCALAR,
    Apply,
    Call,
    Constant,
    Differentiate,
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
    Shape,
    Sum,
    Transpose,
)

MAX_FOLDED_EXPONENT = 1000
MAX_FOLDED_DIGITS = 15
"""A folded number must still print as a literal the parser accepts."""
MAX_MATRIX_POWER = 64

ZERO = Number(Fraction(0))
ONE = Number(Fraction(1))


def number(value: int | Fraction) -> Number:
    return Number(Fraction(value))


def scalar(expr: Expr) -> bool:
    return shape_is_scalar(expr.shape)


def is_number(expr: Expr, value: int | Fraction | None = None) -> bool:
    return isinstance(expr, Number) and (value is None or expr.value == value)


def is_zero(expr: Expr) -> bool:
    """A literal zero, or a product with a zero coefficient (a zero array)."""
    if isinstance(expr, Product):
        return is_number(expr.factors[0], 0)
    return is_number(expr, 0)


def _unify_shapes(a: Shape, b: Shape) -> None:
    unify(a[0], b[0])
    unify(a[1], b[1])


def add(*terms: Expr) -> Expr:
    """``a + b + …``. Scalars broadcast over arrays; zeros vanish."""
    flat: list[Expr] = []
    for term in terms:
        flat.extend(term.terms if isinstance(term, Sum) else (term,))
    shape: Shape = SCALAR
    for term in flat:
        if scalar(term):
            continue
        if shape_is_scalar(shape):
            shape = term.shape
        else:
            _unify_shapes(shape, term.shape)
    numbers = [term for term in flat if isinstance(term, Number)]
    if len(numbers) > 1:
        total = Number(sum((n.value for n in numbers), Fraction(0)))
        flat = [term for term in flat if not isinstance(term, Number)] + [total]
    kept = [term for term in flat if not is_zero(term)]
    if not kept:
        return next((term for term in flat if not scalar(term)), ZERO)
    if not shape_is_scalar(shape) and all(scalar(term) for term in kept):
        # only the broadcast scalars are left: keep the array shape, s + 0 = s 1
        broadcast = kept[0] if len(kept) == 1 else Sum(tuple(kept), SCALAR)
        return multiply(broadcast, Ones(shape))
    if len(kept) == 1 and (not scalar(kept[0]) or shape_is_scalar(shape)):
        return kept[0]
    return Sum(tuple(kept), shape)


def _contains_arrays(product: Expr) -> bool:
    return isinstance(product, Product) and any(not scalar(f) for f in product.factors)


def multiply(*factors: Expr) -> Expr:
    """The product of scalars (in any order) and arrays (as matrices, in order).

    A factor whose value is a scalar computed from arrays, such as ``x^T x``, stays one
    factor when other arrays are present, so ``(x^T x) y`` scales ``y``.
    """
    coefficient = Fraction(1)
    scalars: list[Expr] = []
    arrays: list[Expr] = []
    for factor in factors:
        parts = factor.factors if isinstance(factor, Product) else (factor,)
        if isinstance(factor, Product) and scalar(factor) and _contains_arrays(factor):
            parts = (factor,)
        for part in parts:
            if isinstance(part, Number):
                coefficient *= part.value
            elif scalar(part):
                scalars.append(part)
            else:
                arrays.append(part)
    chained = [s for s in scalars if _contains_arrays(s)]
    if not arrays and len(chained) == 1:
        # a lone scalar such as x^T A x may join the scalars around it: -x^T A x
        # its scalars take its place, so the order of the scalars is the order written
        inner = chained[0]
        assert isinstance(inner, Product)
        at = scalars.index(inner)
        inner_scalars: list[Expr] = []
        for part in inner.factors:
            if isinstance(part, Number):
                coefficient *= part.value
            elif scalar(part):
                inner_scalars.append(part)
            else:
                arrays.append(part)
        scalars[at : at + 1] = inner_scalars
    shape = _chain_shape(arrays)
    if coefficient == 0:
        return ZERO if shape_is_scalar(shape) else Product((ZERO, *arrays), shape)
    out: list[Expr] = ([] if coefficient == 1 else [Number(coefficient)]) + scalars + arrays
    if not out:
        return ONE
    if len(out) == 1:
        return out[0]
    return Product(tuple(out), shape)


def _chain_shape(arrays: list[Expr]) -> Shape:
    if not arrays:
        return SCALAR
    rows, cols = arrays[0].shape
    for factor in arrays[1:]:
        if is_one(rows) and is_one(cols):
            rows, cols = factor.shape
            continue
        unify(cols, factor.shape[0])
        cols = factor.shape[1]
    return (rows, cols)


def negate(expr: Expr) -> Expr:
    return multiply(number(-1), expr)


def subtract(a: Expr, b: Expr) -> Expr:
    return add(a, negate(b))


def divide(numerator: Expr, denominator: Expr) -> Expr:
    """``a / b`` for a scalar ``b`` (elementwise division is :func:`quotient`)."""
    if not scalar(denominator):
        raise ShapeConflict
    if isinstance(denominator, Number):
        if denominator.value == 0:
            raise LimitError("division by zero")
        return multiply(Number(1 / denominator.value), numerator)
    if isinstance(denominator, Product) and not _contains_arrays(denominator):
        # a / (b c) is a b^-1 c^-1, the product \frac{a}{b c} is printed from
        return multiply(numerator, *(power(f, number(-1)) for f in denominator.factors))
    if isinstance(denominator, Product) and isinstance(denominator.factors[0], Number):
        # a / (3 x^T x) is 1/3 a / (x^T x), as it is printed back
        coefficient, *rest = denominator.factors
        return divide(divide(numerator, coefficient), multiply(*rest))
    return multiply(numerator, power(denominator, number(-1)))


def power(base: Expr, exponent: Expr) -> Expr:
    """``base ^ exponent``: scalar powers, or integer powers of a square matrix."""
    if not scalar(exponent):
        raise ShapeConflict
    if isinstance(base, Constant) and base.name == "e":
        return apply("exp", exponent)
    if scalar(base):
        if is_number(exponent, 1):
            return base
        if is_number(exponent, 0):
            return ONE
        if isinstance(base, Number) and isinstance(exponent, Number):
            folded = _fold_power(base.value, exponent.value)
            if folded is not None:
                return folded
        if (
            isinstance(base, Product)
            and not _contains_arrays(base)
            and isinstance(exponent, Number)
            and exponent.value.denominator == 1
        ):
            # (a b)^k = a^k b^k for scalars: one form for a / (a b) and a^-1 b^-1
            return multiply(*(power(f, exponent) for f in base.factors))
        if (
            isinstance(base, Power)
            and isinstance(base.exponent, Number)
            and isinstance(exponent, Number)
            and exponent.value.denominator == 1
        ):
            return power(base.base, Number(base.exponent.value * exponent.value))
        return Power(base, exponent)
    unify(base.shape[0], base.shape[1])
    if not (isinstance(exponent, Number) and exponent.value.denominator == 1):
        raise ShapeConflict
    k = int(exponent.value)
    if abs(k) > MAX_MATRIX_POWER:
        raise LimitError(f"matrix powers are limited to ±{MAX_MATRIX_POWER}")
    if k == 1:
        return base
    if k == 0:
        return Identity(base.shape[0])
    if k == -1:
        return inverse(base)
    if k < 0:
        return inverse(power(base, number(-k)))
    return Power(base, exponent)


def _fold_power(base: Fraction, exponent: Fraction) -> Number | None:
    if exponent.denominator != 1:
        return None
    k = int(exponent)
    if abs(k) > MAX_FOLDED_EXPONENT:
        raise LimitError(f"exponents of numbers are limited to ±{MAX_FOLDED_EXPONENT}")
    if base == 0 and k < 0:
        raise LimitError("division by zero")
    size = max(abs(base.numerator), abs(base.denominator), 2)
    if abs(k) * len(str(size)) > MAX_FOLDED_DIGITS:
        return None  # kept as a power: its digits would not fit in a literal
    return Number(base**k)


def transpose(expr: Expr) -> Expr:
    if scalar(expr):
        return expr
    if isinstance(expr, Transpose):
        return expr.arg
    if isinstance(expr, Identity):
        return expr
    if isinstance(expr, Ones):
        return Ones((expr.shape[1], expr.shape[0]))
    if is_zero(expr) and all(isinstance(f, (Number, Ones)) for f in expr.children()):
        assert isinstance(expr, Product)
        return multiply(*(transpose(f) for f in expr.factors))
    return Transpose(expr)


def inverse(expr: Expr) -> Expr:
    if scalar(expr):
        return power(expr, number(-1))
    unify(expr.shape[0], expr.shape[1])
    if isinstance(expr, Inverse):
        return expr.arg
    if isinstance(expr, Identity):
        return expr
    return Inverse(expr)


def hadamard(*factors: Expr) -> Expr:
    """The elementwise product; scalar factors (and coefficients) move outside."""
    scalars: list[Expr] = []
    arrays: list[Expr] = []
    for factor in factors:
        if scalar(factor):
            scalars.append(factor)
            continue
        if isinstance(factor, Product):
            outside = [f for f in factor.factors if scalar(f)]
            if outside:
                scalars.extend(outside)
                factor = multiply(*(f for f in factor.factors if not scalar(f)))
        arrays.extend(factor.factors if isinstance(factor, Hadamard) else (factor,))
    for other in arrays[1:]:
        _unify_shapes(arrays[0].shape, other.shape)
    if len(arrays) <= 1:
        return multiply(*scalars, *arrays)
    return multiply(*scalars, Hadamard(tuple(arrays)))


def quotient(numerator: Expr, denominator: Expr) -> Expr:
    """Elementwise division ``a ./ b``."""
    if scalar(denominator):
        return divide(numerator, denominator)
    if not scalar(numerator):
        _unify_shapes(numerator.shape, denominator.shape)
    return Quotient(numerator, denominator)


def element_power(base: Expr, exponent: Expr) -> Expr:
    if not scalar(exponent):
        raise ShapeConflict
    if scalar(base):
        return power(base, exponent)
    if is_number(exponent, 1):
        return base
    return ElementPower(base, exponent)


def apply(function: str, arg: Expr) -> Expr:
    if function == "exp" and isinstance(arg, Number) and arg.value == 0:
        return ONE
    if function == "log" and isinstance(arg, Constant) and arg.name == "e":
        return ONE
    return Apply(function, arg)


def call(function: str, arg: Expr) -> Expr:
    """A function of a whole array, with its shape rule."""
    rows, cols = arg.shape
    if function in {"tr", "det", "logdet"}:
        unify(rows, cols)
        if scalar(arg):
            if function == "logdet":
                return apply("log", arg)
            return arg
        return Call(function, arg, SCALAR)
    if function in {"sum", "norm"}:
        if function == "norm" and scalar(arg):
            return apply("abs", arg)
        return Call(function, arg, SCALAR)
    if function in {"softmax", "logsumexp"}:
        if not is_one(cols):
            raise ShapeConflict
        return Call(function, arg, arg.shape if function == "softmax" else SCALAR)
    if function == "diag":
        if scalar(arg):
            return arg
        if is_one(cols):
            return Call("diag", arg, (rows, rows))
        unify(rows, cols)
        return Call("diag", arg, (rows, 1))
    raise ValueError(f"unknown function {function}")


def matrix_literal(rows: list[list[Expr]]) -> Expr:
    width = len(rows[0])
    if any(len(row) != width for row in rows):
        raise ShapeConflict
    if any(not scalar(entry) for row in rows for entry in row):
        raise ShapeConflict
    if len(rows) == 1 and width == 1:
        return rows[0][0]
    return MatrixLiteral(tuple(tuple(row) for row in rows))


def same_dims(a: Shape, b: Shape) -> bool:
    return dims_equal(a[0], b[0]) and dims_equal(a[1], b[1])


def normal_form(expr: Expr) -> Expr:
    """``expr`` rebuilt bottom-up through the constructors above: the tree that reading its
    printed text gives back. Trees built elsewhere (by the derivative engine, say) may hold
    the same value in another arrangement, such as a product nested in a product."""
    rebuilt: dict[int, Expr] = {}
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in rebuilt:
            continue
        children = node.children()
        if not ready and children:
            stack.append((node, True))
            stack.extend((child, False) for child in children)
            continue
        rebuilt[id(node)] = _rebuild(node, [rebuilt[id(c)] for c in children])
    return rebuilt[id(expr)]


def _rebuild(node: Expr, children: list[Expr]) -> Expr:
    if not children:
        return transpose(node) if isinstance(node, Ones) and is_one(node.shape[0]) else node
    if isinstance(node, Sum):
        return add(*children)
    if isinstance(node, Product):
        return multiply(*children)
    if isinstance(node, Hadamard):
        return hadamard(*children)
    if isinstance(node, Transpose):
        return transpose(children[0])
    if isinstance(node, Inverse):
        return inverse(children[0])
    if isinstance(node, Power):
        return power(children[0], children[1])
    if isinstance(node, Quotient):
        return quotient(children[0], children[1])
    if isinstance(node, ElementPower):
        return element_power(children[0], children[1])
    if isinstance(node, Apply):
        return apply(node.function, children[0])
    if isinstance(node, Call):
        return call(node.function, children[0])
    if isinstance(node, MatrixLiteral):
        width = len(node.rows[0])
        return matrix_literal([children[i : i + width] for i in range(0, len(children), width)])
    if isinstance(node, Differentiate):
        return Differentiate(children[0])
    raise TypeError(f"cannot rebuild {type(node).__name__}")
