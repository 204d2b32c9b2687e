"""Learner functions of x and y, parsed once and compiled to NumPy, cached by canonical text.

The text is read by our own grammar. Partial derivatives come from the project's own
derivative engine (the calculator's path, numerically checked), so the widgets and the
calculator agree on every function the language reads, ``relu`` and ``abs`` included. The
resulting trees are turned into SymPy objects node by node
(:func:`~app.mathcore.sympy_bridge.to_sympy`; ``sympify`` would ``eval`` text), and
``lambdify`` compiles those trusted objects into NumPy functions for whole grids.

>>> f = scalar_function("x^2 + 2 y^2")
>>> f.value(1.0, 1.0), f.gradient_at(1.0, 1.0)
(3.0, (2.0, 4.0))
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import sympy

from app.mathcore.derivative import differentiate, zeros
from app.mathcore.errors import LimitError, MathError, ParseError, ShapeError, UnsupportedError
from app.mathcore.parse import Parsed, parse
from app.mathcore.printing import to_latex, to_text
from app.mathcore.sympy_bridge import scalar_symbol, to_sympy
from app.mathcore.tree import Apply, Expr, MatrixLiteral, Symbol

PLANE_VARIABLES = ("x", "y")
MAX_TEXT = 500
MAX_COORDINATE = 1e6
_X, _Y = scalar_symbol("x"), scalar_symbol("y")
NumpyFunction = Callable[..., Any]
KINK_TOLERANCE = 1e-9
"""|argument| at most this (relative to the point's size) counts as sitting on the kink."""
# What each non-smooth function of the language does where its argument is 0.
NON_SMOOTH = {"abs": "kink", "relu": "kink", "step": "jump", "sign": "jump"}


class DomainError(MathError):
    """The function cannot be evaluated where it was asked (a pole, a log of a negative...)."""

    kind = "unsupported"


@dataclass(frozen=True)
class Kink:
    """A non-smooth function inside f, such as ``abs(x - 1)``: where its argument is 0."""

    function: str
    text: str
    argument_text: str
    argument: NumpyFunction

    def holds_at(self, x: float, y: float) -> bool:
        with np.errstate(all="ignore"):
            value = float(np.asarray(self.argument(x, y), dtype=float))
        return abs(value) <= KINK_TOLERANCE * max(1.0, abs(x), abs(y))

    def note(self) -> str:
        if NON_SMOOTH[self.function] == "kink":
            return (
                f"Not differentiable here: {self.text} has a kink where "
                f"{self.argument_text} = 0. The numbers shown take the subgradient 0 for it."
            )
        return (
            f"Not differentiable here: {self.text} jumps where {self.argument_text} = 0, "
            f"so f has no derivative at this point; the numbers shown treat {self.function} "
            "as flat."
        )


def notes_at(kinks: Sequence[Kink], x: float, y: float) -> list[str]:
    notes: list[str] = []
    for kink in kinks:
        if kink.holds_at(x, y) and kink.note() not in notes:
            notes.append(kink.note())
    return notes


@dataclass(frozen=True)
class ScalarFunction:
    """f: R² → R with its gradient and Hessian, symbolic and compiled."""

    text: str
    latex: str
    expr: sympy.Expr
    _f: NumpyFunction
    _grad: NumpyFunction
    _hess: NumpyFunction
    _kinks: tuple[Kink, ...] = ()

    def notes_at(self, x: float, y: float) -> list[str]:
        """What to say about the derivatives at (x, y): a kink or a jump of f there."""
        return notes_at(self._kinks, x, y)

    def values(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """f on arrays (non-finite where undefined), never raising on NumPy warnings."""
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(self._f(x, y), dtype=float), np.shape(x)).copy()

    def value(self, x: float, y: float) -> float:
        return finite(float(self.values(np.array(x), np.array(y))), "f", (x, y))

    def gradient_at(self, x: float, y: float) -> tuple[float, float]:
        g = _evaluate(self._grad, x, y, "f")
        return float(g[0]), float(g[1])

    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(all="ignore"):
            gx, gy = self._grad(x, y)
        return (
            np.broadcast_to(np.asarray(gx, dtype=float), np.shape(x)),
            np.broadcast_to(np.asarray(gy, dtype=float), np.shape(x)),
        )

    def hessian_at(self, x: float, y: float) -> np.ndarray:
        return _evaluate(self._hess, x, y, "f").reshape(2, 2)


@dataclass(frozen=True)
class PlaneMap:
    """f: R² → R² with its Jacobian, symbolic and compiled."""

    texts: tuple[str, str]
    latex: str
    _f: NumpyFunction
    _jac: NumpyFunction
    _kinks: tuple[Kink, ...] = ()

    def notes_at(self, x: float, y: float) -> list[str]:
        """What to say about the Jacobian at (x, y): a kink or a jump of a component there."""
        return notes_at(self._kinks, x, y)

    def images(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(f1, f2) on arrays, non-finite where undefined."""
        with np.errstate(all="ignore"):
            u, v = self._f(x, y)
        shape = np.shape(x)
        return (
            np.broadcast_to(np.asarray(u, dtype=float), shape),
            np.broadcast_to(np.asarray(v, dtype=float), shape),
        )

    def value(self, x: float, y: float) -> tuple[float, float]:
        u, v = self.images(np.array(x), np.array(y))
        where = (x, y)
        return finite(float(u), "f₁", where), finite(float(v), "f₂", where)

    def jacobian_at(self, x: float, y: float) -> np.ndarray:
        return _evaluate(self._jac, x, y, "f").reshape(2, 2)


def finite_point(values: Sequence[float], name: str) -> tuple[float, ...]:
    """The coordinates of a point the learner gave, refused unless finite and moderate."""
    if not all(math.isfinite(v) and abs(v) <= MAX_COORDINATE for v in values):
        raise ParseError(f"{name} must be finite numbers of size at most {MAX_COORDINATE:g}")
    return tuple(float(v) for v in values)


def finite(value: float, text: str, where: Sequence[float]) -> float:
    if not np.isfinite(value):
        point = ", ".join(f"{c:g}" for c in where)
        raise DomainError(f"{text} is not defined (or not finite) at ({point})")
    return value


def _evaluate(function: NumpyFunction, x: float, y: float, text: str) -> np.ndarray:
    with np.errstate(all="ignore"):
        values = np.array(function(x, y), dtype=float).ravel()
    if not np.all(np.isfinite(values)):
        raise DomainError(f"{text} is not defined or not differentiable at ({x:g}, {y:g})")
    return values


def _read(text: str, allowed: Sequence[str]) -> Expr:
    """Parse ``text`` with x and y as scalars; refuse any other name, pointing at it."""
    return _read_parsed(text, allowed).expr


def _read_parsed(text: str, allowed: Sequence[str]) -> Parsed:
    if len(text) > MAX_TEXT:
        raise LimitError(f"the function is longer than {MAX_TEXT} characters", MAX_TEXT)
    parsed = parse(text, {name: {"shape": []} for name in PLANE_VARIABLES})
    for name in parsed.variables:
        if name not in allowed:
            match = re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text)
            names = " and ".join(allowed)
            raise ParseError(
                f"unknown variable {name}: the function may use only {names}",
                match.start() if match else None,
            )
    return parsed


@lru_cache(maxsize=256)
def canonical_text(text: str, allowed: tuple[str, ...] = PLANE_VARIABLES) -> str:
    """The printed form of ``text``, so "x^2+2*y^2" and "x^2 + 2 y^2" share one compilation."""
    return to_text(_read(text, allowed))


def scalar_function(text: str, allowed: tuple[str, ...] = PLANE_VARIABLES) -> ScalarFunction:
    """Compile a scalar function of x and y (or only ``allowed`` names), cached."""
    return _compile_scalar(canonical_text(text, allowed), allowed)


@lru_cache(maxsize=128)
def _compile_scalar(text: str, allowed: tuple[str, ...]) -> ScalarFunction:
    parsed = _read_parsed(text, allowed)
    tree = parsed.expr
    if tree.shape != (1, 1):
        raise ShapeError(f"f must be a scalar function, but {text} is {tree.shape[0]}×1", 0)
    grad = [partial(parsed, tree, name) for name in PLANE_VARIABLES]
    hess = [partial(parsed, g, name) for g in grad for name in PLANE_VARIABLES]
    return ScalarFunction(
        text=text,
        latex=to_latex(tree),
        expr=to_sympy(tree),
        _f=_compile(tree),
        _grad=_compile(*grad),
        _hess=_compile(*hess),
        _kinks=kinks_of(tree),
    )


def partial(parsed: Parsed, tree: Expr, name: str) -> Expr:
    """∂tree/∂name from the derivative engine, refused if it fails its numerical check."""
    if not any(isinstance(n, Symbol) and n.name == name for n in tree.walk()):
        return zeros((1, 1))
    result = differentiate(Parsed(tree, parsed.variables, to_text(tree)), name, "gradient")
    if not result.verified:
        raise UnsupportedError(
            f"the derivative of {to_text(tree)} by {name} failed its numerical check "
            f"({result.check.message}); please report this function",
            None,
        )
    return result.expr


def kinks_of(tree: Expr) -> tuple[Kink, ...]:
    """Every abs, relu, step and sign in ``tree``, with its argument compiled."""
    found: dict[str, Kink] = {}
    for node in tree.walk():
        if isinstance(node, Apply) and node.function in NON_SMOOTH:
            text = to_text(node)
            found.setdefault(text, Kink(node.function, text, to_text(node.arg), _compile(node.arg)))
    return tuple(found.values())


def _compile(*trees: Expr) -> NumpyFunction:
    """One NumPy function of (x, y) for one tree, or returning a list for several."""
    exprs = [to_sympy(tree) for tree in trees]
    function: NumpyFunction = sympy.lambdify(
        (_X, _Y), exprs[0] if len(exprs) == 1 else exprs, modules="numpy"
    )
    return function


def plane_map(texts: str | Sequence[str]) -> PlaneMap:
    """Compile a map [f1, f2] given as one matrix literal or as two texts, cached.

    >>> plane_map("[x + sin(y), y + sin(x)]").jacobian_at(0.0, 0.0).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    if isinstance(texts, str):
        tree = _read(texts, PLANE_VARIABLES)
        rows = tree.rows if isinstance(tree, MatrixLiteral) else [[tree]]
        entries = [entry for row in rows for entry in row]
        if len(entries) != 2:
            raise ShapeError(
                f"f must have two components [f1, f2], but {texts} has {len(entries)}", 0
            )
        pair = (to_text(entries[0]), to_text(entries[1]))
    else:
        if len(texts) != 2:
            raise ShapeError(f"f must have two components [f1, f2], not {len(texts)}", None)
        pair = (canonical_text(texts[0]), canonical_text(texts[1]))
    return _compile_map(pair)


@lru_cache(maxsize=128)
def _compile_map(texts: tuple[str, str]) -> PlaneMap:
    parsed = [_read_parsed(text, PLANE_VARIABLES) for text in texts]
    for text, component in zip(texts, parsed, strict=True):
        if component.expr.shape != (1, 1):
            raise ShapeError(f"each component must be a scalar, but {text} is not", 0)
    trees = [component.expr for component in parsed]
    jac = [partial(c, c.expr, name) for c in parsed for name in PLANE_VARIABLES]
    latex = r"\begin{bmatrix}" + r" \\ ".join(to_latex(t) for t in trees) + r"\end{bmatrix}"
    return PlaneMap(
        texts=texts,
        latex=latex,
        _f=_compile(*trees),
        _jac=_compile(*jac),
        _kinks=tuple(kink for tree in trees for kink in kinks_of(tree)),
    )
