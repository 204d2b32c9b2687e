"""``python -m app check-content``: every lesson and problem is sound.

Lessons load; problems follow the schema and name existing lessons; every expected
answer is graded correct against itself (for a number or matrix problem whose answer is
a formula of its parameters, its exact value typed as numbers, in each of 25 variants),
every known mistake wrong and showing its message, every example derivation right; the
example in an empty answer box answers no problem.

The course's rules, lesson by lesson: 6 to 8 practice problems, each with a declared
difficulty, easiest first, at least one a whole derivation; every problem names the skills
it practises; a quiz of its own questions; at least two "check yourself" questions; every
widget exists and has a caption and a task; an old slug (alias) is no lesson's slug; the
reference page's identities hold and link to lessons that exist. The
lesson files: ``NN-name.md`` with NN its ``order``, the orders 1, 2, 3… without a gap; a
summary of at most 120 characters and two objectives or more; a worked ``::: example``; maths
that KaTeX can typeset without macros (balanced braces, environments closed).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from app.content.lessons import Lesson, LessonError, LessonLibrary
from app.content.markdown import WIDGET_NAMES
from app.content.problems import (
    PLACEHOLDER_EXAMPLES,
    Problem,
    ProblemError,
    ProblemLibrary,
    parameter_values,
)
from app.content.reference import check_reference
from app.grading.derivation import check_derivation
from app.grading.numbers import exact_value, has_names
from app.grading.problem_grader import grade_attempt
from app.mathcore.derivative import differentiate
from app.mathcore.errors import MathError
from app.mathcore.parse import parse
from app.mathcore.printing import to_text

VARIANTS_CHECKED = 25
PRACTICE_PER_LESSON = (6, 8)
CHECKS_PER_LESSON = 2
SUMMARY_LENGTH = 120
LESSON_FILE = re.compile(r"(\d\d)-[a-z0-9]+(-[a-z0-9]+)*\.md")
FORBIDDEN_TEX = (r"\newcommand", r"\renewcommand", r"\def", r"\label", r"\eqref", r"\ref{")
"""Macros and references: KaTeX typesets each formula alone, so these cannot work."""


def check_content(content_dir: Path) -> list[str]:
    """Every problem found, as ``"where: what"`` lines; empty when all is well."""
    try:
        lessons = LessonLibrary(content_dir / "lessons").all()
    except LessonError as error:
        return [str(error)]
    try:
        library = ProblemLibrary(content_dir / "problems")
    except ProblemError as error:
        return [str(error)]
    slugs = {lesson.slug for lesson in lessons}
    found: list[str] = []
    for problem in library.by_id.values():
        where = f"{problem.lesson}/{problem.id}"
        if problem.lesson not in slugs:
            found.append(f"{where}: no lesson called {problem.lesson!r}")
        try:
            found.extend(f"{where}: {issue}" for issue in check_problem(problem))
        except MathError as error:
            found.append(f"{where}: {error.message}")
    for lesson in lessons:
        found.extend(f"{lesson.slug}: {issue}" for issue in check_lesson(lesson, library, slugs))
        found.extend(f"{lesson.slug}: {issue}" for issue in check_lesson_file(lesson))
    found.extend(check_reference(content_dir, slugs))
    orders = sorted(lesson.order for lesson in lessons)
    if orders != list(range(1, len(orders) + 1)):
        found.append(f"the lessons' orders are {orders}: number them 1, 2, 3… without a gap")
    return found


def check_lesson_file(lesson: Lesson) -> list[str]:
    """The file's name, front matter and maths."""
    issues: list[str] = []
    named = LESSON_FILE.fullmatch(lesson.path.name)
    if named is None:
        issues.append("name the file NN-words-with-dashes.md")
    elif int(named.group(1)) != lesson.order:
        issues.append(f"the file is numbered {named.group(1)} but its order is {lesson.order}")
    if not 0 < len(lesson.summary) <= SUMMARY_LENGTH:
        issues.append(f"the summary has {len(lesson.summary)} characters (1 to {SUMMARY_LENGTH})")
    if len(lesson.objectives) < 2:
        issues.append("list two objectives or more")
    text = lesson.path.read_text(encoding="utf-8")
    if not re.search(r"^::: example\b", text, flags=re.M):
        issues.append("no worked example (::: example …)")
    for tex in _maths(text):
        if tex.count("{") != tex.count("}"):
            issues.append(f"unbalanced braces in ${tex}$")
        issues.extend(f"{bad} cannot be typeset: ${tex}$" for bad in FORBIDDEN_TEX if bad in tex)
        if tex.count(r"\begin{") != tex.count(r"\end{"):
            issues.append(f"an environment is not closed in ${tex}$")
    return issues


