"""Benchmark: our derivative engine against SymPy's MatrixSymbol calculus, on the shared case table.

Run ``.venv/bin/python bench/derivatives.py``; it prints markdown (a summary, then one line per
case) for docs/benchmarks.md. Both engines are judged the same way: the value of the derivative at
the case's seeded inputs must match fourth-order finite differences of the table's own NumPy
reference (rtol 1e-5), in the shape the case asks for.

- Engine: ``POST /api/derivative`` in-process through TestClient. One untimed pass warms it up,
  then each case is timed REPEATS times and the median kept. The time covers the whole request
  (parsing, differentiating, verifying, evaluating at ``at``, JSON), so it is an upper bound.
- SymPy: each expression is written by hand below from MatrixSymbol, Trace, Determinant, Inverse,
  HadamardProduct and ``applyfunc`` (the natural translation, not one tuned until SymPy copes),
  differentiated with ``.diff`` in a worker process with a per-case time limit, then evaluated by
  substituting explicit matrices and calling ``.doit()``. Only ``.diff`` is timed, on a cleared
  cache. SymPy answers vector-by-vector derivatives in denominator layout (d(A x)/dx = A.T), so a
  Jacobian is transposed when the case asks for numerator layout.
"""

from __future__ import annotations

import multiprocessing as mp
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # a script: make `tests` importable

from tests.mathcore.derivative_cases import CASES as TABLE  # noqa: E402
from tests.mathcore.derivative_cases import DerivativeCase  # noqa: E402
from tests.mathcore.test_tensor_cases import CASES as TENSOR_TABLE  # noqa: E402
from tests.mathcore.test_tensor_cases import TensorCase  # noqa: E402

REPEATS = 5
SYMPY_REPEATS = 3
SYMPY_TIME_LIMIT = 8.0  # seconds per case, for differentiating and evaluating together
RTOL, ATOL = 1e-5, 1e-6  # as in tests/mathcore/test_derivative_cases.py


