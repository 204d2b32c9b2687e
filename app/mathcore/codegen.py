"""NumPy code for an expression and its derivative, with shape asserts.

The code is generated from our own tree (never from learner text), for learners to copy.
Vectors are column arrays of shape ``(n, 1)``; scalars are Python floats.
"""

from __future__ import annotations

import keyword
from fractions import Fraction

from app.mathcore.tree import (
    Apply,
    Call,
    Constant,
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
    Shape,
    Sum,
    Symbol,
    Transpose,
)
from app.mathcore.variables import Variable

_FUNCTIONS = {
    "exp": "np.exp",
    "log": "np.log",
    "sin": "np.sin",
    "cos": "np.cos",
    "tan": "np.tan",
    "tanh": "np.tanh",
    "sqrt": "np.sqrt",
    "abs": "np.abs",
    "sign": "np.sign",
    "sigmoid": "sigmoid",
    "softplus": "softplus",
    "relu": "relu",
    "step": "step",
}

_HELPERS = {
    "sigmoid": "def sigmoid(u):\n    return 1.0 / (1.0 + np.exp(-u))\n",
    "softplus": "def softplus(u):\n    return np.logaddexp(0.0, u)\n",
    "relu": "def relu(u):\n    return np.maximum(u, 0.0)\n",
    "step": "def step(u):\n    return (u > 0).astype(float)\n",
    "softmax": "def softmax(z):\n    e = np.exp(z - z.max())\n    return e / e.sum()\n",
    "logsumexp": "def logsumexp(z):\n    top = z.max()\n    return top + np.log(np.exp(z - top).sum())\n",
}


def python_name(name: str) -> str:
    return name + "_" if keyword.iskeyword(name) or name in {"np", "sigmoid", "softmax"} else name


def _dim(dim: Dim) -> str:
    return str(dim)


class _Writer:
    def __init__(self) -> None:
        self.helpers: set[str] = set()

    def code(self, e: Expr) -> str:
        if isinstance(e, Number):
            value = e.value
            return (
                str(value.numerator) + ".0"
                if value.denominator == 1
                else f"({value.numerator} / {value.denominator})"
            )
        if isinstance(e, Constant):
            return "np.e" if e.name == "e" else "np.pi"
        if isinstance(e, Symbol):
            return python_name(e.name)
        if isinstance(e, Identity):
            return f"np.eye({_dim(e.size)})"
        if isinstance(e, Ones):
            return f"np.ones(({_dim(e.dims[0])}, {_dim(e.dims[1])}))"
        if isinstance(e, Sum):
            return "(" + " + ".join(self.code(t) for t in e.terms) + ")"
        if isinstance(e, Product):
            scalars = [self.code(f) for f in e.factors if f.is_scalar]
            arrays = [self.code(f) for f in e.factors if not f.is_scalar]
            parts = scalars + ([" @ ".join(arrays)] if arrays else [])
            return "(" + " * ".join(parts) + ")"
        if isinstance(e, Power):
            if e.base.is_scalar:
                return f"({self.code(e.base)} ** {self.code(e.exponent)})"
            assert isinstance(e.exponent, Number)
            return f"np.linalg.matrix_power({self.code(e.base)}, {int(e.exponent.value)})"
        if isinstance(e, Transpose):
            return f"{self.code(e.arg)}.T"
        if isinstance(e, Inverse):
            return f"np.linalg.inv({self.code(e.arg)})"
        if isinstance(e, Hadamard):
            return "(" + " * ".join(self.code(f) for f in e.factors) + ")"
        if isinstance(e, Quotient):
            return f"({self.code(e.numerator)} / {self.code(e.denominator)})"
        if isinstance(e, ElementPower):
            return f"({self.code(e.base)} ** {self.code(e.exponent)})"
        if isinstance(e, Apply):
            function = _FUNCTIONS[e.function]
            if function in _HELPERS:
                self.helpers.add(function)
            return f"{function}({self.code(e.arg)})"
        if isinstance(e, Call):
            return self._call(e)
        if isinstance(e, MatrixLiteral):
            rows = ", ".join(
                "[" + ", ".join(f"float({self.code(x)})" for x in row) + "]" for row in e.rows
            )
            return f"np.array([{rows}])"
        raise TypeError(f"no NumPy code for {type(e).__name__}")

    def _call(self, e: Call) -> str:
        arg = self.code(e.arg)
        name = e.function
        if name == "tr":
            return f"np.trace({arg})"
        if name == "det":
            return f"np.linalg.det({arg})"
        if name == "logdet":
            return f"np.linalg.slogdet({arg})[1]"
        if name == "sum":
            return f"np.sum({arg})"
        if name == "norm":
            return f"np.linalg.norm({arg})"
        if name in {"softmax", "logsumexp"}:
            self.helpers.add(name)
            return f"{name}({arg})"
        if name == "diag":
            if e.arg.shape[1] == 1:
                return f"np.diagflat({arg})"
            return f"np.diag({arg}).reshape(-1, 1)"
        raise TypeError(name)


