"""Practice problems and quizzes: YAML files in ``content/problems/``, one per lesson.

``content/problems/05-gradient-identities.yaml`` holds the practice problems of the lesson
``05-gradient-identities``, easiest first, and its quiz: questions of its own, in the same
format, that the practice set does not repeat. The format is documented in
``docs/authoring.md``; :class:`ProblemFile` validates it and refuses unknown keys, so a typo
is caught instead of ignored; the course's rules (how many, in what order) are checked by
``python -m app check-content``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from app.mathcore.evaluate import Array

AnswerType = Literal["expression", "matrix", "number", "choice", "derivation"]
ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
SkillTag = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=40)]


PLACEHOLDER_EXAMPLES: dict[str, str] = {"expression": "3 B^T y", "matrix": "[1, 2; 3, 4]"}
"""The example shown in an empty answer box; check-content makes sure it answers nothing."""
INPUT_PLACEHOLDERS: dict[str, str] = {
    "expression": f"e.g. {PLACEHOLDER_EXAMPLES['expression']}",
    "matrix": PLACEHOLDER_EXAMPLES["matrix"],
    "number": "a number",
    "derivation": "d(f) = …  (then one step per line, each may begin with =)",
    # the calculator's expression box (templates/calculator/calculator.html)
    "calculator": "e.g. sum(log(1 + exp(-y .* (X w))))",
}
"""Every box's placeholder, by answer type (and the calculator's): they show the syntax and,
as check-content makes sure (app/content/placeholders.py), are no problem's answer."""


class ProblemError(Exception):
    """A problem file cannot be loaded; the message starts with the file's path."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VariableDeclaration(_Strict):
    shape: list[int | str] = Field(default_factory=list, max_length=2)
    properties: list[Literal["symmetric", "spd", "diagonal", "positive"]] = Field(
        default_factory=list
    )


class KnownMistakeSpec(_Strict):
    answer: str
    message: str


class DerivativeOf(_Strict):
    """The function whose derivative the expected answer is: check-content differentiates it
    with the engine and grades the engine's result against ``answer``."""

    f: str = Field(min_length=1)
    """In the calculator's syntax, over the problem's variables."""
    wrt: str = Field(min_length=1)
    kind: Literal["gradient", "jacobian", "hessian"] | None = None
    """Default: the gradient of a scalar, the Jacobian of a vector."""


class Choice(_Strict):
    text: str
    correct: bool = False
    why: str = ""
    """Shown after the choice is picked: why it is right or wrong."""


class Parameter(_Strict):
    """A randomised integer array, drawn per learner and problem."""

    shape: list[int] = Field(default_factory=list, max_length=2)
    low: int = -3
    high: int = 3
    nonzero: bool = False


class Problem(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    lesson: str = ""
    """Set on loading: the lesson of the file."""
    role: Literal["practice", "quiz"] = "practice"
    """Set on loading: a practice problem, or a question of the lesson's quiz."""
    difficulty: int | None = Field(default=None, ge=1, le=3)
    """1: one rule applied once; 2: a rule applied with care or two combined; 3: several
    steps or ideas combined. Practice problems come in non-decreasing difficulty."""
    skills: list[SkillTag] = Field(default_factory=list, max_length=6)
    """The rules the problem practises (``trace-cyclic``, ``d-inverse``, ``layout``…)."""
    title: str = Field(min_length=1)
    type: AnswerType = "expression"
    prompt: str = Field(min_length=1)
    variables: dict[str, VariableDeclaration] = Field(default_factory=dict)
    answer: str = ""
    """The expected answer: an expression (over variables and parameters); for a
    derivation, the expected gradient; empty for multiple choice."""
    layout: Literal["numerator", "denominator"] = "numerator"
    """The course's convention (numerator layout: a Jacobian has one row per output, and a
    gradient has the shape of its variable); ``denominator`` for a problem that states
    the other convention, named when a transposed answer is diagnosed."""
    tolerance: float | None = Field(default=None, ge=0, le=0.5)
    """For number and matrix answers: the relative error allowed (absolute where the
    expected entry is 0). Without it, integers and fractions must be exact and other
    values (``sqrt(2)``) agree to 1e-9 relative."""
    start: Literal["differential", "any"] = "differential"
    """For a derivation: ``differential`` (the first line starts from ``d(f)``) or ``any``."""
    wrt: str | None = None
    hints: list[str] = Field(default_factory=list)
    mistakes: list[KnownMistakeSpec] = Field(default_factory=list)
    solution: str = Field(min_length=1)
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    choices: list[Choice] = Field(default_factory=list)
    example: list[str] = Field(default_factory=list)
    """For a derivation: a correct one, checked by ``check-content``."""
    derivative_of: DerivativeOf | None = None
    """For an expression or a derivation whose answer is a derivative: of what."""

    @model_validator(mode="after")
    def _fits_its_type(self) -> Problem:
        if self.type == "choice":
            if len(self.choices) < 2 or sum(c.correct for c in self.choices) != 1:
                raise ValueError("a choice problem needs 2 or more choices, exactly one correct")
        elif not self.answer:
            raise ValueError(f"a {self.type} problem needs an answer")
        if self.type == "derivation" and (not self.wrt or not self.example):
            raise ValueError("a derivation needs wrt and an example derivation")
        if self.derivative_of is not None and self.type not in ("expression", "derivation"):
            raise ValueError("derivative_of applies to expression and derivation answers only")
        if self.tolerance is not None and self.type not in ("number", "matrix"):
            raise ValueError("tolerance applies to number and matrix answers only")
        clash = set(self.parameters) & set(self.variables)
        if clash:
            raise ValueError(f"{sorted(clash)[0]} is both a variable and a parameter")
        return self

    def declarations(self) -> dict[str, dict[str, list[Any]]]:
        """Variables and parameters in the math core's declaration format."""
        declared: dict[str, dict[str, list[Any]]] = {
            name: {"shape": list(v.shape), "properties": list(v.properties)}
            for name, v in self.variables.items()
        }
        for name, parameter in self.parameters.items():
            declared[name] = {"shape": list(parameter.shape), "properties": []}
        return declared


class ProblemFile(_Strict):
    lesson: str | None = None
    problems: list[Problem] = Field(min_length=1)
    quiz: list[Problem] = Field(default_factory=list)
    """The lesson's quiz: its own questions, not the practice problems again."""

    @model_validator(mode="after")
    def _quiz_is_mixed(self) -> ProblemFile:
        ids = [p.id for p in (*self.problems, *self.quiz)]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"problem ids repeat within the file: {repeated}")
        if self.quiz:
            if not QUIZ_SIZE[0] <= len(self.quiz) <= QUIZ_SIZE[1]:
                raise ValueError(f"a quiz has {QUIZ_SIZE[0]} to {QUIZ_SIZE[1]} questions")
            if len({p.type for p in self.quiz}) < 2:
                raise ValueError("a quiz mixes at least two answer types")
        return self


