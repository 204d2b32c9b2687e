"""check-content: the real problems are sound, and a broken problem is reported."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from app.__main__ import main
from app.content.problems import ProblemLibrary, parameter_values, render_prompt, variant_seed
from app.grading.content_check import check_content
from tests.conftest import REPO_ROOT


def test_the_real_content_is_sound() -> None:
    assert check_content(REPO_ROOT / "content") == []


def test_every_quiz_asks_its_own_questions() -> None:
    library = ProblemLibrary(REPO_ROOT / "content" / "problems")
    for lesson, questions in library.quizzes.items():
        practice = {p.id for p in library.for_lesson(lesson)}
        assert questions and not practice & set(questions)
        assert all(library.by_id[q].role == "quiz" for q in questions)


def test_a_wrong_expected_answer_and_a_right_mistake_are_reported(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "content" / "lessons", content / "lessons")
    (content / "problems").mkdir()
    (content / "problems" / "01-derivatives-refresher.yaml").write_text(
        textwrap.dedent(
            """\
            problems:
              - id: broken
                title: Broken
                prompt: Differentiate x^2.
                variables: {x: {shape: []}}
                answer: 2 x
                mistakes:
                  - answer: x + x
                    message: this is not a mistake at all
                solution: 2x
            """
        ),
        encoding="utf-8",
    )
    problems = check_content(content)
    assert any("'x + x' is not graded wrong" in p for p in problems)
    assert any("has no quiz" in p for p in problems)
    assert main(["check-content", str(content)]) == 1


def test_a_variant_is_the_same_for_one_learner_and_differs_between_learners() -> None:
    problem = ProblemLibrary(REPO_ROOT / "content" / "problems").get("dense-layer-weight-gradient")
    assert problem is not None
    first = render_prompt(problem, parameter_values(problem, variant_seed("ada", problem.id)))
    again = render_prompt(problem, parameter_values(problem, variant_seed("ada", problem.id)))
    other = render_prompt(problem, parameter_values(problem, variant_seed("bob", problem.id)))
    assert first == again and first != other and "bmatrix" in first
