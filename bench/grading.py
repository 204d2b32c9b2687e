"""Grading: POST /api/check against plain SymPy and a MatrixGrader-style sampler.

For each (expected, answer, verdict) case in tests/grading/grading_cases.py, and for a set of
cases built for the classes where graders go wrong (TRUST_CASES below: signs and kinks, near
misses, tiny values, ill-conditioned equalities, notation), three graders:
- ours: POST /api/check in-process (TestClient, real worker pool), warm;
- plain SymPy: MatrixSymbol expressions built from our tree, ``simplify(a - b) == 0``
  (elementwise functions become SymPy functions of matrices; anything SymPy refuses,
  such as a shape mismatch, counts as "not equal");
- a random-sampling grader in the style of MITx's MatrixGrader (bench/sampling_grader.py:
  5 seeded samples uniform in [1, 5], relative tolerance 0.01 %).
Prints accuracy and median / p95 time per check on the table, then false accepts (a wrong
answer called equal) and false rejects (an equal answer called wrong) per class.

    .venv/bin/python bench/grading.py
"""

from __future__ import annotations

import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sympy
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.grading.equivalence import declared_with, merged_variables  # noqa: E402
from app.main import create_app  # noqa: E402
from app.mathcore import tree as t  # noqa: E402
from app.mathcore.errors import MathError  # noqa: E402
from app.mathcore.parse import parse  # noqa: E402
from app.settings import Settings  # noqa: E402
from bench.sampling_grader import sampling_verdict  # noqa: E402
from tests.grading.grading_cases import CASES  # noqa: E402

SYMPY_SECONDS = 5


def dim(value: object) -> sympy.Expr:
    return (
        sympy.Integer(value) if isinstance(value, int) else sympy.Symbol(str(value), integer=True)
    )


def to_matrix_sympy(expr: t.Expr) -> Any:
    """A SymPy matrix expression for our tree (the way one would grade with SymPy alone)."""
    rows, cols = expr.shape
    if isinstance(expr, t.Number):
        return sympy.Rational(expr.value.numerator, expr.value.denominator)
    if isinstance(expr, t.Symbol):
        if expr.shape == (1, 1):
            return sympy.Symbol(expr.name, real=True)
        return sympy.MatrixSymbol(expr.name, dim(rows), dim(cols))
    if isinstance(expr, t.Identity):
        return sympy.Identity(dim(expr.size))
    if isinstance(expr, t.Sum):
        return sympy.Add(*(to_matrix_sympy(term) for term in expr.terms))
    if isinstance(expr, t.Product):
        factors = [to_matrix_sympy(f) for f in expr.factors]
        result = factors[0]
        for factor in factors[1:]:
            result = result * factor
        return result
    if isinstance(expr, t.Transpose):
        return sympy.transpose(to_matrix_sympy(expr.arg))
    if isinstance(expr, t.Inverse):
        return sympy.Inverse(to_matrix_sympy(expr.arg))
    if isinstance(expr, t.Power):
        return to_matrix_sympy(expr.base) ** to_matrix_sympy(expr.exponent)
    if isinstance(expr, t.Call) and expr.function == "tr":
        return sympy.Trace(to_matrix_sympy(expr.arg))
    if isinstance(expr, t.Call) and expr.function == "det":
        return sympy.Determinant(to_matrix_sympy(expr.arg))
    if isinstance(expr, t.Hadamard):
        return sympy.HadamardProduct(*(to_matrix_sympy(f) for f in expr.factors))
    if isinstance(expr, t.Apply) and expr.shape == (1, 1):
        functions = {
            "abs": sympy.Abs,
            "sign": sympy.sign,
            "step": sympy.Heaviside,
            "relu": lambda u: sympy.Max(u, 0),
            "softplus": lambda u: sympy.log(1 + sympy.exp(u)),
            "sin": sympy.sin,
            "cos": sympy.cos,
            "exp": sympy.exp,
            "log": sympy.log,
            "tanh": sympy.tanh,
            "sqrt": sympy.sqrt,
            "sigmoid": lambda u: 1 / (1 + sympy.exp(-u)),
        }
        return functions[expr.function](to_matrix_sympy(expr.arg))
    if isinstance(expr, t.MatrixLiteral):
        return sympy.ImmutableMatrix([[to_matrix_sympy(e) for e in row] for row in expr.rows])
    if isinstance(expr, t.Quotient):
        return to_matrix_sympy(expr.numerator) / to_matrix_sympy(expr.denominator)
    raise NotImplementedError(type(expr).__name__ + getattr(expr, "function", ""))


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout


def plain_sympy_verdict(expected: str, answer: str, variables: dict[str, Any]) -> bool | None:
    try:
        e = parse(expected, variables)
        a = parse(answer, declared_with(e, variables))
    except MathError:
        return None
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SYMPY_SECONDS)
    try:
        difference = to_matrix_sympy(e.expr) - to_matrix_sympy(a.expr)
        simplified = sympy.simplify(difference)
        if isinstance(simplified, sympy.MatrixBase):
            return all(sympy.simplify(x) == 0 for x in simplified)
        return bool(simplified == 0 or simplified.is_ZeroMatrix)
    except (_Timeout, NotImplementedError, TypeError, ValueError, sympy.ShapeError, AttributeError):
        return False
    finally:
        signal.alarm(0)


def sampler_verdict(expected: str, answer: str, variables: dict[str, Any]) -> bool | None:
    try:
        e = parse(expected, variables)
        a = parse(answer, declared_with(e, variables))
    except MathError:
        return None
    return sampling_verdict(e.expr, a.expr, merged_variables(e, a))


SCALAR = {"x": {"shape": []}, "y": {"shape": []}}
VECTOR = {"x": {"shape": ["n"]}, "b": {"shape": ["n"]}, "A": {"shape": ["n", "n"]}}
MIXED = {"x": {"shape": []}, "b": {"shape": ["n"]}}
RANK_ONE = {"A": {"shape": ["n", "n"]}, "u": {"shape": ["n"]}, "v": {"shape": ["n"]}}
REGRESSION = {"X": {"shape": ["m", "n"]}, "w": {"shape": ["n"]}, "y": {"shape": ["m"]}}
LAYER = {"W": {"shape": ["m", "n"]}, "x": {"shape": ["n"]}}
NONE: dict[str, Any] = {}