QUIZ_SIZE = (4, 6)


def load_problem_file(path: Path) -> ProblemFile:
    """Read and validate one file; every problem gets the file's lesson (its stem)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProblemError(f"{path}: cannot read ({exc})") from exc
    try:
        parsed = ProblemFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
        )
        raise ProblemError(f"{path}: {problems}") from exc
    lesson = parsed.lesson or path.stem
    return parsed.model_copy(
        update={
            "problems": [p.model_copy(update={"lesson": lesson}) for p in parsed.problems],
            "quiz": [p.model_copy(update={"lesson": lesson, "role": "quiz"}) for p in parsed.quiz],
        }
    )


class ProblemLibrary:
    """Every problem under a folder, by id and by lesson."""

    def __init__(self, problems_dir: Path) -> None:
        self.problems_dir = problems_dir
        self.by_id: dict[str, Problem] = {}
        self.quizzes: dict[str, list[str]] = {}
        paths = sorted(problems_dir.glob("*.yaml")) if problems_dir.is_dir() else []
        for path in paths:
            loaded = load_problem_file(path)
            for problem in (*loaded.problems, *loaded.quiz):
                if problem.id in self.by_id:
                    raise ProblemError(f"{path}: the id {problem.id!r} is used twice")
                self.by_id[problem.id] = problem
            if loaded.quiz:
                self.quizzes[loaded.problems[0].lesson] = [p.id for p in loaded.quiz]

    def get(self, problem_id: str) -> Problem | None:
        return self.by_id.get(problem_id)

    def for_lesson(self, lesson: str) -> list[Problem]:
        """The lesson's practice problems, easiest first (its quiz is :meth:`quiz`)."""
        return [p for p in self.by_id.values() if p.lesson == lesson and p.role == "practice"]

    def practice(self) -> list[Problem]:
        return [p for p in self.by_id.values() if p.role == "practice"]

    def quiz(self, lesson: str) -> list[Problem]:
        return [self.by_id[i] for i in self.quizzes.get(lesson, [])]


def variant_seed(learner_key: str, problem_id: str) -> int:
    """A stable seed per learner and problem: a reload shows the same numbers."""
    digest = hashlib.sha256(f"{learner_key}:{problem_id}".encode()).hexdigest()
    return int(digest[:16], 16)


def parameter_values(problem: Problem, seed: int) -> dict[str, Array]:
    """The randomised parameters of one variant, as 2-D float arrays of integers."""
    rng = np.random.default_rng(seed)
    values: dict[str, Array] = {}
    for name, parameter in problem.parameters.items():
        dims = parameter.shape or [1]
        rows, cols = (dims[0], 1) if len(dims) == 1 else (dims[0], dims[1])
        choices = [
            v for v in range(parameter.low, parameter.high + 1) if v or not parameter.nonzero
        ]
        drawn = rng.choice(choices, size=(rows, cols)).astype(float)
        values[name] = drawn
    return values


PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}")


def render_prompt(problem: Problem, values: dict[str, Array]) -> str:
    """The prompt with ``{{W}}`` replaced by the LaTeX of W's value in this variant."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return latex_array(values[name]) if name in values else match.group(0)

    return PLACEHOLDER.sub(replace, problem.prompt)


def latex_array(value: Array) -> str:
    def number(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else f"{x:g}"

    if value.shape == (1, 1):
        return number(float(value[0, 0]))
    rows = r" \\ ".join(" & ".join(number(float(x)) for x in row) for row in value)
    return r"\begin{bmatrix} " + rows + r" \end{bmatrix}"
