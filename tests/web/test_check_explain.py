"""POST /api/check with explain: a wrong answer's values beside the truth; and the suggestion a
parse error carries, on every endpoint that reads learner text."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.conftest import REPO_ROOT, write_fixture_lessons

LEAST_SQUARES = {
    "expected": "2 X^T (X w - y)",
    "answer": "X^T (X w - y)",
    "variables": {"X": {"shape": ["m", "n"]}, "w": {"shape": ["n"]}, "y": {"shape": ["m"]}},
}


LESSON = "02-vectors"  # one of the fixture lessons in tests/conftest.py
PROBLEMS = r"""
problems:
  - id: quadratic
    title: A quadratic form
    prompt: Find the gradient of $x^T A x$.
    variables:
      x: {shape: [n]}
      A: {shape: [n, n]}
    answer: (A + A^T) x
    derivative_of: {f: x^T A x, wrt: x}
    solution: $(A + A^T) x$.
  - id: count
    title: A count
    type: number
    prompt: How many entries has a 3 by 4 matrix?
    answer: "12"
    solution: Twelve.
"""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("check-explain")
    content = write_fixture_lessons(folder / "content")
    (content / "problems").mkdir()
    (content / "problems" / f"{LESSON}.yaml").write_text(PROBLEMS, encoding="utf-8")
    settings = Settings(
        base_dir=REPO_ROOT,
        content_root=content,
        database_url=f"sqlite:///{folder / 'test.db'}",
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_wrong_answer_is_shown_beside_the_truth_at_one_point(api: TestClient) -> None:
    body = {
        **LEAST_SQUARES,
        "explain": True,
        "derivative_of": {"f": "norm(X w - y)^2", "wrt": "w"},
    }
    response = api.post("/api/check", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["equivalent"] is False
    comparison = data["comparison"]
    at = comparison["at"]
    X = np.array(at["X"])
    w = np.array(at["w"])[:, None]
    y = np.array(at["y"])[:, None]
    truth = 2 * X.T @ (X @ w - y)  # NumPy, not our engine
    np.testing.assert_allclose(np.array(comparison["expected"]), truth[:, 0], rtol=1e-10)
    np.testing.assert_allclose(np.array(comparison["answer"]), truth[:, 0] / 2, rtol=1e-10)
    assert comparison["first_difference"]["index"] == [1, 1]
    check = comparison["finite_difference"]
    np.testing.assert_allclose(np.array(check["value"]), truth[:, 0], rtol=1e-5)
    assert check["step"] == 1e-5
    assert [t["name"] for t in comparison["figure"]["data"]][1:3] == [
        "∇f, the derivative",
        "your answer",
    ]
    again = api.post("/api/check", json=body).json()
    assert again["comparison"]["at"] == at  # seeded: the same point every time


def test_without_explain_or_when_right_there_is_no_comparison(api: TestClient) -> None:
    wrong = api.post("/api/check", json=LEAST_SQUARES).json()
    assert wrong["comparison"] is None
    right = api.post(
        "/api/check", json={**LEAST_SQUARES, "answer": "2 X^T X w - 2 X^T y", "explain": True}
    ).json()
    assert right["equivalent"] is True and right["comparison"] is None


def test_without_f_the_comparison_has_values_but_no_differences(api: TestClient) -> None:
    data = api.post("/api/check", json={**LEAST_SQUARES, "explain": True}).json()
    comparison = data["comparison"]
    assert comparison["finite_difference"] is None and comparison["figure"] is None
    assert comparison["expected_shape"] == comparison["answer_shape"]


@pytest.mark.parametrize(
    "derivative_of",
    [
        {"f": "norm(X w - y", "wrt": "w"},  # f does not read: no comparison, the verdict stands
        {"f": "(x + y + z)^400 " * 40, "wrt": "w"},
    ],
)
def test_a_bad_f_never_costs_the_verdict(api: TestClient, derivative_of: dict[str, str]) -> None:
    body = {**LEAST_SQUARES, "explain": True, "derivative_of": derivative_of}
    response = api.post("/api/check", json=body)
    assert response.status_code == 200
    assert response.json()["equivalent"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**LEAST_SQUARES, "explain": "yes please"}, "explain"),
        ({**LEAST_SQUARES, "derivative_of": {"f": "x", "wrt": "w" * 200}}, "wrt"),
        ({**LEAST_SQUARES, "derivative_of": {"f": "x", "wrt": "w", "kind": "laplacian"}}, "kind"),
    ],
)
def test_a_hostile_body_is_a_clean_422(
    api: TestClient, body: dict[str, object], field: str
) -> None:
    response = api.post("/api/check", json=body)
    assert response.status_code == 422
    assert field in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("path", "body", "suggestion"),
    [
        ("/api/parse", {"expression": "sigmod(x)"}, "sigmoid(x)"),
        ("/api/parse", {"expression": "2 X^T (X w - y"}, "2 X^T (X w - y)"),
        (
            "/api/parse",
            {
                "expression": "2 + xyz",
                "variables": {n: {"shape": []} for n in ("x", "y", "z", "xy", "yz")},
            },
            "2 + xy z",
        ),
        ("/api/derivative", {"expression": "nrom(x)^2", "wrt": "x"}, "norm(x)^2"),
        ("/api/check", {"expected": "2 x", "answer": "2 x +"}, "2 x"),
        ("/api/check", {"expected": "sigmoid(x", "answer": "x"}, "sigmoid(x)"),
    ],
)
def test_a_parse_error_carries_the_one_likely_fix(
    api: TestClient, path: str, body: dict[str, object], suggestion: str
) -> None:
    response = api.post(path, json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["kind"] == "syntax" and error["suggestion"] == suggestion
    # the suggestion reads, with the same declarations
    again = {"expression": suggestion, "variables": body.get("variables")}
    assert api.post("/api/parse", json=again).status_code == 200


def test_a_shape_error_or_an_unfixable_text_has_no_suggestion(api: TestClient) -> None:
    shape = api.post(
        "/api/parse",
        json={"expression": "x * y", "variables": {"x": {"shape": ["n"]}, "y": {"shape": ["n"]}}},
    )
    assert shape.status_code == 422 and "suggestion" not in shape.json()["error"]
    stray = api.post("/api/parse", json={"expression": "x $ y"})
    assert stray.status_code == 422 and "suggestion" not in stray.json()["error"]


def test_a_wrong_attempt_with_explain_gets_the_comparison(api: TestClient) -> None:
    url = "/api/problems/quadratic/attempt"
    data = api.post(url, json={"answer": "2 A x", "explain": True}).json()
    assert data["correct"] is False and data["counted"] is True
    comparison = data["comparison"]
    A = np.array(comparison["at"]["A"])
    x = np.array(comparison["at"]["x"])
    np.testing.assert_allclose(comparison["expected"], (A + A.T) @ x, rtol=1e-10)
    np.testing.assert_allclose(comparison["answer"], 2 * A @ x, rtol=1e-10)
    assert comparison["figure"] is not None and comparison["wrt"] == "x"
    # the problem's point: the same for the next attempt, so attempts can be compared
    other = api.post(url, json={"answer": "A x", "explain": True}).json()["comparison"]
    assert other["at"] == comparison["at"]
    assert api.post(url, json={"answer": "2 A x"}).json()["comparison"] is None
    right = api.post(url, json={"answer": "A x + A^T x", "explain": True}).json()
    assert right["correct"] is True and right["comparison"] is None


def test_an_unreadable_attempt_gets_the_fix_and_is_not_counted(api: TestClient) -> None:
    url = "/api/problems/quadratic/attempt"
    data = api.post(url, json={"answer": "(A + A^T) (x", "explain": True}).json()
    assert data["counted"] is False and data["comparison"] is None
    assert data["suggestion"] == "(A + A^T) (x)"
    typo = api.post(url, json={"answer": "sigmod(x)"}).json()
    assert typo["suggestion"] == "sigmoid(x)"


def test_a_word_for_a_number_is_a_format_message_not_a_shape(api: TestClient) -> None:
    data = api.post("/api/problems/count/attempt", json={"answer": "twelve"}).json()
    assert data["counted"] is False
    assert [f["kind"] for f in data["feedback"]] == ["format"]
    near = api.post("/api/problems/count/attempt", json={"answer": "12.0001"}).json()
    assert near["counted"] is True and near["correct"] is False
    assert all(" 1 times" not in f["message"] for f in near["feedback"])
