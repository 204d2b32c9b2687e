"""Imported once by the maths workers' forkserver, before it forks any worker.

This is the one module whose import does work: it imports the engine, the grader and the
plots and runs one small check, so that the grammar and every lazy cache exist in the
forkserver, and every worker forked from it (a replacement for a killed one included) is
warm from its first instruction. See app.grading.worker.
"""

import contextlib
import os

# One thread per worker: the pool is the parallelism. Set before NumPy is first imported.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import app.grading.derivation  # noqa: E402, F401
import app.grading.equivalence  # noqa: E402, F401
import app.grading.problem_grader  # noqa: E402, F401
import app.mathcore.derivative  # noqa: E402, F401
import app.viz.descent  # noqa: E402, F401
import app.viz.finite_differences  # noqa: E402, F401
import app.viz.gradient  # noqa: E402, F401
import app.viz.jacobian  # noqa: E402, F401
import app.web.math_api  # noqa: E402, F401
from app.grading.symbolic import warm as warm_symbolic  # noqa: E402
from app.grading.worker import warm_up  # noqa: E402

# A failed warm-up must never stop the forkserver: the workers' initializer warms up again.
with contextlib.suppress(Exception):
    warm_up()
    warm_symbolic()
