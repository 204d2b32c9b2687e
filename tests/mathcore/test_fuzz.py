"""Whatever a learner types, reading it ends quickly in a result or a typed error.

``parse`` may return or raise a :class:`MathError` subclass, nothing else, and never hang:
each call is timed against a generous bound (a hang, not a speed goal). The same holds
through ``POST /api/parse``: 200 or a 422 with the error body, never a 500.
"""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.mathcore.errors import MathError
from app.mathcore.parse import parse
from app.mathcore.printing import to_latex, to_text

HANG_SECONDS = 2.0

# Characters that matter to the lexer, mixed with anything at all.
SPECIAL = "xyAB^T()[]{};,|\\'.*/+-−@_ 0123456789eπ‖⊙∘·×ᵀ⊤⁻¹²³αλσ√⋅⊘′\t\n$#%&~`\"!?<>=:"
ANY_TEXT = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=SPECIAL, max_size=300),
    st.text(alphabet=SPECIAL, min_size=1500, max_size=2000),
)

TOKENS = [
    "x",
    "y",
    "A",
    "B",
    "X",
    "alpha",
    "\\lambda",
    "^",
    "T",
    "(",
    ")",
    "[",
    "]",
    ";",
    ",",
    "\\frac",
    "{",
    "}",
    "||",
    "|",
    "\\|",
    "‖",
    ".*",
    "./",
    ".^",
    "'",
    ".T",
    "-",
    "+",
    "*",
    "**",
    "@",
    "/",
    "2",
    "0",
    "0.5",
    "1/2",
    "tr",
    "det",
    "inv",
    "exp",
    "log",
    "sum",
    "norm",
    "diag",
    "softmax",
    "hadamard",
    "d",
    "dx",
    "dX",
    "e",
    "pi",
    "I",
    "_F",
    "_",
    "^{-1}",
    "^{-T}",
    "\\top",
    "\\left(",
    "\\right)",
    "\\cdot",
    "\\sqrt",
    "\\mathbf{x}",
    "\\operatorname{tr}",
    "ᵀ",
    "⁻¹",
    " ",
    # pasted notation, rewritten before the grammar
    "\\frac12",
    "\\tfrac",
    "\\begin{bmatrix}",
    "\\end{bmatrix}",
    "\\begin{pmatrix}",
    "&",
    "\\\\",
    "\\lVert",
    "\\rVert",
    "\\left|",
    "\\right|",
    "\\left[",
    "\\right]",
    "\\left.",
    "^{\\mathsf T}",
    "\\intercal",
    "^{\\circ",
    "\\sigma",
    "σ",
    "√",
    "−",
    "1e-3",
    "2.5E4",
    "e5",
    "\\mathbf{1}",
    "\\mathbf{x}",
    "\\boldsymbol{\\theta}",
    "_{",
    "_n",
    "I_n",
    "ones(",
    "zeros(",
    "Ax",
    "Xw",
    "TAx",
    "\\oslash",
    "\\mathrm{d}",
]
TOKEN_TEXT = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


def read(text: str) -> None:
    """Parse and print, as the preview does; only a MathError may escape."""
    start = time.perf_counter()
    try:
        parsed = parse(text)
        to_text(parsed.expr)
        to_latex(parsed.expr)
    except MathError as error:
        assert error.message
        assert error.position is None or 0 <= error.position <= len(text)
    elapsed = time.perf_counter() - start
    assert elapsed < HANG_SECONDS, f"{elapsed:.2f}s on {text[:80]!r}"


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_any_text_is_read_or_rejected_with_a_math_error(text: str) -> None:
    read(text)


@settings(max_examples=300, deadline=None)
@given(TOKEN_TEXT)
def test_mixed_language_tokens_are_read_or_rejected_with_a_math_error(text: str) -> None:
    read(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=8).map("".join), st.integers(1, 400))
def test_repeated_token_runs_do_not_hang(chunk: str, times: int) -> None:
    read((chunk * times)[:2000])


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.one_of(TOKEN_TEXT, st.text(alphabet=SPECIAL, max_size=200), st.text(max_size=100)))
def test_api_parse_answers_200_or_a_typed_422(client: TestClient, text: str) -> None:
    response = client.post("/api/parse", json={"expression": text})
    assert response.status_code in {200, 422}, response.text
    body = response.json()
    if response.status_code == 200:
        assert set(body) == {"latex", "shape", "variables", "text", "readings"}
    else:
        error = body["error"]
        assert error["kind"] in {"syntax", "shape", "unsupported", "limit"}
        assert isinstance(error["message"], str) and error["message"]
        assert error["position"] is None or 0 <= error["position"] <= len(text)