TRUST_CASES: list[tuple[str, str, str, dict[str, Any], bool]] = [
    # (class, expected, answer, variables, equal)
    ("signs and kinks", "step(x)", "1", SCALAR, False),
    ("signs and kinks", "2 abs(x)", "2 x", SCALAR, False),
    ("signs and kinks", "sqrt(x^2)", "x", SCALAR, False),
    ("signs and kinks", "x + 4", "abs(x + 4)", SCALAR, False),
    ("signs and kinks", "x + 4", "abs(x + 4)", VECTOR, False),
    ("signs and kinks", "(x + 4) b", "abs(x + 4) b", MIXED, False),
    ("signs and kinks", "x", "abs(x + 300) - 300", VECTOR, False),
    ("signs and kinks", "relu(x)", "x", VECTOR, False),
    ("signs and kinks", "W^T step(W x)", "W^T 1", LAYER, False),
    ("signs and kinks", "log(x^2)", "2 log(x)", SCALAR, False),
    ("signs and kinks", "sqrt(x^2)", "abs(x)", SCALAR, True),
    ("signs and kinks", "relu(x)", "x .* step(x)", VECTOR, True),
    ("signs and kinks", "abs(x)", "sign(x) .* x", VECTOR, True),
    ("signs and kinks", "2 log(x)", "log(x^2)", SCALAR, True),
    ("near misses", "2 x cos(x^2)", "2.0001 x cos(x^2)", SCALAR, False),
    ("near misses", "x^T A x", "x^T A x + 0.00001 x^T x", VECTOR, False),
    (
        "near misses",
        "sigmoid(x) (1 - sigmoid(x))",
        "sigmoid(x) (1 - sigmoid(x)) + 1e-7",
        SCALAR,
        False,
    ),
    ("near misses", "15", "15.0000001", NONE, False),
    ("near misses", "[1/3, 1]", "[0.333333333, 1]", NONE, False),
    ("near misses", "3.14159265358979 x", "pi x", SCALAR, True),
    ("tiny values", "-100 exp(-50 x^T x) x", "100 exp(-50 x^T x) x", VECTOR, False),
    ("tiny values", "1e-12 x", "-1e-12 x", VECTOR, False),
    ("tiny values", "[1e6 x; 1e-6 y]", "[1e6 x; 2e-6 y]", SCALAR, False),
    ("tiny values", "exp(-40 x^2) x", "0 x", SCALAR, False),
    ("tiny values", "10^-15 (x + b)", "10^-15 x + 10^-15 b", VECTOR, True),
    ("ill-conditioned", "x^2", "(x + 1e8)^2 - 10^16 - 2e8 x", SCALAR, True),
    (
        "ill-conditioned",
        "x^T x",
        "(x + 1e8 b)^T (x + 1e8 b) - 10^16 b^T b - 2e8 b^T x",
        VECTOR,
        True,
    ),
    (
        "ill-conditioned",
        "inv(A + u v^T)",
        "inv(A) - inv(A) u v^T inv(A) / (1 + v^T inv(A) u)",
        RANK_ONE,
        True,
    ),
    ("ill-conditioned", "exp(x + 800) / exp(x + 799)", "e", SCALAR, True),
    ("ill-conditioned", "softplus(x + 750)", "log(1 + exp(x + 750))", SCALAR, True),
    ("ill-conditioned", "x - 1e9", "(x^2 - 10^18) / (x + 1e9)", SCALAR, True),
    ("notation", "2 X^T (X w - y)", "2X^T(Xw-y)", REGRESSION, True),
    ("notation", "x^T A x", "x'Ax", VECTOR, True),
    ("notation", "x^T x", "||x||^2", VECTOR, True),
    ("notation", "1/2 x^T A x", r"\frac12 x^\top A x", VECTOR, True),
    ("notation", "x^T b", "b^T x", VECTOR, True),
    ("notation", "0.001 x", "1e-3 x", VECTOR, True),
    ("notation", "x^T A^T b", "x'Ab", VECTOR, False),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def check(client: TestClient, expected: str, answer: str, variables: dict[str, Any]) -> bool | None:
    body = {"expected": expected, "answer": answer, "variables": variables}
    response = client.post("/api/check", json=body)
    if response.status_code != 200:
        return None  # the answer did not parse: neither accepted nor rejected
    verdict: bool = response.json()["equivalent"]
    return verdict


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    settings = Settings(
        base_dir=ROOT, database_url=f"sqlite:///{folder / 'bench.db'}", rate_limit=False
    )
    ours_times: list[float] = []
    ours_right = 0
    trust: dict[str, list[bool | None]] = {}
    with TestClient(create_app(settings)) as client:
        for case in CASES[:10]:  # warm up the workers and caches
            check(client, case.expected, case.answer, case.variables)
        for case in CASES:
            started = time.perf_counter()
            verdict = check(client, case.expected, case.answer, case.variables)
            ours_times.append(time.perf_counter() - started)
            ours_right += verdict is case.equivalent
        trust["ours"] = [check(client, e, a, v) for _, e, a, v, _ in TRUST_CASES]
    sympy_times: list[float] = []
    sympy_right = 0
    sampler_times: list[float] = []
    sampler_right = 0
    for case in CASES:
        started = time.perf_counter()
        verdict = plain_sympy_verdict(case.expected, case.answer, case.variables)
        sympy_times.append(time.perf_counter() - started)
        sympy_right += verdict is case.equivalent
        started = time.perf_counter()
        verdict = sampler_verdict(case.expected, case.answer, case.variables)
        sampler_times.append(time.perf_counter() - started)
        sampler_right += verdict is case.equivalent
    trust["sympy"] = [plain_sympy_verdict(e, a, v) for _, e, a, v, _ in TRUST_CASES]
    trust["sampler"] = [sampler_verdict(e, a, v) for _, e, a, v, _ in TRUST_CASES]
    count = len(CASES)
    print(f"{count} cases from tests/grading/grading_cases.py\n")
    print("| approach | accuracy | median ms | p95 ms |\n|---|---|---|---|")
    for name, right, times in (
        ("ours: `POST /api/check`", ours_right, ours_times),
        ("plain SymPy `simplify(a - b) == 0`", sympy_right, sympy_times),
        ("MatrixGrader-style sampler (5 samples in [1, 5], 0.01 %)", sampler_right, sampler_times),
    ):
        print(
            f"| {name} | {right}/{count} | {statistics.median(times) * 1000:.1f} "
            f"| {percentile(times, 0.95) * 1000:.1f} |"
        )
    print_trust(trust)


def print_trust(trust: dict[str, list[bool | None]]) -> None:
    """False accepts / false rejects per class, for each grader."""
    classes = list(dict.fromkeys(c for c, *_ in TRUST_CASES))
    names = (("ours", "ours"), ("sympy", "plain SymPy"), ("sampler", "MatrixGrader-style"))
    print(f"\n{len(TRUST_CASES)} cases built for the classes (false accepts / false rejects)\n")
    print("| class | cases | " + " | ".join(label for _, label in names) + " |")
    print("|---|---|" + "---|" * len(names))
    totals = {key: [0, 0] for key, _ in names}
    for name in classes:
        rows = [i for i, case in enumerate(TRUST_CASES) if case[0] == name]
        cells = []
        for key, _ in names:
            accepts = sum(trust[key][i] is True and not TRUST_CASES[i][4] for i in rows)
            rejects = sum(trust[key][i] is not True and TRUST_CASES[i][4] for i in rows)
            totals[key][0] += accepts
            totals[key][1] += rejects
            cells.append(f"{accepts} / {rejects}")
        print(f"| {name} | {len(rows)} | " + " | ".join(cells) + " |")
    print(
        f"| **all** | {len(TRUST_CASES)} | "
        + " | ".join(f"**{totals[k][0]} / {totals[k][1]}**" for k, _ in names)
        + " |"
    )
    print("\nWrong verdicts, case by case:\n")
    for i, (name, expected, answer, _, equal) in enumerate(TRUST_CASES):
        wrong = [label for key, label in names if (trust[key][i] is True) != equal]
        if wrong:
            truth = "equal" if equal else "not equal"
            print(f"- `{answer}` for `{expected}` ({truth}, {name}): {', '.join(wrong)}")


if __name__ == "__main__":
    main()
