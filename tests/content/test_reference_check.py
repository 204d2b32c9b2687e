"""check_reference: what check-content reports about content/reference.yaml."""

from __future__ import annotations

import textwrap
from pathlib import Path

from app.content.reference import REFERENCE_FILE, check_reference, read_reference_file

REAL_CONTENT = Path(__file__).resolve().parents[2] / "content"

HEAD = """\
convention: One convention.
sections:
  - {id: vectors, title: Vectors}
notation:
  - title: Letters
    entries:
      - {symbol: x, meaning: a vector}
identities:
"""


def _identity(
    identity_id: str, *, result: str = "a", lesson: str = "05-gradient-identities"
) -> str:
    return textwrap.indent(
        textwrap.dedent(
            f"""\
            - id: {identity_id}
              section: vectors
              text: \\nabla_x (a^\\top x) = a
              expression: a^T x
              wrt: x
              variables: {{a: {{shape: [n]}}, x: {{shape: [n]}}}}
              result: "{result}"
              lesson: {lesson}
            """
        ),
        "  ",
    )


def _content(tmp_path: Path, *identities: str) -> Path:
    (tmp_path / REFERENCE_FILE).write_text(HEAD + "".join(identities), encoding="utf-8")
    return tmp_path


def test_a_sound_file_has_no_problems(tmp_path: Path) -> None:
    content = _content(tmp_path, _identity("grad-a-t-x"))
    assert check_reference(content, {"05-gradient-identities"}) == []


def test_an_unknown_lesson_is_named(tmp_path: Path) -> None:
    content = _content(tmp_path, _identity("grad-a-t-x", lesson="99-no-such-lesson"))
    assert check_reference(content, {"05-gradient-identities"}) == [
        "reference.yaml/grad-a-t-x: no lesson called '99-no-such-lesson'"
    ]


def test_a_result_that_does_not_parse_or_has_the_wrong_shape_is_named(tmp_path: Path) -> None:
    content = _content(
        tmp_path, _identity("unparsable", result="a +"), _identity("transposed", result="a^T")
    )
    problems = check_reference(content, {"05-gradient-identities"})
    assert len(problems) == 2
    assert problems[0].startswith("reference.yaml/unparsable: the result 'a +' does not parse")
    assert problems[1].startswith("reference.yaml/transposed: the result is 1×n")


def test_a_wrong_result_is_named(tmp_path: Path) -> None:
    content = _content(tmp_path, _identity("doubled", result="2 a"))
    (problem,) = check_reference(content, {"05-gradient-identities"})
    assert problem.startswith("reference.yaml/doubled: the result '2 a' is wrong: it differs")


def test_repeated_ids_are_named(tmp_path: Path) -> None:
    content = _content(tmp_path, _identity("same"), _identity("same"))
    (problem,) = check_reference(content, {"05-gradient-identities"})
    assert problem.startswith(str(content / REFERENCE_FILE)) and "same" in problem


def test_no_reference_file_is_no_problem(tmp_path: Path) -> None:
    assert check_reference(tmp_path, set()) == []


def test_every_identity_of_the_real_file_parses_with_the_right_shape() -> None:
    named = {i.lesson for i in read_reference_file(REAL_CONTENT / REFERENCE_FILE).identities}
    assert check_reference(REAL_CONTENT, {slug for slug in named if slug}) == []
