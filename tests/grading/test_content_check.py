"""check-content: the real problems are sound, and a broken problem is reported."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import numpy as np

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
    library = ProblemLibrary(REPO_ROOT / "content" / "problems")
    # a problem whose prompt shows a parameter with several entries, as a bmatrix
    problem = next(
        p
        for p in library.by_id.values()
        if any(
            f"{{{{{name}}}}}" in p.prompt and np.prod(parameter.shape or [1]) > 1
            for name, parameter in p.parameters.items()
        )
    )
    first = render_prompt(problem, parameter_values(problem, variant_seed("ada", problem.id)))
    again = render_prompt(problem, parameter_values(problem, variant_seed("ada", problem.id)))
    other = render_prompt(problem, parameter_values(problem, variant_seed("bob", problem.id)))
    assert first == again and first != other and "bmatrix" in first


GOOD_LESSON = """\
---
title: Linear maps
order: 1
summary: The gradient of $a^T x$.
objectives:
  - Differentiate $a^T x$
  - Check it by its shape
---

## The gradient

::: example Worked example
$\\nabla_x (a^\\top x) = a$.
:::

::: check What is the shape of $\\nabla_x (a^\\top x)$?
That of $x$.
:::

::: check And of $a^\\top x$?
A scalar.
:::

```widget gradient f="x^2 + y^2" point="1,1" caption="A bowl." task="Find its lowest point."
```
"""


def _practice(count: int, difficulties: list[int] | None = None) -> str:
    levels = difficulties or [1] * count
    lines = ["problems:"]
    for index, level in enumerate(levels):
        lines += [
            f"  - id: linear-{index}",
            f"    title: Linear {index}",
            f"    difficulty: {level}",
            "    skills: [linear-gradient]",
            "    prompt: Find the gradient of $a^T x$.",
            "    variables: {a: {shape: [n]}, x: {shape: [n]}}",
            "    answer: a",
            "    derivative_of: {f: a^T x, wrt: x}",
            "    solution: $a$.",
        ]
    lines += [
        "  - id: linear-derivation",
        "    title: Derive it",
        f"    difficulty: {levels[-1]}",
        "    skills: [linear-gradient, differentials]",
        "    type: derivation",
        "    prompt: Derive the gradient of $a^T x$.",
        "    variables: {a: {shape: [n]}, x: {shape: [n]}}",
        "    wrt: x",
        "    answer: a",
        "    example: [d(a^T x) = a^T dx]",
        "    solution: $a$.",
        "quiz:",
    ]
    for index, kind in enumerate(["number", "number", "choice", "choice"]):
        lines += [f"  - id: quiz-{index}", f"    title: Q{index}", f"    type: {kind}"]
        lines += ["    skills: [shapes]", "    prompt: How many?", "    solution: Two."]
        if kind == "number":
            lines += ['    answer: "2"']
        else:
            lines += ["    choices: [{text: one}, {text: two, correct: true}]"]
    return "\n".join(lines) + "\n"


def _course(tmp_path: Path, lesson: str, problems: str) -> Path:
    content = tmp_path / "content"
    (content / "lessons").mkdir(parents=True)
    (content / "problems").mkdir()
    (content / "lessons" / "01-linear-maps.md").write_text(lesson, encoding="utf-8")
    (content / "problems" / "01-linear-maps.yaml").write_text(problems, encoding="utf-8")
    return content


def test_a_lesson_that_keeps_the_rules_passes(tmp_path: Path) -> None:
    assert check_content(_course(tmp_path, GOOD_LESSON, _practice(6))) == []


def test_each_course_rule_is_reported(tmp_path: Path) -> None:
    lesson = (
        GOOD_LESSON.replace("order: 1", "order: 2")
        .replace("::: check And of $a^\\top x$?\nA scalar.\n:::\n", "")
        .replace('caption="A bowl." ', "")
        .replace("widget gradient", "widget surface")
        .replace("::: example Worked example", "::: note")
        .replace("$\\nabla_x (a^\\top x) = a$.", "$\\frac{a}{b$ and $\\def\\x{1}$.")
    )
    problems = _practice(4, [2, 1, 1, 1]).replace(
        "    answer: a\n    derivative_of", "    answer: 2 a\n    derivative_of", 1
    )
    found = "\n".join(check_content(_course(tmp_path, lesson, problems)))
    for message in [
        "5 practice problems",
        "linear-1 (difficulty 1) comes after linear-0 (difficulty 2)",
        '1 "check yourself" questions',
        "no widget called 'surface'",
        "the surface widget has no caption",
        "numbered 01 but its order is 2",
        "no worked example",
        "unbalanced braces",
        "\\def cannot be typeset",
        "the answer '2 a' is not the derivative of 'a^T x'",
    ]:
        assert message in found, f"{message!r} not in:\n{found}"
