"""``python -m app check-content``: every lesson and problem is sound.

Lessons load; problems follow the schema and name existing lessons; every expected
answer is graded correct against itself, every known mistake wrong, every example
derivation right; every variant of a randomised problem is solvable (its expected
answer is finite and, typed as numbers, graded correct); every lesson has a quiz.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.content.lessons import LessonError, LessonLibrary
from app.content.problems import (
    Problem,
    ProblemError,
    ProblemLibrary,
    latex_array,
    parameter_values,
)
from app.grading.derivation import check_derivation
from app.grading.numeric import evaluate_together
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
            problem.example, problem.declarations(), problem.wrt or "", problem.answer
        )
        if not result.correct:
            issues.append(f"the example derivation is not graded right: {result.feedback}")
        return issues
    seeds = range(VARIANTS_CHECKED) if problem.parameters else range(1)
    for seed in seeds:
        values = parameter_values(problem, seed)
        own = grade_attempt(problem, problem.answer, None, values)
        if not own.correct:
            issues.append(f"the expected answer is not graded correct (seed {seed}): {own.kinds}")
        if problem.parameters:
            issues.extend(_variant_solvable(problem, values, seed))
        for mistake in problem.mistakes:
            verdict = grade_attempt(problem, mistake.answer, None, values)
            if verdict.correct or not verdict.counted:
                issues.append(f"the known mistake {mistake.answer!r} is not graded wrong")
            elif "known_mistake" not in verdict.kinds:
                issues.append(f"the known mistake {mistake.answer!r} does not show its message")
        if issues:
            break
    return issues


def _variant_solvable(problem: Problem, values: dict[str, np.ndarray], seed: int) -> list[str]:
    parsed = parse(problem.answer, problem.declarations())
    table = evaluate_together([parsed.expr], parsed.variables, fixed=values)
    if table.empty or table.rows[0][0] is None:
        return [f"variant {seed} has no finite answer"]
    value = table.rows[0][0]
    typed = latex_array(value)
    if not np.allclose(value, np.round(value)):
        return []  # fractions: typed answers are checked by the grader's tolerance instead
    as_text = _literal(value)
    result = grade_attempt(problem, as_text, None, values)
    if not result.correct:
        return [f"variant {seed}: the numbers {typed} are not graded correct"]
    return []


def _literal(value: np.ndarray) -> str:
    rows = [", ".join(str(int(round(x))) for x in row) for row in value]
    return rows[0] if value.shape == (1, 1) else "[" + "; ".join(rows) + "]"
