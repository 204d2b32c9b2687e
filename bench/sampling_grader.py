"""A random-sampling grader in the style of MITx's MatrixGrader, written here for comparison.

The policy of that family of graders, as documented: a fixed small number of samples,
every variable (each entry of a matrix) drawn uniformly from a fixed positive range, the
expected and the submitted expression evaluated in floating point at each sample, and the
two called equal when the norm of their difference is within a relative tolerance of the
expected value's norm, at every sample. Nothing else: no high precision, no SymPy, no
retry where a value is undefined.

Both expressions are our typed trees (parsed by our parser, evaluated by our NumPy
evaluator), so what differs from our grader is only the sampling and the comparison.
Sizes are our distinct ones (``n = 3``, ``m = 4``), as a careful author would choose.

    from bench.sampling_grader import sampling_verdict
    sampling_verdict(expected_tree, answer_tree, variables)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from app.mathcore.evaluate import EvaluationError, Evaluator
from app.mathcore.sampling import assign_sizes
from app.mathcore.tree import Expr
from app.mathcore.variables import Variable

SAMPLES = 5
LOW, HIGH = 1.0, 5.0
RELATIVE_TOLERANCE = 1e-4
"""0.01 %, the documented default tolerance of MITx's FormulaGrader family."""
SEED = 1234


def sampling_verdict(
    expected: Expr, answer: Expr, variables: Mapping[str, Variable], seed: int = SEED
) -> bool:
    """Whether the sampling grader accepts ``answer`` for ``expected``."""
    rng = np.random.default_rng(seed)
    sizes = assign_sizes(variables.values())
    for _ in range(SAMPLES):
        values = {}
        for name, variable in variables.items():
            rows, cols = (d if isinstance(d, int) else sizes[str(d)] for d in variable.shape)
            value = rng.uniform(LOW, HIGH, size=(rows, cols))
            if variable.properties & {"symmetric", "spd"}:
                value = (value + value.T) / 2 + (rows * HIGH * np.eye(rows) if rows > 1 else 0)
            values[name] = value
        evaluator = Evaluator(values, sizes)
        try:
            want = evaluator(expected)
            got = evaluator(answer)
        except (EvaluationError, ValueError, np.linalg.LinAlgError, ZeroDivisionError):
            return False
        if want.shape != got.shape:
            return False
        difference = float(np.linalg.norm(got - want))
        if not np.isfinite(difference):
            return False
        if difference > RELATIVE_TOLERANCE * float(np.linalg.norm(want)):
            return False
    return True
