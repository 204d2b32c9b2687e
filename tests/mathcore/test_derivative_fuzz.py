"""Right or refused: over generated expressions, the engine never returns a result that fails
its own numerical check, and never raises anything but a typed error.

Expressions are built from vector and scalar pieces that learners combine in ML losses:
scalars broadcast over vectors (``W x - logsumexp(W x)``), elementwise functions, softmax,
norms, quotients. Each is differentiated by ``x`` (gradient, Jacobian or Hessian).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.mathcore.derivative import differentiate
from app.mathcore.errors import MathError
from app.mathcore.parse import parse

VARIABLES = {
    "x": {"shape": [3]},
    "a": {"shape": [3]},
    "A": {"shape": [3, 3]},
    "W": {"shape": [4, 3]},
    "alpha": {"shape": []},
}


def vectors(depth: int) -> st.SearchStrategy[str]:
    """Texts of 3-vectors."""
    leaves = st.sampled_from(["x", "A x", "(x - a)", "W^T W x"])
    if depth == 0:
        return leaves
    v, s = vectors(depth - 1), scalars(depth - 1)
    return st.one_of(
        leaves,
        st.builds("A ({})".format, v),
        st.builds("({} + {})".format, v, v),
        st.builds("({} - {})".format, v, s),
        st.builds("({} + {})".format, s, v),
        st.builds("{} {}".format, st.sampled_from(["2", "alpha", "(a^T x)"]), v),
        st.builds("(({}) {})".format, s, v),
        st.builds("{}({})".format, st.sampled_from(["exp", "tanh", "sigmoid", "softmax"]), v),
        st.builds("(({}) .* ({}))".format, v, v),
        st.builds("(({}) ./ exp({}))".format, v, v),
        st.builds("({} / norm({}))".format, v, v),
        st.builds("W^T softmax(W ({}))".format, v),
    )


def scalars(depth: int) -> st.SearchStrategy[str]:
    """Texts of scalars."""
    leaves = st.sampled_from(["a^T x", "sum(x)", "(x^T A x)", "alpha sum(x)"])
    if depth == 0:
        return leaves
    v, s = vectors(depth - 1), scalars(depth - 1)
    return st.one_of(
        leaves,
        st.builds("a^T ({})".format, v),
        st.builds("({})^T ({})".format, v, v),
        st.builds("{}({})".format, st.sampled_from(["sum", "norm", "logsumexp"]), v),
        st.builds("({} + {})".format, s, s),
        st.builds("({}) ({})".format, s, s),
        st.builds("({})/3".format, s),
        st.builds("-a^T ({})".format, v),
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    st.one_of(
        st.tuples(scalars(3), st.sampled_from(["gradient", "hessian"])),
        st.tuples(vectors(3), st.just("jacobian")),
    )
)
def test_no_generated_derivative_fails_its_own_check(case: tuple[str, str]) -> None:
    text, kind = case
    try:
        result = differentiate(parse(text, VARIABLES), "x", kind)  # type: ignore[arg-type]
    except MathError as error:
        assert error.message
        return
    assert result.status != "failed-check", (text, kind, result.check.message)