@dataclass(frozen=True)
class TensorRow:
    """A row of the tensor table (tests/mathcore/test_tensor_cases.py) in the shape of a
    :class:`DerivativeCase`: the answer is the vec-Jacobian ∂vec(F)/∂vec(X) in numerator
    layout (column-major vec), or the Hessian ∂²f/∂vec(X)∂vec(X)ᵀ."""

    case: TensorCase
    layout: str = "numerator"

    @property
    def id(self) -> str:
        return self.case.id

    @property
    def expression(self) -> str:
        return self.case.expression

    @property
    def wrt(self) -> str:
        return self.case.wrt

    @property
    def variables(self) -> Any:
        return self.case.variables

    @property
    def tensor(self) -> bool:
        return True

    def sample(self) -> dict[str, np.ndarray]:
        return self.case.sample()

    def effective_kind(self, inputs: Any) -> str:
        return self.case.kind

    def numeric(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        return self.case.jacobian(inputs)

    def function_shape(self, inputs: dict[str, np.ndarray]) -> tuple[int, int]:
        """F's shape as a matrix (the gradient's, X's, for a Hessian)."""
        value = np.asarray(
            inputs[self.wrt] if self.case.kind == "hessian" else self.case.f(**inputs)
        )
        return (*value.shape, 1, 1)[:2]  # type: ignore[return-value]

    def request(self, inputs: dict[str, np.ndarray]) -> dict[str, Any]:
        return {
            "expression": self.expression,
            "wrt": self.wrt,
            "variables": self.case.declarations(),
            "kind": self.case.kind,
            "layout": self.layout,
            "at": {name: np.asarray(v, dtype=float).tolist() for name, v in inputs.items()},
        }


Case = DerivativeCase | TensorRow
CASES: list[Case] = [*TABLE, *(TensorRow(case) for case in TENSOR_TABLE)]


@dataclass
class Outcome:
    status: str  # "correct", "wrong" or "failed"
    detail: str = ""
    seconds: float | None = None

    def cell(self) -> str:
        return self.status + (f": {self.detail}" if self.detail else "")


def judge(case: Case, inputs: dict[str, np.ndarray], value: Any) -> Outcome:
    expected = case.numeric(inputs)
    got = np.asarray(value, dtype=float)
    if got.shape != expected.shape:
        return Outcome("wrong", f"shape {list(got.shape)}, expected {list(expected.shape)}")
    atol = ATOL * max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    if not np.allclose(got, expected, rtol=RTOL, atol=atol):
        return Outcome("wrong", f"max error {float(np.max(np.abs(got - expected))):.3g}")
    return Outcome("correct")


# --- our engine ----------------------------------------------------------------------------------


def run_engine(cases: list[Case]) -> list[Outcome]:
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.settings import Settings

    with tempfile.TemporaryDirectory() as scratch:
        try:
            # one client posting every case in a loop: the per-client rate limit is not measured
            app = create_app(
                Settings(database_url=f"sqlite:///{scratch}/bench.db", rate_limit=False)
            )
        except Exception as error:  # the app under construction may not start: report, go on
            return [Outcome("failed", f"app did not start: {error!r}") for _ in cases]
        with TestClient(app) as client:
            bodies = [case.request(case.sample()) for case in cases]
            for body in bodies:  # warm-up, untimed
                client.post("/api/derivative", json=body)
            outcomes = []
            for case, body in zip(cases, bodies, strict=True):
                times = []
                for _ in range(REPEATS):
                    start = time.perf_counter()
                    response = client.post("/api/derivative", json=body)
                    times.append(time.perf_counter() - start)
                outcome = judge_engine(case, response.status_code, response.json())
                if outcome.status != "failed":
                    outcome.seconds = statistics.median(times)
                outcomes.append(outcome)
    return outcomes


def judge_engine(case: Case, status: int, body: Any) -> Outcome:
    if status != 200:
        error = body.get("error", body) if isinstance(body, dict) else body
        return Outcome("failed", f"HTTP {status} {error}"[:140])
    try:
        outcome = judge(case, case.sample(), body.get("value"))
    except (TypeError, ValueError) as error:
        return Outcome("wrong", f"value unreadable: {error}"[:140])
    if outcome.status == "correct" and body.get("verified") is not True:
        outcome.detail = "but verified is false"
    return outcome


# --- SymPy ---------------------------------------------------------------------------------------

Builder = Callable[[SimpleNamespace], Any]


def sympy_builders() -> dict[str, Builder]:
    """Each table expression written with SymPy's matrix expressions, keyed by its text."""
    import sympy as sp
    from sympy import Determinant as Det
    from sympy import HadamardPower, HadamardProduct, Identity, OneMatrix, S, Trace
    from sympy.matrices.expressions.diagonal import DiagMatrix

    log, exp, sqrt, tanh = sp.log, sp.exp, sp.sqrt, sp.tanh

    def total(v: Any) -> Any:
        return OneMatrix(1, v.shape[0]) * v

    def ew(f: Callable[[Any], Any], v: Any) -> Any:
        return v.applyfunc(f)

    def sigmoid(t: Any) -> Any:
        return 1 / (1 + exp(-t))

    def softplus(t: Any) -> Any:
        return log(1 + exp(t))

    def softmax(z: Any) -> Any:
        e = ew(exp, z)
        return e * (total(e)) ** -1

    def sq(r: Any) -> Any:
        return r.T * r

    def frob2(r: Any) -> Any:
        return Trace(r.T * r)

    def ones(v: Any) -> Any:
        return OneMatrix(v.shape[0], 1)

    def xent(v: SimpleNamespace) -> Any:
        z = v.X * v.w
        return -(
            v.y.T * ew(lambda t: log(sigmoid(t)), z)
            + (ones(v.y) - v.y).T * ew(lambda t: log(1 - sigmoid(t)), z)
        )

    def xent_elementwise(v: SimpleNamespace) -> Any:
        z = v.X * v.w
        return -total(
            HadamardProduct(v.y, ew(lambda t: log(sigmoid(t)), z))
            + HadamardProduct(ones(v.y) - v.y, ew(lambda t: log(1 - sigmoid(t)), z))
        )

    def logistic(v: SimpleNamespace) -> Any:
        return total(ew(lambda t: log(1 + exp(t)), HadamardProduct(-v.y, v.X * v.w)))

    def column(v: Any) -> Any:
        return OneMatrix(v.shape[0], 1)

    def spread(s: Any, like: Any) -> Any:
        """The scalar ``s`` (a 1×1 expression) broadcast over the shape of ``like``."""
        return OneMatrix(like.shape[0], 1) * s * OneMatrix(1, like.shape[1])

    def entries(m: Any) -> Any:
        return OneMatrix(1, m.shape[0]) * m * OneMatrix(m.shape[1], 1)

    def centred(x: Any) -> Any:
        return x - spread(total(x), x) / x.shape[0]

    def nll(v: SimpleNamespace) -> Any:
        r = v.x - v.mu
        return S.Half * log(Det(v.S)) + S.Half * r.T * v.S.I * r

    return {
        "tr(A X)": lambda v: Trace(v.A * v.X),
        "tr(X A)": lambda v: Trace(v.X * v.A),
        "tr(X^T A)": lambda v: Trace(v.X.T * v.A),
        "tr(X' A)": lambda v: Trace(v.X.T * v.A),
        "tr(A X^T)": lambda v: Trace(v.A * v.X.T),
        "tr(A @ X)": lambda v: Trace(v.A * v.X),
        "tr(A X B)": lambda v: Trace(v.A * v.X * v.B),
        "tr(A X^T B)": lambda v: Trace(v.A * v.X.T * v.B),
        "tr(X^T A X)": lambda v: Trace(v.X.T * v.A * v.X),
        "tr(X A X^T)": lambda v: Trace(v.X * v.A * v.X.T),
        "tr(A X^T X)": lambda v: Trace(v.A * v.X.T * v.X),
        "tr(X B X^T C)": lambda v: Trace(v.X * v.B * v.X.T * v.C),
        "tr(X^T X)": lambda v: Trace(v.X.T * v.X),
        "tr(X)": lambda v: Trace(v.X),
        "tr(X^2)": lambda v: Trace(v.X**2),
        "tr(X^3)": lambda v: Trace(v.X**3),
        "tr(X^{-1} A)": lambda v: Trace(v.X.I * v.A),
        "tr(A X^{-1} B)": lambda v: Trace(v.A * v.X.I * v.B),
        "tr(inv(X))": lambda v: Trace(v.X.I),
        "det(X)": lambda v: Det(v.X),
        "log(det(X))": lambda v: log(Det(v.X)),
        "log(abs(det(X)))": lambda v: log(sp.Abs(Det(v.X))),
        "logdet(S)": lambda v: log(Det(v.S)),
        "logdet(X^T X)": lambda v: log(Det(v.X.T * v.X)),
        "det(A X B)": lambda v: Det(v.A * v.X * v.B),
        "det(X^T A X)": lambda v: Det(v.X.T * v.A * v.X),
        "det(inv(X))": lambda v: Det(v.X.I),
        "det(X)^2": lambda v: Det(v.X) ** 2,
        "det(2 X)": lambda v: Det(2 * v.X),
        "logdet(S) + tr(inv(S) A)": lambda v: log(Det(v.S)) + Trace(v.S.I * v.A),
        "a^T X^{-1} b": lambda v: v.a.T * v.X.I * v.b,
        "a^T inv(X) b": lambda v: v.a.T * v.X.I * v.b,
        "a^T X^{-T} b": lambda v: v.a.T * v.X.I.T * v.b,
        "x^T inv(A) x": lambda v: v.x.T * v.A.I * v.x,
        "a^T x": lambda v: v.a.T * v.x,
        "x^T a": lambda v: v.x.T * v.a,
        "x^T A x": lambda v: v.x.T * v.A * v.x,
        "x' A x": lambda v: v.x.T * v.A * v.x,
        "x^T x": lambda v: v.x.T * v.x,
        "norm(x)": lambda v: sqrt(v.x.T * v.x),
        "norm(x)^2": lambda v: v.x.T * v.x,
        "norm(A x - b)^2": lambda v: sq(v.A * v.x - v.b),
        "x^T A y": lambda v: v.x.T * v.A * v.y,
        "a^T X^T b": lambda v: v.a.T * v.X.T * v.b,
        "sum(x)": lambda v: total(v.x),
        "sum(exp(x))": lambda v: total(ew(exp, v.x)),
        "sum(log(x))": lambda v: total(ew(log, v.x)),
        "sum(sqrt(x))": lambda v: total(ew(sqrt, v.x)),
        "sum(abs(x))": lambda v: total(ew(sp.Abs, v.x)),
        "sum(a .* x)": lambda v: total(HadamardProduct(v.a, v.x)),
        "sum(x .^ 3)": lambda v: total(HadamardPower(v.x, 3)),
        "sum(x ./ y)": lambda v: total(HadamardProduct(v.x, HadamardPower(v.y, -1))),
        "(a^T x)^2": lambda v: (v.a.T * v.x) ** 2,
        "exp(a^T x)": lambda v: exp(v.a.T * v.x),
        "1/2 x^T A x - b^T x": lambda v: S.Half * v.x.T * v.A * v.x - v.b.T * v.x,
        "x^T (A + I) x": lambda v: v.x.T * (v.A + Identity(3)) * v.x,
        "x^T A x / (x^T x)": lambda v: (v.x.T * v.A * v.x) * (v.x.T * v.x) ** -1,
        "sqrt(x^T A x)": lambda v: sqrt(v.x.T * v.A * v.x),
        "a^T diag(x) b": lambda v: v.a.T * DiagMatrix(v.x) * v.b,
        "x^T diag(w) x": lambda v: v.x.T * DiagMatrix(v.w) * v.x,
        "logsumexp(z)": lambda v: log(total(ew(exp, v.z))),
        "norm(X)": lambda v: sqrt(frob2(v.X)),
        "norm(X)^2": lambda v: frob2(v.X),
        "norm(A X - B)^2": lambda v: frob2(v.A * v.X - v.B),
        "norm(X A - B)^2": lambda v: frob2(v.X * v.A - v.B),
        "norm(X w - y)^2": lambda v: sq(v.X * v.w - v.y),
        "norm(X w - y)^2 + lambda norm(w)^2": lambda v: sq(v.X * v.w - v.y) + v.lam * sq(v.w),
        "sum(log(1 + exp(-y .* (X w))))": logistic,
        "-(y^T log(sigmoid(X w)) + (1 - y)^T log(1 - sigmoid(X w)))": xent,
        "-sum(y .* log(sigmoid(X w)) + (1 - y) .* log(1 - sigmoid(X w)))": xent_elementwise,
        "sum(softplus(X w) - y .* (X w))": lambda v: total(
            ew(softplus, v.X * v.w) - HadamardProduct(v.y, v.X * v.w)
        ),
        "-y^T log(softmax(W x))": lambda v: -v.y.T * ew(log, softmax(v.W * v.x)),
        "logsumexp(W x) - y^T W x": lambda v: log(total(ew(exp, v.W * v.x))) - v.y.T * v.W * v.x,
        "1/2 logdet(S) + 1/2 (x - mu)^T inv(S) (x - mu)": nll,
        "sum(tanh(W x + b))": lambda v: total(ew(tanh, v.W * v.x + v.b)),
        "norm(tanh(W x + b) - y)^2": lambda v: sq(ew(tanh, v.W * v.x + v.b) - v.y),
        "norm(V tanh(W x + b) - y)^2": lambda v: sq(v.V * ew(tanh, v.W * v.x + v.b) - v.y),
        "sum(softplus(W x + b))": lambda v: total(ew(softplus, v.W * v.x + v.b)),
        "sum(relu(W x + b))": lambda v: total(ew(lambda t: sp.Max(t, 0), v.W * v.x + v.b)),
        "x^2 sin(x)": lambda v: v.x**2 * sp.sin(v.x),
        "3 x^4 + 2 x e^x + sin(x^2)": lambda v: 3 * v.x**4 + 2 * v.x * exp(v.x) + sp.sin(v.x**2),
        "log(x) / x": lambda v: log(v.x) / v.x,
        "sqrt(1 + x^2)": lambda v: sqrt(1 + v.x**2),
        "sigmoid(x)": lambda v: (
            ew(sigmoid, v.x) if isinstance(v.x, sp.MatrixSymbol) else sigmoid(v.x)
        ),
        "tanh(x)^2": lambda v: tanh(v.x) ** 2,
        "exp(-x^2/2)": lambda v: exp(-(v.x**2) / 2),
        "exp(x)": lambda v: ew(exp, v.x),
        "A x": lambda v: v.A * v.x,
        "A @ x + b": lambda v: v.A * v.x + v.b,
        "A x + b": lambda v: v.A * v.x + v.b,
        "tanh(W x + b)": lambda v: ew(tanh, v.W * v.x + v.b),
        "sigmoid(W x + b)": lambda v: ew(sigmoid, v.W * v.x + v.b),
        "exp(A x)": lambda v: ew(exp, v.A * v.x),
        "softmax(z)": lambda v: softmax(v.z),
        "softmax(W x)": lambda v: softmax(v.W * v.x),
        "x .* y": lambda v: HadamardProduct(v.x, v.y),
        "x / norm(x)": lambda v: v.x * sqrt(v.x.T * v.x) ** -1,
        "X^T (X w - y)": lambda v: v.X.T * (v.X * v.w - v.y),
        # issue 8: scalars broadcast inside products, sizes for inverses, readable results.
        # Not here: a logsumexp broadcast over a vector (W x - logsumexp(W x)), which SymPy
        # builds but cannot evaluate, so its answer could not be judged fairly.
        "A x + a^T x": lambda v: v.A * v.x + column(v.x) * (v.a.T * v.x),
        "A (x - sum(x)/3)": lambda v: v.A * centred(v.x),
        "(x - sum(x)/3) / norm(x - sum(x)/3)": (
            lambda v: centred(v.x) * sqrt(sq(centred(v.x))) ** -1
        ),
        "log(softmax(z))": lambda v: ew(log, softmax(v.z)),
        "sigmoid(W x - sum(x))": lambda v: ew(sigmoid, v.W * v.x - spread(total(v.x), v.W * v.x)),
        "norm(x - sum(x)/3)^2": lambda v: sq(centred(v.x)),
        "tr(A (X - sum(X)))": lambda v: Trace(v.A * (v.X - spread(entries(v.X), v.X))),
        "tr(inv(X^T X))": lambda v: Trace((v.X.T * v.X).I),
        "log(det(X^T X))": lambda v: log(Det(v.X.T * v.X)),
        "tr(inv(X X^T))": lambda v: Trace((v.X * v.X.T).I),
        "logdet(X^T S X)": lambda v: log(Det(v.X.T * v.S * v.X)),
        "-y^T log(softmax(z))": lambda v: -v.y.T * ew(log, softmax(v.z)),
        "tr(X^4)": lambda v: Trace(v.X**4),
        "-(x - mu)^T (x - mu) / (2 sigma^2)": lambda v: -sq(v.x - v.mu) / (2 * v.sigma**2),
        "x^T diag(a) (b ./ a)": (
            lambda v: v.x.T * DiagMatrix(v.a) * HadamardProduct(v.b, HadamardPower(v.a, -1))
        ),
        "(b ./ a)^T diag(a) x": (
            lambda v: HadamardProduct(v.b, HadamardPower(v.a, -1)).T * DiagMatrix(v.a) * v.x
        ),
        # issue 13: matrix-by-matrix derivatives and Hessians by a matrix
        "A X B": lambda v: v.A * v.X * v.B,
        "X^T": lambda v: v.X.T,
        "inv(X)": lambda v: v.X.I,
        "X^T X": lambda v: v.X.T * v.X,
        "X .* X": lambda v: HadamardProduct(v.X, v.X),
        "sigmoid(W x)": lambda v: ew(sigmoid, v.W * v.x),
        "x x^T": lambda v: v.x * v.x.T,
        "norm(W X - Y)^2": lambda v: frob2(v.W * v.X - v.Y),
        "logdet(X)": lambda v: log(Det(v.X)),
    }


def sympy_symbols(case: Case) -> tuple[SimpleNamespace, dict[str, Any]]:
    import sympy as sp

    symbols: dict[str, Any] = {}
    for name, var in case.variables.items():
        if var.shape == ():
            symbols[name] = sp.Symbol(name, real=True)
        else:
            rows, cols = (*var.shape, 1)[:2]
            symbols[name] = sp.MatrixSymbol(name, rows, cols)
    namespace = SimpleNamespace(**{("lam" if n == "lambda" else n): s for n, s in symbols.items()})
    return namespace, symbols


def sympy_value(result: Any, symbols: dict[str, Any], inputs: dict[str, np.ndarray]) -> Any:
    """Turn SymPy's answer into a NumPy array at the inputs: substitute, else lambdify."""
    import sympy as sp

    values, arguments = {}, []
    for name, symbol in symbols.items():
        value = np.asarray(inputs[name], dtype=float)
        if value.ndim == 0:
            values[symbol] = sp.Float(float(value))
            arguments.append(float(value))
        else:
            values[symbol] = sp.ImmutableMatrix(value.reshape(symbol.shape).tolist())
            arguments.append(value.reshape(symbol.shape))
    try:
        evaluated = result.subs(values).doit()
        if hasattr(evaluated, "as_explicit"):  # array expressions (PermuteDims, ArrayAdd, ...)
            evaluated = evaluated.as_explicit()
        if hasattr(evaluated, "doit"):
            evaluated = evaluated.doit()
        array = np.array(evaluated.tolist() if hasattr(evaluated, "tolist") else evaluated)
        return np.vectorize(lambda e: complex(sp.N(e)))(array.astype(object))
    except Exception:  # SymPy cannot make some of its own array expressions explicit
        function = sp.lambdify(list(symbols.values()), result, "numpy")
        return np.asarray(function(*arguments), dtype=complex)


def sympy_case(index: int) -> tuple[str, str, list[float], Any]:
    """Differentiate one case with SymPy: (status, detail, seconds of .diff, value or None)."""
    import sympy as sp
    from sympy.core.cache import clear_cache

    warnings.simplefilter("ignore")  # SymPy's deprecation notices from inside .diff
    case = CASES[index]
    builder = sympy_builders().get(case.expression)
    if builder is None:
        return "failed", "not expressible", [], None
    kind = case.effective_kind(case.sample())
    namespace, symbols = sympy_symbols(case)
    wrt = symbols[case.wrt]
    times: list[float] = []
    try:
        builder(namespace)
    except Exception as error:
        return "failed", f"not expressible: {type(error).__name__}: {str(error)[:60]}", [], None
    try:
        for _ in range(SYMPY_REPEATS):
            clear_cache()
            expression = builder(namespace)
            start = time.perf_counter()
            result = expression.diff(wrt)
            if kind == "hessian":
                result = result.diff(wrt)
            times.append(time.perf_counter() - start)
            if times[-1] > 1.0:
                break
    except Exception as error:
        return "failed", f"{type(error).__name__}: {str(error)[:80]}", times, None
    if result.has(sp.Derivative) or type(result).__name__ == "ArrayDerivative":
        return "failed", "returned an unevaluated Derivative", times, None
    try:
        value = sympy_value(result, symbols, case.sample())
    except Exception as error:
        return "failed", f"could not evaluate: {type(error).__name__}", times, None
    if np.max(np.abs(value.imag), initial=0.0) > 1e-9:
        return "wrong", "complex value", times, None
    if isinstance(case, TensorRow):
        return "answered", "", times, vec_jacobian(case, value.real)
    value = np.squeeze(value.real)
    if kind == "jacobian" and case.layout != "denominator" and value.ndim == 2:
        value = value.T  # SymPy's denominator layout to the numerator layout the case asks for
    return "answered", "", times, value


def vec_jacobian(case: TensorRow, value: np.ndarray) -> np.ndarray | None:
    """SymPy's array derivative, indexed [k, l, i, j] = ∂F_ij/∂X_kl (X's shape, then F's,
    each as a matrix), as the vec-Jacobian ∂vec(F)/∂vec(X); None when its size is wrong."""
    inputs = case.sample()
    x_shape = (*np.shape(inputs[case.wrt]), 1, 1)[:2]
    f_shape = case.function_shape(inputs)
    if value.size != int(np.prod(x_shape)) * int(np.prod(f_shape)):
        return None
    tensor = np.reshape(value, (*x_shape, *f_shape)).transpose(2, 3, 0, 1)
    jacobian: np.ndarray = np.reshape(
        tensor, (int(np.prod(f_shape)), int(np.prod(x_shape))), order="F"
    )
    return jacobian


def sympy_worker(connection: Connection) -> None:
    warnings.simplefilter("ignore")
    while True:
        index = connection.recv()
        if index is None:
            return
        connection.send(sympy_case(index))


def run_sympy(cases: list[Case]) -> list[Outcome]:
    context = mp.get_context("spawn")

    def start() -> tuple[Any, Connection]:
        parent, child = context.Pipe()
        process = context.Process(target=sympy_worker, args=(child,), daemon=True)
        process.start()
        return process, parent

    process, connection = start()
    outcomes = []
    for index, case in enumerate(cases):
        connection.send(index)
        # The first case also waits for the worker to import SymPy.
        if not connection.poll(SYMPY_TIME_LIMIT + (10 if index == 0 else 0)):
            process.terminate()
            process.join()
            outcomes.append(Outcome("failed", f"timeout (> {SYMPY_TIME_LIMIT:.0f} s)"))
            process, connection = start()
            continue
        status, detail, times, value = connection.recv()
        seconds = statistics.median(times) if times else None
        if status == "answered":
            outcome = judge(case, case.sample(), value)
        else:
            outcome = Outcome(status, detail)
        outcome.seconds = seconds if outcome.status != "failed" else None
        outcomes.append(outcome)
    connection.send(None)
    process.join(timeout=5)
    return outcomes


# --- report --------------------------------------------------------------------------------------


def summary_row(name: str, outcomes: list[Outcome]) -> str:
    counts = {s: sum(o.status == s for o in outcomes) for s in ("correct", "wrong", "failed")}
    times = sorted(o.seconds for o in outcomes if o.seconds is not None)
    median = f"{1000 * statistics.median(times):.1f}" if times else "–"
    p95 = f"{1000 * float(np.percentile(times, 95)):.1f}" if times else "–"
    cells = [name, *(str(counts[s]) for s in ("correct", "wrong", "failed")), median, p95]
    return "| " + " | ".join(cells) + " |"


def milliseconds(outcome: Outcome) -> str:
    return f"{1000 * outcome.seconds:.1f}" if outcome.seconds is not None else "–"


def main() -> None:
    import sympy

    began = time.perf_counter()
    sympy_outcomes = run_sympy(CASES)  # first: its spawned worker starts before any app threads
    engine_outcomes = run_engine(CASES)
    print(f"## Derivatives: our engine against SymPy {sympy.__version__} ({len(CASES)} cases)\n")
    print("Correct means the value at the case's seeded inputs matches fourth-order finite")
    print("differences of an independent NumPy reference (rtol 1e-5) in the requested shape.")
    print("Times per derivative, over the cases that gave an answer: the engine's whole request")
    print(f"(median of {REPEATS}, warm) and SymPy's `.diff` alone (median of up to")
    print(f"{SYMPY_REPEATS}, cache cleared; limit {SYMPY_TIME_LIMIT:.0f} s per case).\n")
    print("| engine | correct | wrong | failed | median ms | p95 ms |")
    print("|---|---|---|---|---|---|")
    print(summary_row("ours: `POST /api/derivative`", engine_outcomes))
    print(summary_row(f"SymPy {sympy.__version__} `MatrixSymbol.diff`", sympy_outcomes))
    tensor = [i for i, case in enumerate(CASES) if isinstance(case, TensorRow)]
    print(
        f"\nOf these, the {len(tensor)} matrix-by-matrix and Hessian-by-a-matrix rows (issue 13),"
    )
    print("judged as the vec-Jacobian ∂vec(F)/∂vec(X) (column-major vec, numerator layout):\n")
    print("| engine | correct | wrong | failed | median ms | p95 ms |")
    print("|---|---|---|---|---|---|")
    print(summary_row("ours", [engine_outcomes[i] for i in tensor]))
    print(summary_row(f"SymPy {sympy.__version__}", [sympy_outcomes[i] for i in tensor]))
    print("\n### Per case\n")
    print("| case | expression | by | ours | ms | SymPy | ms |")
    print("|---|---|---|---|---|---|---|")
    for case, ours, theirs in zip(CASES, engine_outcomes, sympy_outcomes, strict=True):
        cells = [
            case.id,
            f"`{case.expression}`",
            f"`{case.wrt}`",
            ours.cell(),
            milliseconds(ours),
            theirs.cell(),
            milliseconds(theirs),
        ]
        print("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    print(f"\nTotal wall time {time.perf_counter() - began:.0f} s.")


if __name__ == "__main__":
    main()
