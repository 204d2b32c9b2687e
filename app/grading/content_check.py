"""``python -m app check-content``: every lesson and problem is sound.

Lessons load; problems follow the schema and name existing lessons; every expected
answer is graded correct against itself (for a number or matrix problem whose answer is
a formula of its parameters, its exact value typed as numbers, in each of 25 variants),
every known mistake wrong and showing its message, every example derivation right; every
lesson has a quiz.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.content.lessons import LessonError, LessonLibrary
from app.content.problems import (
    Problem,
    ProblemError,
    ProblemLibrary,
    parameter_values,
)
from app.grading.derivation import check_derivation
from app.grading.numbers import exact_value, has_names
from app.grading.problem_grader import grade_attempt
from app.mathcore.errors import MathError
from app.mathcore.parse import parse

VARIANTS_CHECKED = 25


def check_content(content_dir: Path) -> list[str]:
    """Every problem found, as ``"where: what"`` lines; empty when all is well."""
    try:
        lessons = {lesson.slug for lesson in LessonLibrary(content_dir / "lessons").all()}
    except LessonError as error:
        return [str(error)]
    try:
        library = ProblemLibrary(content_dir / "problems")
    except ProblemError as error:
        return [str(error)]
    found: list[str] = []
    for problem in library.by_id.values():
        where = f"{problem.lesson}/{problem.id}"
        if problem.lesson not in lessons:
            found.append(f"{where}: no lesson called {problem.lesson!r}")
        try:
            found.extend(f"{where}: {issue}" for issue in check_problem(problem))
        except MathError as error:
            found.append(f"{where}: {error.message}")
    found.extend(
        f"{slug}: the lesson has no quiz in content/problems/{slug}.yaml"
        for slug in sorted(lessons - set(library.quizzes))
    )
    return found


def check_problem(problem: Problem) -> list[str]:
    issues: list[str] = []
    if problem.type == "choice":
        return issues
    if problem.type == "derivation":
        result = check_derivation(
            problem.example,
            problem.declarations(),
            problem.wrt or "",
            problem.answer,
            from_differential=problem.start == "differential",
        )
        if not result.correct:
            issues.append(f"the example derivation is not graded right: {result.feedback}")
        return issues
    seeds = range(VARIANTS_CHECKED) if problem.parameters else range(1)
    for seed in seeds:
        values = parameter_values(problem, seed)
        own_text = as_typed(problem, problem.answer, values)
        if own_text is None:
            issues.append(f"variant {seed} has no finite answer")
            break
        own = grade_attempt(problem, own_text, None, values)
        if not own.correct:
            issues.append(
                f"the expected answer, typed as {own_text!r}, is not graded correct "
                f"(seed {seed}): {own.kinds}"
            )
        for mistake in problem.mistakes:
            typed = as_typed(problem, mistake.answer, values)
            verdict = grade_attempt(problem, typed or mistake.answer, None, values)
            if verdict.correct or not verdict.counted:
                issues.append(f"the known mistake {mistake.answer!r} is not graded wrong")
            elif "known_mistake" not in verdict.kinds:
                issues.append(f"the known mistake {mistake.answer!r} does not show its message")
        if issues:
            break
    return issues


def as_typed(problem: Problem, text: str, values: dict[str, np.ndarray]) -> str | None:
    """What a learner types for ``text``: itself for an expression problem (or a number
    written without names); for a number or matrix problem whose answer is a formula of
    the parameters, its exact value as numbers (``None`` if it has none)."""
    expr = parse(text, problem.declarations()).expr
    if problem.type not in ("number", "matrix") or not has_names(expr):
        return text
    value = exact_value(expr, values)
    if value is None:
        return None
    rows = [", ".join(str(x).replace("**", "^") for x in value.row(i)) for i in range(value.rows)]
    return rows[0] if value.shape == (1, 1) else "[" + "; ".join(rows) + "]"