def _maths(text: str) -> list[str]:
    """The TeX of every ``$…$`` and ``$$…$$`` outside code fences (roughly, as written)."""
    outside = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    spans = re.findall(r"\$\$(.+?)\$\$", outside, flags=re.S)
    inline = re.sub(r"\$\$.+?\$\$", "", outside, flags=re.S)
    spans += re.findall(r"(?<![\\\d])\$([^$\n]+?)\$(?!\d)", inline)
    return spans


def check_lesson(lesson: Lesson, library: ProblemLibrary, slugs: set[str]) -> list[str]:
    """The course's rules for one lesson, its practice and its quiz."""
    issues: list[str] = []
    practice = library.for_lesson(lesson.slug)
    low, high = PRACTICE_PER_LESSON
    if not low <= len(practice) <= high:
        issues.append(
            f"{len(practice)} practice problems in content/problems/{lesson.slug}.yaml "
            f"(a lesson has {low} to {high})"
        )
    undeclared = [p.id for p in practice if p.difficulty is None]
    if undeclared:
        issues.append(f"no difficulty declared for {', '.join(undeclared)}")
    else:
        for before, after in zip(practice, practice[1:], strict=False):
            assert before.difficulty is not None and after.difficulty is not None
            if after.difficulty < before.difficulty:
                issues.append(
                    f"{after.id} (difficulty {after.difficulty}) comes after {before.id} "
                    f"(difficulty {before.difficulty}): practice goes from easy to hard"
                )
    if practice and not any(p.type == "derivation" for p in practice):
        issues.append("no practice problem asks for a whole derivation (type: derivation)")
    quiz = library.quiz(lesson.slug)
    if not quiz:
        issues.append(f"the lesson has no quiz in content/problems/{lesson.slug}.yaml")
    for problem in (*practice, *quiz):
        if not problem.skills:
            issues.append(f"{problem.id} names no skills it practises")
    if lesson.checks < CHECKS_PER_LESSON:
        issues.append(
            f'{lesson.checks} "check yourself" questions (::: check …); a lesson asks at '
            f"least {CHECKS_PER_LESSON}"
        )
    for widget in lesson.widgets:
        if widget.name not in WIDGET_NAMES:
            issues.append(f"no widget called {widget.name!r} (there are {', '.join(WIDGET_NAMES)})")
        missing = [key for key in ("caption", "task") if not widget.settings.get(key)]
        if missing:
            issues.append(f"the {widget.name} widget has no {' or '.join(missing)}")
    issues.extend(
        f"the old slug {alias!r} is a lesson's slug" for alias in lesson.aliases if alias in slugs
    )
    return issues


def check_problem(problem: Problem) -> list[str]:
    issues: list[str] = _check_derivative_of(problem)
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
    coincidences: dict[str, int] = {}
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
            if problem.parameters and typed is not None and typed == own_text:
                # these numbers make the mistake the right matrix (A^T B = A^T B^T for a
                # symmetric B): typed here it is right, and it is wrong in other variants
                coincidences[mistake.answer] = coincidences.get(mistake.answer, 0) + 1
                continue
            verdict = grade_attempt(problem, typed or mistake.answer, None, values)
            if verdict.correct or not verdict.counted:
                issues.append(f"the known mistake {mistake.answer!r} is not graded wrong")
            elif "known_mistake" not in verdict.kinds:
                issues.append(f"the known mistake {mistake.answer!r} does not show its message")
        example = PLACEHOLDER_EXAMPLES.get(problem.type)
        if example is not None and grade_attempt(problem, example, None, values).correct:
            issues.append(f"the answer box's example {example!r} is a right answer (seed {seed})")
        if issues:
            break
    issues.extend(
        f"the known mistake {answer!r} equals the answer in every variant"
        for answer, count in coincidences.items()
        if count == len(seeds)
    )
    return issues


def _check_derivative_of(problem: Problem) -> list[str]:
    """The expected answer is the engine's derivative of ``derivative_of`` (by value)."""
    spec = problem.derivative_of
    if spec is None:
        return []
    parsed = parse(spec.f, problem.declarations())
    result = differentiate(parsed, spec.wrt, spec.kind, problem.layout)
    engine = to_text(result.expr)
    verdict = grade_attempt(problem.model_copy(update={"type": "expression"}), engine, None, {})
    if verdict.correct:
        return []
    return [f"the answer {problem.answer!r} is not the derivative of {spec.f!r}: {engine!r}"]


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
