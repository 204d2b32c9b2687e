"""Grading: POST /api/check against a plain SymPy approach, on the grading table.

For each (expected, answer, verdict) case in tests/grading/grading_cases.py:
- ours: POST /api/check in-process (TestClient, real worker pool), warm;
- plain SymPy: MatrixSymbol expressions built from our tree, ``simplify(a - b) == 0``
  (elementwise functions become SymPy functions of matrices; anything SymPy refuses,
  such as a shape mismatch, counts as "not equal").
Prints accuracy and median / p95 time per check for both.

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

from app.grading.equivalence import declared_with  # noqa: E402
from app.main import create_app  # noqa: E402
from app.mathcore import tree as t  # noqa: E402
from app.mathcore.parse import parse  # noqa: E402
from app.settings import Settings  # noqa: E402
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


def plain_sympy_verdict(expected: str, answer: str, variables: dict[str, Any]) -> bool:
    e = parse(expected, variables)
    a = parse(answer, declared_with(e, variables))
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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    settings = Settings(base_dir=ROOT, database_url=f"sqlite:///{folder / 'bench.db'}")
    ours_times: list[float] = []
    ours_right = 0
    with TestClient(create_app(settings)) as client:
        for case in CASES[:10]:  # warm up the workers and caches
            client.post(
                "/api/check",
                json={
                    "expected": case.expected,
                    "answer": case.answer,
                    "variables": case.variables,
                },
            )
        for case in CASES:
            body = {
                "expected": case.expected,
                "answer": case.answer,
                "variables": case.variables,
                "layout": "denominator",
            }
            started = time.perf_counter()
            response = client.post("/api/check", json=body)
            ours_times.append(time.perf_counter() - started)
            ours_right += response.json()["equivalent"] is case.equivalent
    sympy_times: list[float] = []
    sympy_right = 0
    for case in CASES:
        started = time.perf_counter()
        verdict = plain_sympy_verdict(case.expected, case.answer, case.variables)
        sympy_times.append(time.perf_counter() - started)
        sympy_right += verdict is case.equivalent
    count = len(CASES)
    print(f"{count} cases from tests/grading/grading_cases.py")
    print(f"{'approach':<28}{'accuracy':>12}{'median ms':>12}{'p95 ms':>10}")
    for name, right, times in (
        ("ours: POST /api/check", ours_right, ours_times),
        ("plain SymPy simplify(a-b)", sympy_right, sympy_times),
    ):
        print(
            f"{name:<28}{right:>5}/{count:<6}{statistics.median(times) * 1000:>12.1f}"
            f"{percentile(times, 0.95) * 1000:>10.1f}"
        )


if __name__ == "__main__":
    main()
