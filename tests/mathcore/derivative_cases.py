"""The shared table of derivative cases: one line per identity, each with its own NumPy reference.

Every case names an expression in the calculator's language, the variable to differentiate by,
the declared shapes, and a plain NumPy function ``f`` computing the same value. The references
are written by hand from the Matrix Cookbook and the usual ML losses, never derived from the app,
so finite differences of ``f`` give an independent answer to check the engine (and SymPy, in
``bench/derivatives.py``) against. ``known`` is the textbook closed form where there is one; the
table's own self-test checks it against the finite differences, so a typo in a reference shows
up there and not as a false alarm about the engine.

Sizes are deliberately distinct (3, 4, 2, 5) and matrices non-square and non-symmetric wherever
the expression allows, so a missing transpose changes the shape or the value.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Kind = Literal["gradient", "jacobian", "hessian"]
Layout = Literal["numerator", "denominator"]
Draw = Literal[
    "normal", "positive", "spd", "invertible", "negdet", "sign", "binary", "onehot", "simplex"
]
Declare = Literal["sizes", "names", "none"]
"""How a request declares the variables: with their sizes, with named sizes (``["m", "n"]``,
fixed only by ``at``), or not at all (the engine's naming convention)."""
SIZE_NAMES = {2: "p", 3: "n", 4: "m", 5: "k", 6: "q"}

# Fourth-order central differences: truncation error ~h^4, rounding ~eps/h, so h ~ 1e-3 (scaled
# by the entry's size) leaves about 1e-11 relative error for gradients and 1e-9 for Hessians.
STEP = 1e-3


@dataclass(frozen=True)
class Var:
    """A declared variable: its shape and the kind of random value a valid input is."""

    shape: tuple[int, ...]
    draw: Draw = "normal"

    @property
    def properties(self) -> list[str]:
        """What the request declares about the variable (what the engine may rely on)."""
        return {"positive": ["positive"], "spd": ["spd"], "simplex": ["simplex"]}.get(self.draw, [])

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        shape, draw = self.shape, self.draw
        if draw == "normal":
            return rng.standard_normal(shape)
        if draw == "positive":
            return rng.uniform(0.5, 2.0, shape)
        if draw == "sign":
            return rng.choice([-1.0, 1.0], shape)
        if draw == "binary":
            return rng.choice([0.0, 1.0], shape)
        if draw == "onehot":
            return np.eye(shape[0])[rng.integers(shape[0])]
        if draw == "simplex":
            weights = rng.uniform(0.2, 1.0, shape)
            return weights / weights.sum()
        n = shape[0]
        if draw == "spd":
            b = rng.standard_normal((n, n))
            return b @ b.T + n * np.eye(n)
        # Well conditioned, not symmetric, determinant positive ("negdet": one row flipped).
        x = 3.0 * np.eye(n) + 0.5 * rng.standard_normal((n, n))
        if draw == "negdet":
            x[0] = -x[0]
        return x


def scalar(draw: Draw = "normal") -> Var:
    return Var((), draw)


def vec(n: int, draw: Draw = "normal") -> Var:
    return Var((n,), draw)


def mat(rows: int, cols: int, draw: Draw = "normal") -> Var:
    return Var((rows, cols), draw)


@dataclass(frozen=True)
class DerivativeCase:
    """One identity: d expression / d wrt, with an independent NumPy reference ``f``."""

    id: str
    expression: str
    wrt: str
    variables: Mapping[str, Var]
    f: Callable[..., Any]
    known: Callable[..., Any] | None = None
    kind: Kind | None = None
    layout: Layout | None = None
    declare: Declare = "sizes"
    seed: int = field(init=False)

    def __post_init__(self) -> None:
        # Seeded by id, not by position, so reordering the table keeps every case's inputs.
        object.__setattr__(self, "seed", zlib.crc32(self.id.encode()))

    def sample(self, rng: np.random.Generator | None = None) -> dict[str, np.ndarray]:
        rng = rng or np.random.default_rng(self.seed)
        return {name: var.sample(rng) for name, var in self.variables.items()}

    def value(self, inputs: Mapping[str, np.ndarray]) -> np.ndarray:
        return np.asarray(self.f(**inputs), dtype=float)

    def effective_kind(self, inputs: Mapping[str, np.ndarray]) -> Kind:
        if self.kind is not None:
            return self.kind
        return "gradient" if self.value(inputs).ndim == 0 else "jacobian"

    def expected_shape(self, inputs: Mapping[str, np.ndarray]) -> tuple[int, ...]:
        n = self.variables[self.wrt].shape
        kind = self.effective_kind(inputs)
        if kind == "gradient":
            return n
        if kind == "hessian":
            return n + n
        m = self.value(inputs).shape
        return n + m if self.layout == "denominator" else m + n

    def numeric(self, inputs: Mapping[str, np.ndarray]) -> np.ndarray:
        """The derivative by finite differences of ``f``, in the case's kind and layout."""

        def f_of(x: np.ndarray) -> np.ndarray:
            return self.value({**inputs, self.wrt: x})

        x = np.asarray(inputs[self.wrt], dtype=float)
        kind = self.effective_kind(inputs)
        if kind == "hessian":
            return finite_difference(lambda y: finite_difference(f_of, y), x)
        d = finite_difference(f_of, x)
        if kind == "jacobian" and self.layout == "denominator":
            return d.T
        return d

    def closed_form(self, inputs: Mapping[str, np.ndarray]) -> np.ndarray | None:
        if self.known is None:
            return None
        known = np.asarray(self.known(**inputs), dtype=float)
        return np.broadcast_to(known, self.expected_shape(inputs))

    def request(self, inputs: Mapping[str, np.ndarray]) -> dict[str, Any]:
        """The JSON body for ``POST /api/derivative`` with ``at`` set to the inputs."""
        variables: dict[str, Any] = {}
        for name, var in self.variables.items():
            shape: list[int | str] = list(var.shape)
            if self.declare == "names":
                shape = [SIZE_NAMES[n] for n in var.shape]
            variables[name] = {"shape": shape}
            if var.properties:
                variables[name]["properties"] = var.properties
        body: dict[str, Any] = {
            "expression": self.expression,
            "wrt": self.wrt,
            "at": {name: np.asarray(v, dtype=float).tolist() for name, v in inputs.items()},
        }
        if self.declare != "none":
            body["variables"] = variables
        if self.kind is not None:
            body["kind"] = self.kind
        if self.layout is not None:
            body["layout"] = self.layout
        return body


def finite_difference(g: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """d g / d x by fourth-order central differences, shaped ``g(x).shape + x.shape``.

    >>> finite_difference(lambda v: v**3, np.array(2.0)).round(8)
    np.float64(12.0)
    """
    x = np.asarray(x, dtype=float)
    out_shape = np.shape(g(x))
    d = np.empty(out_shape + x.shape)
    for index in np.ndindex(x.shape):
        h = STEP * max(1.0, abs(float(x[index])))

        def at(offset: float, index: tuple[int, ...] = index) -> np.ndarray:
            y = x.copy()
            y[index] += offset
            return np.asarray(g(y), dtype=float)

        slope = (at(-2 * h) - 8 * at(-h) + 8 * at(h) - at(2 * h)) / (12 * h)
        d[(...,) + index] = slope
    return d


# --- NumPy helpers, written independently of the app --------------------------------------------


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - np.max(z))
    return e / e.sum()


def logsumexp(z: np.ndarray) -> np.ndarray:
    top = np.max(z)
    return top + np.log(np.exp(z - top).sum())


def softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, z)


