"""One-click examples for the calculator: Matrix Cookbook identities and ML losses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Example:
    title: str
    expression: str
    wrt: str
    group: str
    variables: dict[str, Any] = field(default_factory=dict)
    kind: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "expression": self.expression,
            "wrt": self.wrt,
            "variables": self.variables,
            "kind": self.kind,
        }


GALLERY: tuple[Example, ...] = (
    Example("Quadratic form", "x^T A x", "x", "Vectors"),
    Example(
        "Quadratic form, A symmetric",
        "x^T A x",
        "x",
        "Vectors",
        {"A": {"shape": ["n", "n"], "properties": ["symmetric"]}},
    ),
    Example("Linear function", "a^T x", "x", "Vectors"),
    Example("Squared norm", "norm(x)^2", "x", "Vectors"),
    Example("Linear map (Jacobian)", "A x", "x", "Vectors"),
    Example("Trace of a product", "tr(A X)", "X", "Trace"),
    Example("Trace of XᵀAX", "tr(X^T A X)", "X", "Trace"),
    Example("Trace of AXB", "tr(A X B)", "X", "Trace"),
    Example("Log-determinant", "log(det(X))", "X", "Determinant and inverse"),
    Example("Determinant", "det(X)", "X", "Determinant and inverse"),
    Example("Inverse in a bilinear form", "a^T inv(X) b", "X", "Determinant and inverse"),
    Example("Least squares", "norm(X w - y)^2", "w", "Machine learning"),
    Example("Ridge regression", "norm(X w - y)^2 + lambda norm(w)^2", "w", "Machine learning"),
    Example("Logistic loss", "sum(log(1 + exp(-y .* (X w))))", "w", "Machine learning"),
    Example("Softmax cross-entropy", "-y^T log(softmax(W x))", "W", "Machine learning"),
    Example(
        "Gaussian negative log-likelihood",
        "1/2 logdet(S) + 1/2 (x - m)^T inv(S) (x - m)",
        "S",
        "Machine learning",
        {"S": {"shape": ["n", "n"], "properties": ["spd"]}},
    ),
    Example("A tanh layer", "tanh(W x + b)", "x", "Machine learning"),
    Example("Softmax (Jacobian)", "softmax(z)", "z", "Machine learning"),
    Example("Hessian of a quadratic form", "x^T A x", "x", "Hessians", kind="hessian"),
    Example("Hessian of log-sum-exp", "logsumexp(z)", "z", "Hessians", kind="hessian"),
)
