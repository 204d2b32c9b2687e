"""A corpus of hostile inputs and the request bodies that carry them to every endpoint.

Shared by tests/web/test_hostile_corpus.py (every answer a clean 4xx or a 200, the server
up and its memory bounded afterwards) and bench/hostile.py (how long each answer takes).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

# Text a learner (or an attacker) can type into any maths box.
TEXTS: dict[str, str] = {
    "python-import": "__import__('os').system('touch /tmp/pwned')",
    "python-exec": "exec('import os')",
    "python-lambda": "(lambda: 1)()",
    "python-dunder": "x.__class__.__mro__[1].__subclasses__()",
    "sympy-function": "Function('f')(x) + S('1')",
    "template": "{{7*7}} ${7*7} #{7*7} <%= 7*7 %>",
    "sql": "x'; DROP TABLE attempts; --",
    "html": "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "tower": "9^9^9^9",
    "python-power": "2**99999999999",
    "huge-literal": "1e308 * 1e308 * x",
    "long-digits": "9" * 5000 + " x",
    "nested-5000": "(" * 5000 + "x" + ")" * 5000,
    "nested-calls": "exp(" * 400 + "x" + ")" * 400,
    "nul": "x\x00+ y",
    "control": "x\x1b[2J\x07 + y",
    "lone-surrogate": "x + \ud800",
    "bidi": "x \u202e+ y",
    "tex-def-bomb": r"\def\a{\a\a}\a",
    "tex-rule": r"\rule{1e5em}{1e5em}",
    "tex-href": r"\href{javascript:alert(1)}{x}",
    "long-sum": " + ".join(["x"] * 3000),
    "empty": "",
    "spaces": " " * 1000,
}

# Numbers for numeric fields: each must be refused or handled, never crash.
NUMBERS: dict[str, Any] = {
    "huge": 1e308,
    "tiny": 5e-324,
    "negative-huge": -1e308,
    "billion": 10**9,
    "big-int": 10**30,
}


@dataclass(frozen=True)
class Probe:
    """One hostile request: its name, method, path and body (JSON text or raw bytes)."""

    name: str
    method: str
    path: str
    body: bytes | None = None
    content_type: str = "application/json"
    must_refuse: bool = False
    """A 4xx is the only right answer (for some texts a 200 is right: `9^9^9^9` is a
    constant whose derivative is 0)."""


def _json(value: Any) -> bytes:
    # ensure_ascii keeps lone surrogates as \ud800 escapes, which is how a client sends them.
    return json.dumps(value, ensure_ascii=True, allow_nan=True).encode()


# Each endpoint with a body: a function from one hostile text to the body carrying it.
TEXT_BODIES: dict[str, Callable[[str], Any]] = {
    "/api/parse": lambda t: {"expression": t},
    "/api/derivative": lambda t: {"expression": t, "wrt": "x"},
    "/api/check": lambda t: {"expected": "2 x", "answer": t, "variables": {"x": {"shape": [3]}}},
    # With explain, a wrong answer costs a second maths call (the comparison).
    "/api/check?explain": lambda t: {
        "expected": "2 x",
        "answer": t,
        "variables": {"x": {"shape": [2]}},
        "explain": True,
        "derivative_of": {"f": "x^T x", "wrt": "x"},
    },
    "/api/check-derivation": lambda t: {"lines": ["x^T x", t], "wrt": "x"},
    "/api/problems/least-squares/attempt": lambda t: {"answer": t},
    "/api/viz/jacobian": lambda t: {"f": t, "point": [1, 1]},
    "/api/viz/gradient": lambda t: {"f": t, "point": [1, 1]},
    "/api/viz/finite-differences": lambda t: {"f": t, "x": 1},
    "/api/viz/descent": lambda t: {"f": t, "start": [1, 1]},
    "/api/account/signin": lambda t: {"username": t, "password": t},
}
PATHS_WITH_NAMES = [
    "/api/problems/{}",
    "/api/problems/{}/solution",
    "/api/quizzes/{}/takes/latest",
    "/lessons/{}",
    "/practice/{}",
    "/practice/quiz/{}",
    "/explore/{}",
]


def probes() -> Iterator[Probe]:
    for path, make in TEXT_BODIES.items():
        for name, text in TEXTS.items():
            yield Probe(f"{path} {name}", "POST", path, _json(make(text)))
        # Bodies that are not what the endpoint reads at all.
        yield Probe(f"{path} 100kB", "POST", path, _json(make("x" * 100_000)), must_refuse=True)
        yield Probe(
            f"{path} 1MB", "POST", path, b'{"a": "' + b"x" * 1_000_000 + b'"}', must_refuse=True
        )
        yield Probe(
            f"{path} invalid-utf8", "POST", path, b'{"expression": "\xff\xfe x"}', must_refuse=True
        )
        yield Probe(f"{path} not-json", "POST", path, b"{expression: x", must_refuse=True)
        for kind, value in {
            "number": 5,
            "list": [],
            "null": None,
            "bool": True,
            "object": {"a": 1},
        }.items():
            bad = {key: value for key in make("x")}
            yield Probe(f"{path} wrong-type-{kind}", "POST", path, _json(bad), must_refuse=True)
        yield Probe(
            f"{path} nan",
            "POST",
            path,
            _json(make("x")).replace(b'"x"', b"NaN", 1),
            must_refuse=True,
        )
        yield Probe(
            f"{path} form",
            "POST",
            path,
            b"expression=x",
            "application/x-www-form-urlencoded",
            must_refuse=True,
        )
    # Declarations, values and numeric fields.
    for dims in ([10**9], [10**9, 10**9], [-1], [0], ["n" * 5000], [2] * 50):
        yield Probe(
            f"derivative dims {str(dims)[:20]}",
            "POST",
            "/api/derivative",
            _json({"expression": "x^T x", "wrt": "x", "variables": {"x": {"shape": dims}}}),
        )
    yield Probe(
        "derivative 100x100 at",
        "POST",
        "/api/derivative",
        _json({"expression": "tr(X)", "wrt": "X", "at": {"X": [[1.5] * 100] * 100}}),
    )
    # Values are bounded per side (200), before the body limit is ever reached.
    yield Probe(
        "derivative long at vector",
        "POST",
        "/api/derivative",
        _json({"expression": "x^T x", "wrt": "x", "at": {"x": [1.0] * 5000}}),
        must_refuse=True,
    )
    yield Probe(
        "derivative 300 rows at",
        "POST",
        "/api/derivative",
        _json({"expression": "tr(X)", "wrt": "X", "at": {"X": [[1.0]] * 300}}),
        must_refuse=True,
    )
    yield Probe(
        "derivative nan at",
        "POST",
        "/api/derivative",
        b'{"expression": "x^T x", "wrt": "x", "at": {"x": [NaN, Infinity, -Infinity]}}',
        must_refuse=True,
    )
    yield Probe(
        "derivative many variables",
        "POST",
        "/api/derivative",
        _json(
            {
                "expression": "x",
                "wrt": "x",
                "variables": {f"v{i}": {"shape": [2]} for i in range(2000)},
            }
        ),
    )
    for name, number in NUMBERS.items():
        yield Probe(
            f"descent step {name}",
            "POST",
            "/api/viz/descent",
            _json({"f": "x^2 + y^2", "start": [1, 1], "step": number}),
        )
        yield Probe(
            f"descent iterations {name}",
            "POST",
            "/api/viz/descent",
            _json({"f": "x^2 + y^2", "start": [1, 1], "iterations": number}),
        )
        yield Probe(
            f"descent start {name}",
            "POST",
            "/api/viz/descent",
            _json({"f": "x^2 + y^2", "start": [number, number]}),
        )
        yield Probe(
            f"jacobian radius {name}",
            "POST",
            "/api/viz/jacobian",
            _json({"f": "[x + y, x - y]", "point": [1, 1], "radius": number}),
        )
        yield Probe(
            f"finite-differences x {name}",
            "POST",
            "/api/viz/finite-differences",
            _json({"f": "sin(x)", "x": number}),
        )
    yield Probe(
        "jacobian long point",
        "POST",
        "/api/viz/jacobian",
        _json({"f": "[x, y]", "point": [1.0] * 10_000}),
        must_refuse=True,
    )
    yield Probe(
        "derivation 10000 lines",
        "POST",
        "/api/check-derivation",
        _json({"lines": ["x"] * 10_000, "wrt": "x"}),
        must_refuse=True,
    )
    for template in PATHS_WITH_NAMES:
        for name in ("..%2F..%2Fetc%2Fpasswd", "%00", "x" * 5000, "%3Cscript%3E", "%ud800"):
            yield Probe(
                f"GET {template} {name[:12]}", "GET", template.format(name), must_refuse=True
            )
    yield Probe("explore f", "GET", "/explore/gradient?f=" + "(" * 3000)
    # The HTML forms: sign-up, sign-in, deleting progress, retaking a quiz. Without this
    # browser's form token they are refused; the text in them must never matter.
    forms = [
        "/signup",
        "/signin",
        "/progress/delete",
        "/practice/quiz/01-derivatives-refresher/retake",
    ]
    for path in forms:
        for name in ("python-import", "nul", "lone-surrogate", "long-digits", "html"):
            text = TEXTS[name]
            fields = {"username": text, "password": text, "csrf": text, "confirm": text}
            # A lone surrogate goes as the invalid UTF-8 bytes a client could send.
            body = urlencode(fields, encoding="utf-8", errors="surrogatepass")
            yield Probe(
                f"form {path} {name}",
                "POST",
                path,
                body.encode(),
                "application/x-www-form-urlencoded",
                must_refuse=True,
            )
        yield Probe(
            f"form {path} 100kB",
            "POST",
            path,
            b"username=" + b"x" * 100_000,
            "application/x-www-form-urlencoded",
            must_refuse=True,
        )