def _shape_tuple(shape: Shape) -> str:
    return f"({_dim(shape[0])}, {_dim(shape[1])})"


def numpy_code(
    f: Expr,
    result: Expr,
    variables: dict[str, Variable],
    result_name: str,
    f_text: str,
    result_text: str,
) -> str:
    """Two functions, ``f`` and ``result_name`` (e.g. ``grad_f``), taking the variables."""
    writer = _Writer()
    f_body = writer.code(f)
    result_body = writer.code(result)
    params = ", ".join(python_name(n) for n in variables)
    lines = ["import numpy as np", ""]
    for helper in sorted(writer.helpers):
        lines += [_HELPERS[helper]]
    checks = _shape_checks(variables)
    lines += [
        f"def f({params}):",
        f'    """f = {f_text}"""',
        *checks,
        f"    value = {f_body}",
        "    return float(np.squeeze(value))" if f.is_scalar else "    return value",
        "",
        "",
        f"def {result_name}({params}):",
        f'    """{result_text}"""',
        *checks,
        f"    value = {result_body}",
    ]
    if result.is_scalar:
        lines.append("    return float(np.squeeze(value))")
    else:
        if _broadcasts(result):
            lines.append(f"    value = value * np.ones({_shape_tuple(result.shape)})")
        lines.append(f"    assert value.shape == {_shape_tuple(result.shape)}")
        lines.append("    return value")
    return "\n".join(lines) + "\n"


def _broadcasts(result: Expr) -> bool:
    """Whether a scalar term is added to an array somewhere (NumPy broadcasts it)."""
    return any(
        isinstance(n, Sum) and not n.is_scalar and any(t.is_scalar for t in n.terms)
        for n in result.walk()
    )


def _shape_checks(variables: dict[str, Variable]) -> list[str]:
    lines: list[str] = []
    known: set[str] = set()
    for name, variable in variables.items():
        if variable.shape == (1, 1):
            continue
        pname = python_name(name)
        for axis, dim in enumerate(variable.shape):
            if isinstance(dim, str) and dim not in known:
                lines.append(f"    {dim} = {pname}.shape[{axis}]")
                known.add(dim)
        kind = "a column vector" if variable.shape[1] == 1 else "a matrix"
        lines.append(
            f"    assert {pname}.shape == {_shape_tuple(variable.shape)}, "
            f'"{name} must be {kind} of shape {_shape_tuple(variable.shape)}"'
        )
    return lines


Writer = _Writer
"""Writes NumPy code for one tree at a time, collecting the helpers it needs."""
HELPERS = _HELPERS
shape_checks = _shape_checks
shape_tuple = _shape_tuple

__all__ = [
    "HELPERS",
    "Writer",
    "numpy_code",
    "python_name",
    "shape_checks",
    "shape_tuple",
    "Fraction",
]
