"""No input reaches a 500: every endpoint that runs learner maths answers 200 or a typed 4xx.

Hypothesis writes the text (language tokens, LaTeX, Unicode, anything at all) and the rest
of the body (declarations, kinds, layouts, values), and each answer is checked for its
status and, when it is an error, for a typed body with a message a learner can read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.main import create_app
from app.settings import Settings
from tests.conftest import REPO_ROOT

TOKENS = [
    *["x", "y", "z", "A", "B", "X", "W", "b", "w", "s", "alpha", "x_1", "W_2", "\\sigma"],
    *["^", "T", "'", "(", ")", "[", "]", "{", "}", ";", ",", "|", "||", "‖", ".*", "./"],
    *["+", "-", "−", "*", "/", "@", "2", "0", "0.5", "1e-3", "2.5E4", "1/2", "ones(n)"],
    *["tr", "det", "inv", "exp", "log", "sum", "norm", "diag", "softmax", "relu", "step"],
    *["sigmoid", "logsumexp", "abs", "sqrt", "d", "dx", "dX", "=", "e", "pi", "I", "_F"],
    *["^{-1}", "^{-T}", "\\top", "\\left(", "\\right)", "\\cdot", "\\frac12", "\\mathbf{x}"],
    *["\\operatorname{Tr}", "\\begin{bmatrix}", "\\end{bmatrix}", "\\\\", "&", "ᵀ", "⁻¹"],
    *["⊙", "∘", "√", "×", "·", " ", " ", " "],
]
TEXT = st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=40).map("".join),
    st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join),
    st.text(max_size=80),
)
NAMES = st.sampled_from(["x", "y", "A", "X", "W", "b", "w", "z", "q", "x_1", "alpha", ""])
DIMENSION = st.one_of(st.sampled_from(["n", "m", "k"]), st.integers(-2, 6), st.just(10**9))
DECLARATION = st.fixed_dictionaries(
    {"shape": st.lists(DIMENSION, max_size=3)},
    optional={
        "properties": st.lists(
            st.sampled_from(["symmetric", "spd", "diagonal", "positive", "simplex", "bogus"]),
            max_size=2,
        )
    },
)
VARIABLES = st.one_of(st.none(), st.dictionaries(NAMES, DECLARATION, max_size=3))
NUMBER = st.one_of(st.floats(allow_nan=False, allow_infinity=False, width=32), st.integers(-5, 5))
VALUE = st.one_of(
    NUMBER,
    st.lists(NUMBER, max_size=4),
    st.lists(st.lists(NUMBER, max_size=3), max_size=3),
    st.text(max_size=5),
)
LAYOUT = st.sampled_from(["numerator", "denominator", None, "sideways"])
KIND = st.sampled_from(["gradient", "jacobian", "hessian", None, "tensor"])
TYPED_KINDS = {"syntax", "shape", "unsupported", "limit"}

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The real lessons and problems (whatever they are today), one app for the module."""
    folder = tmp_path_factory.mktemp("fuzz")
    app_settings = Settings(
        base_dir=REPO_ROOT,
        database_url=f"sqlite:///{folder / 'fuzz.db'}",
        data_root=folder,
    )
    with TestClient(create_app(app_settings)) as client:
        yield client


@pytest.fixture(scope="module")
def problem_ids(api: TestClient) -> list[str]:
    ids = [problem["id"] for problem in api.get("/api/problems").json()]
    assert ids, "the course has no problems to attempt"
    return ids


def assert_typed(response: Any) -> None:
    """200, or a 4xx whose body says what went wrong; never a 5xx."""
    assert response.status_code < 500, response.text
    assert response.status_code in {200, 404, 413, 422, 429}, response.text
    if response.status_code == 200:
        return
    body = response.json()
    if "error" in body:
        error = body["error"]
        assert error["kind"] in TYPED_KINDS and error["message"], body
    else:
        assert body["detail"], body


@FUZZ
@given(expression=TEXT, variables=VARIABLES)
def test_parse(api: TestClient, expression: str, variables: dict[str, Any] | None) -> None:
    body = {"expression": expression, "variables": variables}
    assert_typed(api.post("/api/parse", json=body))


@FUZZ
@given(
    expression=TEXT,
    wrt=NAMES,
    variables=VARIABLES,
    kind=KIND,
    layout=LAYOUT,
    at=st.one_of(st.none(), st.dictionaries(NAMES, VALUE, max_size=3)),
)
def test_derivative(
    api: TestClient,
    expression: str,
    wrt: str,
    variables: dict[str, Any] | None,
    kind: str | None,
    layout: str | None,
    at: dict[str, Any] | None,
) -> None:
    body = {"expression": expression, "wrt": wrt, "variables": variables, "kind": kind}
    body |= {"layout": layout, "at": at} if layout else {"at": at}
    assert_typed(api.post("/api/derivative", json=body))


@FUZZ
@given(expected=TEXT, answer=TEXT, variables=VARIABLES, layout=LAYOUT)
def test_check(
    api: TestClient,
    expected: str,
    answer: str,
    variables: dict[str, Any] | None,
    layout: str | None,
) -> None:
    body = {"expected": expected, "answer": answer, "variables": variables, "layout": layout}
    assert_typed(api.post("/api/check", json=body))


@FUZZ
@given(
    lines=st.lists(TEXT, max_size=5),
    wrt=NAMES,
    expected=st.one_of(st.none(), TEXT),
    variables=VARIABLES,
)
def test_check_derivation(
    api: TestClient,
    lines: list[str],
    wrt: str,
    expected: str | None,
    variables: dict[str, Any] | None,
) -> None:
    body = {"lines": lines, "wrt": wrt, "expected": expected, "variables": variables}
    assert_typed(api.post("/api/check-derivation", json=body))


@FUZZ
@given(
    index=st.integers(0, 10**6),
    answer=st.one_of(st.none(), TEXT),
    lines=st.one_of(st.none(), st.lists(TEXT, max_size=4)),
)
def test_attempt(
    api: TestClient,
    problem_ids: list[str],
    index: int,
    answer: str | None,
    lines: list[str] | None,
) -> None:
    problem = problem_ids[index % len(problem_ids)]
    body = {"answer": answer, "lines": lines}
    assert_typed(api.post(f"/api/problems/{problem}/attempt", json=body))