def logdet(x: np.ndarray) -> np.ndarray:
    # slogdet, not Cholesky: finite differences perturb one entry, leaving the matrix non-symmetric.
    sign, value = np.linalg.slogdet(x)
    return value if sign > 0 else np.nan


inv, det, tr, norm, outer = np.linalg.inv, np.linalg.det, np.trace, np.linalg.norm, np.outer


def gauss_nll(x: np.ndarray, mu: np.ndarray, S: np.ndarray) -> np.ndarray:
    r = x - mu
    return 0.5 * logdet(S) + 0.5 * r @ np.linalg.solve(S, r)


def gauss_nll_by_s(x: np.ndarray, mu: np.ndarray, S: np.ndarray) -> np.ndarray:
    si, r = inv(S), x - mu
    return 0.5 * si - 0.5 * si @ outer(r, r) @ si


def _cases() -> list[DerivativeCase]:
    c = DerivativeCase
    # fmt: off
    cases = [
        # --- Matrix Cookbook: traces --------------------------------------------------------
        c("d/dX tr(A X) = A^T", "tr(A X)", "X", {"A": mat(3, 4), "X": mat(4, 3)},
          lambda A, X: tr(A @ X), lambda A, X: A.T),
        c("d/dX tr(X A) = A^T", "tr(X A)", "X", {"X": mat(4, 3), "A": mat(3, 4)},
          lambda X, A: tr(X @ A), lambda X, A: A.T),
        c("d/dX tr(X^T A) = A", "tr(X^T A)", "X", {"X": mat(4, 3), "A": mat(4, 3)},
          lambda X, A: tr(X.T @ A), lambda X, A: A),
        c("d/dX tr(X' A) = A (prime transpose)", "tr(X' A)", "X", {"X": mat(4, 3), "A": mat(4, 3)},
          lambda X, A: tr(X.T @ A), lambda X, A: A),
        c("d/dX tr(A X^T) = A", "tr(A X^T)", "X", {"A": mat(4, 3), "X": mat(4, 3)},
          lambda A, X: tr(A @ X.T), lambda A, X: A),
        c("d/dX tr(A @ X) = A^T (@ product)", "tr(A @ X)", "X", {"A": mat(2, 3), "X": mat(3, 2)},
          lambda A, X: tr(A @ X), lambda A, X: A.T),
        c("d/dX tr(A X B) = A^T B^T", "tr(A X B)", "X",
          {"A": mat(2, 3), "X": mat(3, 4), "B": mat(4, 2)},
          lambda A, X, B: tr(A @ X @ B), lambda A, X, B: A.T @ B.T),
        c("d/dX tr(A X^T B) = B A", "tr(A X^T B)", "X",
          {"A": mat(2, 4), "X": mat(3, 4), "B": mat(3, 2)},
          lambda A, X, B: tr(A @ X.T @ B), lambda A, X, B: B @ A),
        c("d/dX tr(X^T A X) = (A + A^T) X", "tr(X^T A X)", "X", {"X": mat(4, 3), "A": mat(4, 4)},
          lambda X, A: tr(X.T @ A @ X), lambda X, A: (A + A.T) @ X),
        c("d/dX tr(X A X^T) = X (A + A^T)", "tr(X A X^T)", "X", {"X": mat(3, 4), "A": mat(4, 4)},
          lambda X, A: tr(X @ A @ X.T), lambda X, A: X @ (A + A.T)),
        c("d/dX tr(A X^T X) = X (A + A^T)", "tr(A X^T X)", "X", {"A": mat(3, 3), "X": mat(4, 3)},
          lambda A, X: tr(A @ X.T @ X), lambda A, X: X @ (A + A.T)),
        c("d/dX tr(X B X^T C) = C^T X B^T + C X B", "tr(X B X^T C)", "X",
          {"X": mat(3, 4), "B": mat(4, 4), "C": mat(3, 3)},
          lambda X, B, C: tr(X @ B @ X.T @ C), lambda X, B, C: C.T @ X @ B.T + C @ X @ B),
        c("d/dX tr(X^T X) = 2 X", "tr(X^T X)", "X", {"X": mat(4, 3)},
          lambda X: tr(X.T @ X), lambda X: 2 * X),
        c("d/dX tr(X) = I", "tr(X)", "X", {"X": mat(3, 3)},
          lambda X: tr(X), lambda X: np.eye(3)),
        c("d/dX tr(X^2) = 2 X^T", "tr(X^2)", "X", {"X": mat(3, 3)},
          lambda X: tr(X @ X), lambda X: 2 * X.T),
        c("d/dX tr(X^3) = 3 (X^2)^T", "tr(X^3)", "X", {"X": mat(3, 3)},
          lambda X: tr(X @ X @ X), lambda X: 3 * (X @ X).T),
        # --- traces with inverses ---------------------------------------------------------------
        c("d/dX tr(X^{-1} A) = -(X^{-1} A X^{-1})^T", "tr(X^{-1} A)", "X",
          {"X": mat(3, 3, "invertible"), "A": mat(3, 3)},
          lambda X, A: tr(inv(X) @ A), lambda X, A: -(inv(X) @ A @ inv(X)).T),
        c("d/dX tr(A X^{-1} B) = -(X^{-1} B A X^{-1})^T", "tr(A X^{-1} B)", "X",
          {"A": mat(2, 3), "X": mat(3, 3, "invertible"), "B": mat(3, 2)},
          lambda A, X, B: tr(A @ inv(X) @ B), lambda A, X, B: -(inv(X) @ B @ A @ inv(X)).T),
        c("d/dX tr(inv(X)) = -(X^{-2})^T", "tr(inv(X))", "X", {"X": mat(3, 3, "invertible")},
          lambda X: tr(inv(X)), lambda X: -(inv(X) @ inv(X)).T),
        # --- determinants ------------------------------------------------------------------------
        c("d/dX det(X) = det(X) X^{-T}", "det(X)", "X", {"X": mat(3, 3, "invertible")},
          lambda X: det(X), lambda X: det(X) * inv(X).T),
        c("d/dX log(det(X)) = X^{-T}", "log(det(X))", "X", {"X": mat(3, 3, "invertible")},
          lambda X: np.log(det(X)), lambda X: inv(X).T),
        c("d/dX log(abs(det(X))) = X^{-T} (negative det)", "log(abs(det(X)))", "X",
          {"X": mat(3, 3, "negdet")},
          lambda X: np.log(abs(det(X))), lambda X: inv(X).T),
        c("d/dS logdet(S) = S^{-1} (S spd)", "logdet(S)", "S", {"S": mat(3, 3, "spd")},
          lambda S: logdet(S), lambda S: inv(S)),
        c("d/dX logdet(X^T X) = 2 X (X^T X)^{-1}", "logdet(X^T X)", "X", {"X": mat(4, 3)},
          lambda X: logdet(X.T @ X), lambda X: 2 * X @ inv(X.T @ X)),
        c("d/dX det(A X B) = det(A X B) A^T (A X B)^{-T} B^T", "det(A X B)", "X",
          {"A": mat(3, 4), "X": mat(4, 5), "B": mat(5, 3)},
          lambda A, X, B: det(A @ X @ B),
          lambda A, X, B: det(A @ X @ B) * A.T @ inv(A @ X @ B).T @ B.T),
        c("d/dX det(X^T A X) = det(M) (A X M^{-1} + A^T X M^{-T})", "det(X^T A X)", "X",
          {"X": mat(4, 3), "A": mat(4, 4)},
          lambda X, A: det(X.T @ A @ X),
          lambda X, A: det(X.T @ A @ X)
          * (A @ X @ inv(X.T @ A @ X) + A.T @ X @ inv(X.T @ A @ X).T)),
        c("d/dX det(inv(X)) = -det(X)^{-1} X^{-T}", "det(inv(X))", "X",
          {"X": mat(3, 3, "invertible")},
          lambda X: det(inv(X)), lambda X: -inv(X).T / det(X)),
        c("d/dX det(X)^2 = 2 det(X)^2 X^{-T}", "det(X)^2", "X", {"X": mat(3, 3, "invertible")},
          lambda X: det(X) ** 2, lambda X: 2 * det(X) ** 2 * inv(X).T),
        c("d/dX det(2 X) = 8 det(X) X^{-T} (3x3)", "det(2 X)", "X", {"X": mat(3, 3, "invertible")},
          lambda X: det(2 * X), lambda X: 8 * det(X) * inv(X).T),
        c("d/dS logdet(S) + tr(inv(S) A) = S^{-1} - S^{-1} A^T S^{-1}", "logdet(S) + tr(inv(S) A)",
          "S", {"S": mat(3, 3, "spd"), "A": mat(3, 3, "spd")},
          lambda S, A: logdet(S) + tr(inv(S) @ A),
          lambda S, A: inv(S) - inv(S) @ A.T @ inv(S)),
        # --- inverses in bilinear forms ---------------------------------------------------------
        c("d/dX a^T X^{-1} b = -X^{-T} a b^T X^{-T}", "a^T X^{-1} b", "X",
          {"a": vec(3), "X": mat(3, 3, "invertible"), "b": vec(3)},
          lambda a, X, b: a @ inv(X) @ b, lambda a, X, b: -inv(X).T @ outer(a, b) @ inv(X).T),
        c("d/dX a^T inv(X) b = -X^{-T} a b^T X^{-T} (inv syntax)", "a^T inv(X) b", "X",
          {"a": vec(3), "X": mat(3, 3, "invertible"), "b": vec(3)},
          lambda a, X, b: a @ inv(X) @ b, lambda a, X, b: -inv(X).T @ outer(a, b) @ inv(X).T),
        c("d/dX a^T X^{-T} b = -X^{-T} b a^T X^{-T}", "a^T X^{-T} b", "X",
          {"a": vec(3), "X": mat(3, 3, "invertible"), "b": vec(3)},
          lambda a, X, b: a @ inv(X).T @ b, lambda a, X, b: -inv(X).T @ outer(b, a) @ inv(X).T),
        c("d/db a^T X^{-1} b = X^{-T} a", "a^T X^{-1} b", "b",
          {"a": vec(3), "X": mat(3, 3, "invertible"), "b": vec(3)},
          lambda a, X, b: a @ inv(X) @ b, lambda a, X, b: inv(X).T @ a),
        c("d/dx x^T inv(A) x = (A^{-1} + A^{-T}) x", "x^T inv(A) x", "x",
          {"x": vec(3), "A": mat(3, 3, "invertible")},
          lambda x, A: x @ inv(A) @ x, lambda x, A: (inv(A) + inv(A).T) @ x),
        # --- vectors ------------------------------------------------------------------------------
        c("d/dx a^T x = a", "a^T x", "x", {"a": vec(3), "x": vec(3)},
          lambda a, x: a @ x, lambda a, x: a),
        c("d/dx x^T a = a", "x^T a", "x", {"x": vec(3), "a": vec(3)},
          lambda x, a: x @ a, lambda x, a: a),
        c("d/dx x^T A x = (A + A^T) x", "x^T A x", "x", {"x": vec(3), "A": mat(3, 3)},
          lambda x, A: x @ A @ x, lambda x, A: (A + A.T) @ x),
        c("d/dx x' A x = (A + A^T) x (prime transpose)", "x' A x", "x",
          {"x": vec(3), "A": mat(3, 3)},
          lambda x, A: x @ A @ x, lambda x, A: (A + A.T) @ x),
        c("d/dx x^T x = 2 x", "x^T x", "x", {"x": vec(3)},
          lambda x: x @ x, lambda x: 2 * x),
        c("d/dx norm(x) = x / norm(x)", "norm(x)", "x", {"x": vec(3)},
          lambda x: norm(x), lambda x: x / norm(x)),
        c("d/dx norm(x)^2 = 2 x", "norm(x)^2", "x", {"x": vec(3)},
          lambda x: norm(x) ** 2, lambda x: 2 * x),
        c("d/dx norm(A x - b)^2 = 2 A^T (A x - b)", "norm(A x - b)^2", "x",
          {"A": mat(4, 3), "x": vec(3), "b": vec(4)},
          lambda A, x, b: norm(A @ x - b) ** 2, lambda A, x, b: 2 * A.T @ (A @ x - b)),
        c("d/dA x^T A y = x y^T", "x^T A y", "A", {"x": vec(4), "A": mat(4, 3), "y": vec(3)},
          lambda x, A, y: x @ A @ y, lambda x, A, y: outer(x, y)),
        c("d/dX a^T X^T b = b a^T", "a^T X^T b", "X", {"a": vec(3), "X": mat(4, 3), "b": vec(4)},
          lambda a, X, b: a @ X.T @ b, lambda a, X, b: outer(b, a)),
        c("d/dA x^T A x = x x^T", "x^T A x", "A", {"x": vec(3), "A": mat(3, 3)},
          lambda x, A: x @ A @ x, lambda x, A: outer(x, x)),
        c("d/dx sum(x) = 1", "sum(x)", "x", {"x": vec(3)},
          lambda x: x.sum(), lambda x: np.ones(3)),
        c("d/dx sum(exp(x)) = exp(x)", "sum(exp(x))", "x", {"x": vec(3)},
          lambda x: np.exp(x).sum(), lambda x: np.exp(x)),
        c("d/dx sum(log(x)) = 1 ./ x", "sum(log(x))", "x", {"x": vec(3, "positive")},
          lambda x: np.log(x).sum(), lambda x: 1 / x),
        c("d/dx sum(sqrt(x)) = 1 ./ (2 sqrt(x))", "sum(sqrt(x))", "x", {"x": vec(3, "positive")},
          lambda x: np.sqrt(x).sum(), lambda x: 0.5 / np.sqrt(x)),
        c("d/dx sum(abs(x)) = sign(x)", "sum(abs(x))", "x", {"x": vec(3)},
          lambda x: np.abs(x).sum(), lambda x: np.sign(x)),
        c("d/dx sum(a .* x) = a", "sum(a .* x)", "x", {"a": vec(3), "x": vec(3)},
          lambda a, x: (a * x).sum(), lambda a, x: a),
        c("d/dx sum(x .^ 3) = 3 x .^ 2", "sum(x .^ 3)", "x", {"x": vec(3)},
          lambda x: (x**3).sum(), lambda x: 3 * x**2),
        c("d/dx sum(x ./ y) = 1 ./ y", "sum(x ./ y)", "x", {"x": vec(3), "y": vec(3, "positive")},
          lambda x, y: (x / y).sum(), lambda x, y: 1 / y),
        c("d/dx (a^T x)^2 = 2 (a^T x) a", "(a^T x)^2", "x", {"a": vec(3), "x": vec(3)},
          lambda a, x: (a @ x) ** 2, lambda a, x: 2 * (a @ x) * a),
        c("d/dx exp(a^T x) = exp(a^T x) a", "exp(a^T x)", "x", {"a": vec(3), "x": vec(3)},
          lambda a, x: np.exp(a @ x), lambda a, x: np.exp(a @ x) * a),
        c("d/dx 1/2 x^T A x - b^T x = (A + A^T) x / 2 - b", "1/2 x^T A x - b^T x", "x",
          {"x": vec(3), "A": mat(3, 3), "b": vec(3)},
          lambda x, A, b: 0.5 * x @ A @ x - b @ x, lambda x, A, b: 0.5 * (A + A.T) @ x - b),
        c("d/dx x^T (A + I) x = (A + A^T + 2 I) x", "x^T (A + I) x", "x",
          {"x": vec(3), "A": mat(3, 3)},
          lambda x, A: x @ (A + np.eye(3)) @ x, lambda x, A: (A + A.T + 2 * np.eye(3)) @ x),
        c("d/dx x^T A x / (x^T x) = ((A + A^T) x - 2 rho x) / x^T x", "x^T A x / (x^T x)", "x",
          {"x": vec(3), "A": mat(3, 3)},
          lambda x, A: (x @ A @ x) / (x @ x),
          lambda x, A: ((A + A.T) @ x - 2 * (x @ A @ x) / (x @ x) * x) / (x @ x)),
        c("d/dx sqrt(x^T A x) = A x / sqrt(x^T A x) (A spd)", "sqrt(x^T A x)", "x",
          {"x": vec(3), "A": mat(3, 3, "spd")},
          lambda x, A: np.sqrt(x @ A @ x), lambda x, A: A @ x / np.sqrt(x @ A @ x)),
        c("d/dx a^T diag(x) b = a .* b", "a^T diag(x) b", "x",
          {"a": vec(3), "x": vec(3), "b": vec(3)},
          lambda a, x, b: a @ np.diag(x) @ b, lambda a, x, b: a * b),
        c("d/dw x^T diag(w) x = x .* x", "x^T diag(w) x", "w", {"x": vec(3), "w": vec(3)},
          lambda x, w: x @ np.diag(w) @ x, lambda x, w: x * x),
        c("d/dz logsumexp(z) = softmax(z)", "logsumexp(z)", "z", {"z": vec(4)},
          lambda z: logsumexp(z), lambda z: softmax(z)),
        # --- Frobenius norms ----------------------------------------------------------------------
        c("d/dX norm(X) = X / norm(X) (Frobenius)", "norm(X)", "X", {"X": mat(3, 4)},
          lambda X: norm(X), lambda X: X / norm(X)),
        c("d/dX norm(X)^2 = 2 X (Frobenius)", "norm(X)^2", "X", {"X": mat(3, 4)},
          lambda X: norm(X) ** 2, lambda X: 2 * X),
        c("d/dX norm(A X - B)^2 = 2 A^T (A X - B)", "norm(A X - B)^2", "X",
          {"A": mat(4, 3), "X": mat(3, 2), "B": mat(4, 2)},
          lambda A, X, B: norm(A @ X - B) ** 2, lambda A, X, B: 2 * A.T @ (A @ X - B)),
        c("d/dX norm(X A - B)^2 = 2 (X A - B) A^T", "norm(X A - B)^2", "X",
          {"X": mat(2, 3), "A": mat(3, 4), "B": mat(2, 4)},
          lambda X, A, B: norm(X @ A - B) ** 2, lambda X, A, B: 2 * (X @ A - B) @ A.T),
        # --- ML losses -------------------------------------------------------------------------
        *_ml_cases(),
        # --- scalar by scalar ------------------------------------------------------------------
        c("d/dx x^2 sin(x) = 2 x sin(x) + x^2 cos(x)", "x^2 sin(x)", "x", {"x": scalar()},
          lambda x: x**2 * np.sin(x), lambda x: 2 * x * np.sin(x) + x**2 * np.cos(x)),
        c("d/dx 3 x^4 + 2 x e^x + sin(x^2) = 12 x^3 + 2 (1 + x) e^x + 2 x cos(x^2)",
          "3 x^4 + 2 x e^x + sin(x^2)", "x", {"x": scalar()},
          lambda x: 3 * x**4 + 2 * x * np.exp(x) + np.sin(x**2),
          lambda x: 12 * x**3 + 2 * (1 + x) * np.exp(x) + 2 * x * np.cos(x**2)),
        c("d/dx log(x) / x = (1 - log(x)) / x^2", "log(x) / x", "x", {"x": scalar("positive")},
          lambda x: np.log(x) / x, lambda x: (1 - np.log(x)) / x**2),
        c("d/dx sqrt(1 + x^2) = x / sqrt(1 + x^2)", "sqrt(1 + x^2)", "x", {"x": scalar()},
          lambda x: np.sqrt(1 + x**2), lambda x: x / np.sqrt(1 + x**2)),
        c("d/dx sigmoid(x) = sigmoid(x) (1 - sigmoid(x))", "sigmoid(x)", "x", {"x": scalar()},
          lambda x: sigmoid(x), lambda x: sigmoid(x) * (1 - sigmoid(x))),
        c("d/dx tanh(x)^2 = 2 tanh(x) (1 - tanh(x)^2)", "tanh(x)^2", "x", {"x": scalar()},
          lambda x: np.tanh(x) ** 2, lambda x: 2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
        c("d/dx exp(-x^2/2) = -x exp(-x^2/2)", "exp(-x^2/2)", "x", {"x": scalar()},
          lambda x: np.exp(-(x**2) / 2), lambda x: -x * np.exp(-(x**2) / 2)),
        *_jacobian_cases(),
        *_hessian_cases(),
    ]
    # fmt: on
    return cases


def _ml_cases() -> list[DerivativeCase]:
    c = DerivativeCase
    ls = {"X": mat(5, 3), "w": vec(3), "y": vec(5)}
    ridge = {**ls, "lambda": scalar("positive")}
    logistic = {"X": mat(5, 3), "w": vec(3), "y": vec(5, "sign")}
    xent = {"X": mat(5, 3), "w": vec(3), "y": vec(5, "binary")}
    softmax_ce = {"W": mat(4, 3), "x": vec(3), "y": vec(4, "onehot")}
    gauss = {"x": vec(3), "mu": vec(3), "S": mat(3, 3, "spd")}
    layer = {"W": mat(4, 3), "x": vec(3), "b": vec(4)}
    layer_fit = {**layer, "y": vec(4)}
    two_layer = {"V": mat(2, 4), "W": mat(4, 3), "x": vec(3), "b": vec(4), "y": vec(2)}
    nll = "1/2 logdet(S) + 1/2 (x - mu)^T inv(S) (x - mu)"
    ce_sum = "-(y^T log(sigmoid(X w)) + (1 - y)^T log(1 - sigmoid(X w)))"
    ce_elementwise = "-sum(y .* log(sigmoid(X w)) + (1 - y) .* log(1 - sigmoid(X w)))"

    def fit(W: np.ndarray, x: np.ndarray, b: np.ndarray, y: np.ndarray) -> np.ndarray:
        t = np.tanh(W @ x + b)
        return 2 * (t - y) * (1 - t**2)  # d/d(W x + b) of norm(tanh(W x + b) - y)^2

    def cross_entropy(X: np.ndarray, w: np.ndarray, y: np.ndarray) -> np.ndarray:
        p = sigmoid(X @ w)
        return -(y @ np.log(p) + (1 - y) @ np.log(1 - p))

    def two_layer_f(
        V: np.ndarray, W: np.ndarray, x: np.ndarray, b: np.ndarray, y: np.ndarray
    ) -> np.ndarray:
        return norm(V @ np.tanh(W @ x + b) - y) ** 2

    def two_layer_by_w(
        V: np.ndarray, W: np.ndarray, x: np.ndarray, b: np.ndarray, y: np.ndarray
    ) -> np.ndarray:
        t = np.tanh(W @ x + b)
        return outer(2 * (V.T @ (V @ t - y)) * (1 - t**2), x)

    # fmt: off
    return [
        c("least squares: d/dw norm(X w - y)^2 = 2 X^T (X w - y)", "norm(X w - y)^2", "w", ls,
          lambda X, w, y: norm(X @ w - y) ** 2, lambda X, w, y: 2 * X.T @ (X @ w - y)),
        c("least squares: d/dX norm(X w - y)^2 = 2 (X w - y) w^T", "norm(X w - y)^2", "X", ls,
          lambda X, w, y: norm(X @ w - y) ** 2, lambda X, w, y: 2 * outer(X @ w - y, w)),
        c("ridge: d/dw = 2 X^T (X w - y) + 2 lambda w", "norm(X w - y)^2 + lambda norm(w)^2",
          "w", ridge,
          lambda X, w, y, **k: norm(X @ w - y) ** 2 + k["lambda"] * norm(w) ** 2,
          lambda X, w, y, **k: 2 * X.T @ (X @ w - y) + 2 * k["lambda"] * w),
        c("ridge: d/dlambda = norm(w)^2", "norm(X w - y)^2 + lambda norm(w)^2", "lambda", ridge,
          lambda X, w, y, **k: norm(X @ w - y) ** 2 + k["lambda"] * norm(w) ** 2,
          lambda X, w, y, **k: norm(w) ** 2),
        c("logistic: d/dw sum(log(1 + exp(-y .* (X w)))) = -X^T (y .* sigmoid(-y .* X w))",
          "sum(log(1 + exp(-y .* (X w))))", "w", logistic,
          lambda X, w, y: np.log(1 + np.exp(-y * (X @ w))).sum(),
          lambda X, w, y: -X.T @ (y * sigmoid(-y * (X @ w)))),
        c("logistic: d/dX sum(log(1 + exp(-y .* (X w)))) = -(y .* sigmoid(-y .* X w)) w^T",
          "sum(log(1 + exp(-y .* (X w))))", "X", logistic,
          lambda X, w, y: np.log(1 + np.exp(-y * (X @ w))).sum(),
          lambda X, w, y: -outer(y * sigmoid(-y * (X @ w)), w)),
        c("logistic (cross-entropy): d/dw = X^T (sigmoid(X w) - y)", ce_sum, "w", xent,
          cross_entropy, lambda X, w, y: X.T @ (sigmoid(X @ w) - y)),
        c("logistic (elementwise cross-entropy): d/dw = X^T (sigmoid(X w) - y)", ce_elementwise,
          "w", xent, cross_entropy, lambda X, w, y: X.T @ (sigmoid(X @ w) - y)),
        c("logistic (softplus): d/dw sum(softplus(X w) - y .* (X w)) = X^T (sigmoid(X w) - y)",
          "sum(softplus(X w) - y .* (X w))", "w", xent,
          lambda X, w, y: (softplus(X @ w) - y * (X @ w)).sum(),
          lambda X, w, y: X.T @ (sigmoid(X @ w) - y)),
        c("softmax cross-entropy: d/dW -y^T log(softmax(W x)) = (softmax(W x) - y) x^T",
          "-y^T log(softmax(W x))", "W", softmax_ce,
          lambda W, x, y: -y @ np.log(softmax(W @ x)),
          lambda W, x, y: outer(softmax(W @ x) - y, x)),
        c("softmax cross-entropy: d/dx -y^T log(softmax(W x)) = W^T (softmax(W x) - y)",
          "-y^T log(softmax(W x))", "x", softmax_ce,
          lambda W, x, y: -y @ np.log(softmax(W @ x)),
          lambda W, x, y: W.T @ (softmax(W @ x) - y)),
        c("softmax cross-entropy: d/dW logsumexp(W x) - y^T W x = (softmax(W x) - y) x^T",
          "logsumexp(W x) - y^T W x", "W", softmax_ce,
          lambda W, x, y: logsumexp(W @ x) - y @ W @ x,
          lambda W, x, y: outer(softmax(W @ x) - y, x)),
        c("Gaussian NLL: d/dmu = -S^{-1} (x - mu)", nll, "mu", gauss,
          gauss_nll, lambda x, mu, S: -inv(S) @ (x - mu)),
        c("Gaussian NLL: d/dx = S^{-1} (x - mu)", nll, "x", gauss,
          gauss_nll, lambda x, mu, S: inv(S) @ (x - mu)),
        c("Gaussian NLL: d/dS = (S^{-1} - S^{-1} (x - mu)(x - mu)^T S^{-1}) / 2", nll, "S", gauss,
          gauss_nll, gauss_nll_by_s),
        c("tanh layer: d/dW sum(tanh(W x + b)) = (1 - tanh(W x + b).^2) x^T",
          "sum(tanh(W x + b))", "W", layer,
          lambda W, x, b: np.tanh(W @ x + b).sum(),
          lambda W, x, b: outer(1 - np.tanh(W @ x + b) ** 2, x)),
        c("tanh layer: d/db sum(tanh(W x + b)) = 1 - tanh(W x + b).^2",
          "sum(tanh(W x + b))", "b", layer,
          lambda W, x, b: np.tanh(W @ x + b).sum(),
          lambda W, x, b: 1 - np.tanh(W @ x + b) ** 2),
        c("tanh layer: d/dx sum(tanh(W x + b)) = W^T (1 - tanh(W x + b).^2)",
          "sum(tanh(W x + b))", "x", layer,
          lambda W, x, b: np.tanh(W @ x + b).sum(),
          lambda W, x, b: W.T @ (1 - np.tanh(W @ x + b) ** 2)),
        c("tanh layer fit: d/dW norm(tanh(W x + b) - y)^2 = (2 (t - y) .* (1 - t.^2)) x^T",
          "norm(tanh(W x + b) - y)^2", "W", layer_fit,
          lambda W, x, b, y: norm(np.tanh(W @ x + b) - y) ** 2,
          lambda W, x, b, y: outer(fit(W, x, b, y), x)),
        c("tanh layer fit: d/db norm(tanh(W x + b) - y)^2 = 2 (t - y) .* (1 - t.^2)",
          "norm(tanh(W x + b) - y)^2", "b", layer_fit,
          lambda W, x, b, y: norm(np.tanh(W @ x + b) - y) ** 2, fit),
        c("tanh layer fit: d/dx norm(tanh(W x + b) - y)^2 = W^T (2 (t - y) .* (1 - t.^2))",
          "norm(tanh(W x + b) - y)^2", "x", layer_fit,
          lambda W, x, b, y: norm(np.tanh(W @ x + b) - y) ** 2,
          lambda W, x, b, y: W.T @ fit(W, x, b, y)),
        c("two-layer net: d/dW norm(V tanh(W x + b) - y)^2 = (2 V^T r .* (1 - t.^2)) x^T",
          "norm(V tanh(W x + b) - y)^2", "W", two_layer, two_layer_f, two_layer_by_w),
        c("two-layer net: d/dV norm(V tanh(W x + b) - y)^2 = 2 r t^T",
          "norm(V tanh(W x + b) - y)^2", "V", two_layer, two_layer_f,
          lambda V, W, x, b, y: 2 * outer(V @ np.tanh(W @ x + b) - y, np.tanh(W @ x + b))),
        c("softplus layer: d/db sum(softplus(W x + b)) = sigmoid(W x + b)",
          "sum(softplus(W x + b))", "b", layer,
          lambda W, x, b: softplus(W @ x + b).sum(), lambda W, x, b: sigmoid(W @ x + b)),
        c("relu layer: d/dW sum(relu(W x + b)) = (W x + b > 0) x^T",
          "sum(relu(W x + b))", "W", layer,
          lambda W, x, b: np.maximum(W @ x + b, 0).sum(),
          lambda W, x, b: outer((W @ x + b > 0).astype(float), x)),
    ]


def _jacobian_cases() -> list[DerivativeCase]:
    c = DerivativeCase
    layer = {"W": mat(4, 3), "x": vec(3), "b": vec(4)}

    def tanh_jacobian(W: np.ndarray, x: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.diag(1 - np.tanh(W @ x + b) ** 2) @ W

    def softmax_jacobian(z: np.ndarray) -> np.ndarray:
        s = softmax(z)
        return np.diag(s) - outer(s, s)

    # fmt: off
    return [
        c("J_x exp(x) = diag(exp(x))", "exp(x)", "x", {"x": vec(3)},
          lambda x: np.exp(x), lambda x: np.diag(np.exp(x))),
        c("J_x sigmoid(x) = diag(sigmoid(x) .* (1 - sigmoid(x)))", "sigmoid(x)", "x",
          {"x": vec(3)},
          lambda x: sigmoid(x), lambda x: np.diag(sigmoid(x) * (1 - sigmoid(x)))),
        c("J_x A x = A (numerator layout, 4x3)", "A x", "x", {"A": mat(4, 3), "x": vec(3)},
          lambda A, x: A @ x, lambda A, x: A, kind="jacobian", layout="numerator"),
        c("J_x A x = A^T (denominator layout, 3x4)", "A x", "x", {"A": mat(4, 3), "x": vec(3)},
          lambda A, x: A @ x, lambda A, x: A.T, kind="jacobian", layout="denominator"),
        c("J_x A @ x + b = A (default kind)", "A @ x + b", "x",
          {"A": mat(4, 3), "x": vec(3), "b": vec(4)},
          lambda A, x, b: A @ x + b, lambda A, x, b: A),
        c("J_b A x + b = I", "A x + b", "b", {"A": mat(4, 3), "x": vec(3), "b": vec(4)},
          lambda A, x, b: A @ x + b, lambda A, x, b: np.eye(4)),
        c("J_x tanh(W x + b) = diag(1 - t.^2) W (4x3)", "tanh(W x + b)", "x", layer,
          lambda W, x, b: np.tanh(W @ x + b), tanh_jacobian),
        c("J_x tanh(W x + b) = W^T diag(1 - t.^2) (denominator, 3x4)", "tanh(W x + b)", "x",
          layer, lambda W, x, b: np.tanh(W @ x + b), lambda W, x, b: tanh_jacobian(W, x, b).T,
          layout="denominator"),
        c("J_b tanh(W x + b) = diag(1 - t.^2)", "tanh(W x + b)", "b", layer,
          lambda W, x, b: np.tanh(W @ x + b),
          lambda W, x, b: np.diag(1 - np.tanh(W @ x + b) ** 2)),
        c("J_x sigmoid(W x + b) = diag(s .* (1 - s)) W", "sigmoid(W x + b)", "x", layer,
          lambda W, x, b: sigmoid(W @ x + b),
          lambda W, x, b: np.diag(sigmoid(W @ x + b) * (1 - sigmoid(W @ x + b))) @ W),
        c("J_x exp(A x) = A^T diag(exp(A x)) (denominator, 3x4)", "exp(A x)", "x",
          {"A": mat(4, 3), "x": vec(3)},
          lambda A, x: np.exp(A @ x), lambda A, x: A.T @ np.diag(np.exp(A @ x)),
          layout="denominator"),
        c("J_z softmax(z) = diag(s) - s s^T", "softmax(z)", "z", {"z": vec(4)},
          lambda z: softmax(z), softmax_jacobian),
        c("J_x softmax(W x) = (diag(s) - s s^T) W", "softmax(W x)", "x",
          {"W": mat(4, 3), "x": vec(3)},
          lambda W, x: softmax(W @ x), lambda W, x: softmax_jacobian(W @ x) @ W),
        c("J_x x .* y = diag(y)", "x .* y", "x", {"x": vec(3), "y": vec(3)},
          lambda x, y: x * y, lambda x, y: np.diag(y)),
        c("J_x x / norm(x) = (I - x x^T / x^T x) / norm(x)", "x / norm(x)", "x", {"x": vec(3)},
          lambda x: x / norm(x), lambda x: (np.eye(3) - outer(x, x) / (x @ x)) / norm(x)),
        c("J_w X^T (X w - y) = X^T X", "X^T (X w - y)", "w",
          {"X": mat(5, 3), "w": vec(3), "y": vec(5)},
          lambda X, w, y: X.T @ (X @ w - y), lambda X, w, y: X.T @ X),
    ]


def _hessian_cases() -> list[DerivativeCase]:
    c = DerivativeCase

    def logistic_hessian(X: np.ndarray, w: np.ndarray, y: np.ndarray) -> np.ndarray:
        s = sigmoid(y * (X @ w))
        return X.T @ np.diag(s * (1 - s)) @ X

    def softmax_ce_hessian(W: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        s = softmax(W @ x)
        return W.T @ (np.diag(s) - outer(s, s)) @ W

    # fmt: off
    return [
        c("H_x x^T A x = A + A^T", "x^T A x", "x", {"x": vec(3), "A": mat(3, 3)},
          lambda x, A: x @ A @ x, lambda x, A: A + A.T, kind="hessian"),
        c("H_z logsumexp(z) = diag(s) - s s^T", "logsumexp(z)", "z", {"z": vec(4)},
          lambda z: logsumexp(z),
          lambda z: np.diag(softmax(z)) - outer(softmax(z), softmax(z)), kind="hessian"),
        c("H_w norm(X w - y)^2 = 2 X^T X", "norm(X w - y)^2", "w",
          {"X": mat(5, 3), "w": vec(3), "y": vec(5)},
          lambda X, w, y: norm(X @ w - y) ** 2, lambda X, w, y: 2 * X.T @ X, kind="hessian"),
        c("H_x norm(x)^2 = 2 I", "norm(x)^2", "x", {"x": vec(3)},
          lambda x: norm(x) ** 2, lambda x: 2 * np.eye(3), kind="hessian"),
        c("H_x norm(x) = (I - x x^T / x^T x) / norm(x)", "norm(x)", "x", {"x": vec(3)},
          lambda x: norm(x), lambda x: (np.eye(3) - outer(x, x) / (x @ x)) / norm(x),
          kind="hessian"),
        c("H_x sum(exp(x)) = diag(exp(x))", "sum(exp(x))", "x", {"x": vec(3)},
          lambda x: np.exp(x).sum(), lambda x: np.diag(np.exp(x)), kind="hessian"),
        c("H_x a^T x = 0", "a^T x", "x", {"a": vec(3), "x": vec(3)},
          lambda a, x: a @ x, lambda a, x: np.zeros((3, 3)), kind="hessian"),
        c("H_x (a^T x)^2 = 2 a a^T", "(a^T x)^2", "x", {"a": vec(3), "x": vec(3)},
          lambda a, x: (a @ x) ** 2, lambda a, x: 2 * outer(a, a), kind="hessian"),
        c("H_w logistic loss = X^T diag(s .* (1 - s)) X", "sum(log(1 + exp(-y .* (X w))))", "w",
          {"X": mat(5, 3), "w": vec(3), "y": vec(5, "sign")},
          lambda X, w, y: np.log(1 + np.exp(-y * (X @ w))).sum(), logistic_hessian,
          kind="hessian"),
        c("H_x softmax cross-entropy = W^T (diag(s) - s s^T) W", "-y^T log(softmax(W x))", "x",
          {"W": mat(4, 3), "x": vec(3), "y": vec(4, "onehot")},
          lambda W, x, y: -y @ np.log(softmax(W @ x)), softmax_ce_hessian, kind="hessian"),
    ]


def _trust_cases() -> list[DerivativeCase]:
    """Issue 8: scalars broadcast inside products, checks that need well-chosen sizes, and
    results that must come out readable (their text is pinned in test_derivative_cases)."""
    c = DerivativeCase

    def centre(x: np.ndarray) -> np.ndarray:
        return x - x.sum() / x.size

    def centring(n: int) -> np.ndarray:
        return np.eye(n) - np.ones((n, n)) / n

    def unit_centred_jacobian(x: np.ndarray) -> np.ndarray:
        u = centre(x)
        return (np.eye(x.size) - outer(u, u) / (u @ u)) @ centring(x.size) / norm(u)

    def ce_logits(W: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return -y @ (W @ x - logsumexp(W @ x))

    def ce_logits_by_x(W: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return W.T @ (y.sum() * softmax(W @ x) - y)

    def ce_logits_by_w(W: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return outer(y.sum() * softmax(W @ x) - y, x)

    def softmax_jacobian(z: np.ndarray) -> np.ndarray:
        s = softmax(z)
        return np.diag(s) - outer(s, s)

    def sigmoid_shift(W: np.ndarray, x: np.ndarray) -> np.ndarray:
        s = sigmoid(W @ x - x.sum())
        return np.diag(s * (1 - s)) @ (W - np.ones((W.shape[0], x.size)))

    ce = {"W": mat(4, 3), "x": vec(3), "y": vec(4)}
    ce_simplex = {"W": mat(4, 3), "x": vec(3), "y": vec(4, "simplex")}
    # fmt: off
    return [
        # --- a scalar broadcast over a vector, inside products and Jacobians -------------------
        c("J_x W x - logsumexp(W x) = W - 1 s^T W", "W x - logsumexp(W x)", "x",
          {"W": mat(4, 3), "x": vec(3)},
          lambda W, x: W @ x - logsumexp(W @ x),
          lambda W, x: W - outer(np.ones(4), softmax(W @ x)) @ W),
        c("d/dx -y^T (W x - logsumexp(W x)) = W^T (sum(y) s - y)",
          "-y^T (W x - logsumexp(W x))", "x", ce, ce_logits, ce_logits_by_x),
        c("d/dW -y^T (W x - logsumexp(W x)) = (sum(y) s - y) x^T",
          "-y^T (W x - logsumexp(W x))", "W", ce, ce_logits, ce_logits_by_w),
        c("J_x A x + a^T x = A + 1 a^T", "A x + a^T x", "x",
          {"A": mat(3, 3), "x": vec(3), "a": vec(3)},
          lambda A, x, a: A @ x + a @ x, lambda A, x, a: A + outer(np.ones(3), a)),
        c("J_x A (x - sum(x)/3) = A (I - 1 1^T / 3)", "A (x - sum(x)/3)", "x",
          {"A": mat(4, 3), "x": vec(3)},
          lambda A, x: A @ centre(x), lambda A, x: A @ centring(3)),
        c("J_x c / norm(c), c = x - sum(x)/3", "(x - sum(x)/3) / norm(x - sum(x)/3)", "x",
          {"x": vec(3)}, lambda x: centre(x) / norm(centre(x)), unit_centred_jacobian),
        c("J_x exp(x - logsumexp(x)) = diag(s) - s s^T (broadcast under exp)",
          "exp(x - logsumexp(x))", "x", {"x": vec(4)},
          lambda x: np.exp(x - logsumexp(x)), lambda x: softmax_jacobian(x)),
        c("J_z log(softmax(z)) = I - 1 s^T", "log(softmax(z))", "z", {"z": vec(4)},
          lambda z: np.log(softmax(z)), lambda z: np.eye(4) - outer(np.ones(4), softmax(z))),
        c("J_x sigmoid(W x - sum(x)) = diag(s .* (1 - s)) (W - 1 1^T)",
          "sigmoid(W x - sum(x))", "x", {"W": mat(4, 3), "x": vec(3)},
          lambda W, x: sigmoid(W @ x - x.sum()), sigmoid_shift),
        c("J_x sum(x) ./ x = (1 ./ x) 1^T - sum(x) diag(1 ./ x.^2)", "sum(x) ./ x", "x",
          {"x": vec(3, "positive")}, lambda x: x.sum() / x,
          lambda x: outer(1 / x, np.ones(3)) - x.sum() * np.diag(1 / x**2)),
        c("d/dx norm(x - sum(x)/3)^2 = 2 (x - mean)", "norm(x - sum(x)/3)^2", "x", {"x": vec(3)},
          lambda x: norm(centre(x)) ** 2, lambda x: 2 * centre(x)),
        c("H_x norm(x - sum(x)/3)^2 = 2 (I - 1 1^T / 3)", "norm(x - sum(x)/3)^2", "x",
          {"x": vec(3)}, lambda x: norm(centre(x)) ** 2, lambda x: 2 * centring(3),
          kind="hessian"),
        c("d/dX tr(A (X - sum(X))) = A^T - sum(A) 1 1^T (broadcast over a matrix)",
          "tr(A (X - sum(X)))", "X", {"X": mat(3, 4), "A": mat(4, 3)},
          lambda X, A: tr(A @ (X - X.sum())), lambda X, A: A.T - A.sum() * np.ones((3, 4))),
        # --- checks that need sizes chosen for the inverses: X must be tall, or wide -----------
        c("d/dX tr(inv(X^T X)) = -2 X (X^T X)^-2 (sizes undeclared)", "tr(inv(X^T X))", "X",
          {"X": mat(5, 3)}, lambda X: tr(inv(X.T @ X)),
          lambda X: -2 * X @ inv(X.T @ X) @ inv(X.T @ X), declare="none"),
        c("d/dX log(det(X^T X)) = 2 X (X^T X)^-1 (sizes undeclared)", "log(det(X^T X))", "X",
          {"X": mat(5, 3)}, lambda X: np.log(det(X.T @ X)),
          lambda X: 2 * X @ inv(X.T @ X), declare="none"),
        c("d/dX logdet(X^T X) = 2 X (X^T X)^-1 (named sizes)", "logdet(X^T X)", "X",
          {"X": mat(4, 3)}, lambda X: logdet(X.T @ X),
          lambda X: 2 * X @ inv(X.T @ X), declare="names"),
        c("d/dX tr(inv(X X^T)) = -2 (X X^T)^-2 X (wide X, sizes undeclared)", "tr(inv(X X^T))",
          "X", {"X": mat(3, 5)}, lambda X: tr(inv(X @ X.T)),
          lambda X: -2 * inv(X @ X.T) @ inv(X @ X.T) @ X, declare="none"),
        c("d/dX logdet(X^T S X) = 2 S X (X^T S X)^-1 (named sizes, S spd)", "logdet(X^T S X)",
          "X", {"X": mat(4, 3), "S": mat(4, 4, "spd")}, lambda X, S: logdet(X.T @ S @ X),
          lambda X, S: 2 * S @ X @ inv(X.T @ S @ X), declare="names"),
        # --- readable results ---------------------------------------------------------------
        c("d/dz -y^T log(softmax(z)) = softmax(z) - y (y simplex)", "-y^T log(softmax(z))", "z",
          {"y": vec(4, "simplex"), "z": vec(4)},
          lambda y, z: -y @ np.log(softmax(z)), lambda y, z: softmax(z) - y),
        c("d/dz -y^T log(softmax(z)) = sum(y) softmax(z) - y", "-y^T log(softmax(z))", "z",
          {"y": vec(4, "positive"), "z": vec(4)},
          lambda y, z: -y @ np.log(softmax(z)), lambda y, z: y.sum() * softmax(z) - y),
        c("H_z -y^T log(softmax(z)) = diag(s) - s s^T (y simplex)", "-y^T log(softmax(z))",
          "z", {"y": vec(4, "simplex"), "z": vec(4)},
          lambda y, z: -y @ np.log(softmax(z)), lambda y, z: softmax_jacobian(z),
          kind="hessian"),
        c("d/dx -y^T (W x - logsumexp(W x)) = W^T (softmax(W x) - y) (y simplex)",
          "-y^T (W x - logsumexp(W x))", "x", ce_simplex, ce_logits,
          lambda W, x, y: W.T @ (softmax(W @ x) - y)),
        c("d/dy -y^T log(softmax(z)) = -log(softmax(z)) (by the simplex variable)",
          "-y^T log(softmax(z))", "y", {"y": vec(4, "simplex"), "z": vec(4)},
          lambda y, z: -y @ np.log(softmax(z)), lambda y, z: -np.log(softmax(z))),
        c("d/dX tr(X^4) = 4 (X^3)^T", "tr(X^4)", "X", {"X": mat(3, 3)},
          lambda X: tr(X @ X @ X @ X), lambda X: 4 * (X @ X @ X).T),
        c("d/dx -(x - mu)^T (x - mu) / (2 sigma^2) = -(x - mu) / sigma^2",
          "-(x - mu)^T (x - mu) / (2 sigma^2)", "x",
          {"x": vec(3), "mu": vec(3), "sigma": scalar("positive")},
          lambda x, mu, sigma: -(x - mu) @ (x - mu) / (2 * sigma**2),
          lambda x, mu, sigma: -(x - mu) / sigma**2),
        c("d/dx x^T diag(a) (b ./ a) = b", "x^T diag(a) (b ./ a)", "x",
          {"x": vec(3), "a": vec(3, "positive"), "b": vec(3)},
          lambda x, a, b: x @ np.diag(a) @ (b / a), lambda x, a, b: b),
        c("d/dx (b ./ a)^T diag(a) x = b", "(b ./ a)^T diag(a) x", "x",
          {"x": vec(3), "a": vec(3, "positive"), "b": vec(3)},
          lambda x, a, b: (b / a) @ np.diag(a) @ x, lambda x, a, b: b),
    ]


CASES: list[DerivativeCase] = _cases() + _trust_cases()
