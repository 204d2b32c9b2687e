"""The course's reference page: ``content/reference.yaml``, validated and rendered once.

The file holds the layout convention, a cheat sheet of identities by section, the notation
the course uses, the letters that change meaning and further reading (its header comment
documents the format). :class:`ReferenceFile` validates it and refuses unknown keys, so a
typo is caught instead of ignored; a broken file raises :class:`ReferenceFileError` naming it,
so it stops the app at start-up instead of showing a half page. :func:`check_reference`
lists what ``check-content`` should report: unknown lessons, expressions or results that do
not parse or have the wrong shape, and results that disagree with central differences.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.content.markdown import render_inline, render_markdown
from app.mathcore.derivative import differentiate
from app.mathcore.errors import MathError
from app.mathcore.parse import Parsed, parse
from app.mathcore.tree import Shape, format_shape
from app.mathcore.verify import check_derivative

REFERENCE_FILE = "reference.yaml"
ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
PAGE_IDS = frozenset({"main", "convention", "notation", "reading", "letters-that-change-meaning"})
"""HTML ids the page itself uses; section and identity ids are HTML ids too, so they must
differ from these, from each other, and from the page's ``…-heading`` and ``notation-N`` ids."""
IdentityKind = Literal["gradient", "jacobian", "hessian", "differential"]


class ReferenceFileError(Exception):
    """The reference file cannot be loaded; the message starts with the file's path."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ReferenceVariable(_Strict):
    shape: list[int | str] = Field(default_factory=list, max_length=2)
    properties: list[Literal["symmetric", "spd", "diagonal", "positive", "simplex"]] = Field(
        default_factory=list
    )


class Section(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    intro: str = ""


class Identity(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    section: str
    text: str = Field(min_length=1)
    """The identity in LaTeX, without dollars."""
    expression: str = Field(min_length=1)
    wrt: str = Field(min_length=1)
    variables: dict[str, ReferenceVariable]
    result: str = Field(min_length=1)
    kind: IdentityKind | None = None
    """None: a gradient for a scalar expression, a Jacobian for a vector one."""
    lesson: str | None = None
    condition: str = ""

    @model_validator(mode="after")
    def _differentiates_a_declared_variable(self) -> Identity:
        if self.wrt not in self.variables:
            raise ValueError(f"wrt {self.wrt!r} is not among the variables")
        return self

    def declarations(self) -> dict[str, dict[str, list[Any]]]:
        """The variables in the math core's declaration format."""
        return {
            name: {"shape": list(v.shape), "properties": list(v.properties)}
            for name, v in self.variables.items()
        }


class NotationEntry(_Strict):
    symbol: str = Field(min_length=1)
    """LaTeX, without dollars."""
    meaning: str = Field(min_length=1)


class NotationGroup(_Strict):
    title: str = Field(min_length=1)
    entries: list[NotationEntry] = Field(min_length=1)


class Reading(_Strict):
    title: str = Field(min_length=1)
    authors: str = Field(min_length=1)
    url: str = Field(pattern=r"^https://")
    note: str = Field(min_length=1)


class ReferenceFile(_Strict):
    convention: str = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)
    identities: list[Identity] = Field(min_length=1)
    notation: list[NotationGroup] = Field(min_length=1)
    meanings: list[str] = Field(default_factory=list)
    reading: list[Reading] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ids_are_unique_and_sections_known(self) -> ReferenceFile:
        ids = [s.id for s in self.sections] + [i.id for i in self.identities]
        repeated = sorted(i for i, count in Counter(ids).items() if count > 1)
        if repeated:
            raise ValueError(f"ids used more than once: {', '.join(repeated)}")
        taken = [
            i
            for i in ids
            if i in PAGE_IDS or i.endswith("-heading") or re.fullmatch(r"notation-\d+", i)
        ]
        if taken:
            raise ValueError(f"ids the page itself uses: {', '.join(taken)}")
        sections = {s.id for s in self.sections}
        unknown = [f"{i.id} ({i.section})" for i in self.identities if i.section not in sections]
        if unknown:
            raise ValueError(f"identities in unknown sections: {', '.join(unknown)}")
        return self


@dataclass(frozen=True)
class RenderedIdentity:
    identity: Identity
    condition_html: str

    @property
    def id(self) -> str:
        return self.identity.id


@dataclass(frozen=True)
class RenderedSection:
    section: Section
    intro_html: str
    identities: list[RenderedIdentity]


@dataclass(frozen=True)
class RenderedNotation:
    title: str
    entries: list[tuple[str, str]]
    """(symbol LaTeX, meaning HTML)"""


@dataclass(frozen=True)
class RenderedReading:
    reading: Reading
    note_html: str


@dataclass(frozen=True)
class Reference:
    """The reference page's content with its markdown rendered to HTML (maths left for KaTeX)."""

    source: ReferenceFile
    convention_html: str
    sections: list[RenderedSection]
    notation: list[RenderedNotation]
    meanings_html: list[str]
    reading: list[RenderedReading]
    path: Path


def read_reference_file(path: Path) -> ReferenceFile:
    """Read and validate ``path``; raise ReferenceFileError naming it on any problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReferenceFileError(f"{path}: cannot read ({exc})") from exc
    try:
        return ReferenceFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
        )
        raise ReferenceFileError(f"{path}: {problems}") from exc


def load_reference(content_dir: Path) -> Reference | None:
    """The rendered reference of ``content_dir``, or None when it has no reference file."""
    path = content_dir / REFERENCE_FILE
    if not path.is_file():
        return None
    source = read_reference_file(path)
    sections = [
        RenderedSection(
            section,
            render_inline(section.intro),
            [
                RenderedIdentity(identity, render_inline(identity.condition))
                for identity in source.identities
                if identity.section == section.id
            ],
        )
        for section in source.sections
    ]
    return Reference(
        source=source,
        convention_html=render_markdown(source.convention).html,
        sections=sections,
        notation=[
            RenderedNotation(
                group.title,
                [(entry.symbol, render_inline(entry.meaning)) for entry in group.entries],
            )
            for group in source.notation
        ],
        meanings_html=[render_inline(text) for text in source.meanings],
        reading=[RenderedReading(item, render_inline(item.note)) for item in source.reading],
        path=path,
    )


def _expected_shape(kind: IdentityKind | None, f: Shape, x: Shape) -> Shape:
    if kind == "differential":
        return f
    if kind == "hessian":
        return (x[0], x[0])
    if kind == "gradient" or (kind is None and f == (1, 1)):
        return x
    return (f[0], x[0])  # a Jacobian: one row per output, one column per input


def check_identity(identity: Identity) -> list[str]:
    """What is wrong with one identity's expression and result, short of its maths."""
    declared = identity.declarations()
    try:
        expression = parse(identity.expression, declared)
    except MathError as error:
        return [f"the expression {identity.expression!r} does not parse: {error.message}"]
    try:
        result = parse(identity.result, declared)
    except MathError as error:
        return [f"the result {identity.result!r} does not parse: {error.message}"]
    x = expression.variables[identity.wrt].shape if identity.wrt in expression.variables else None
    if x is None:
        return [f"the expression does not use {identity.wrt!r}, the variable it is taken by"]
    expected = _expected_shape(identity.kind, expression.expr.shape, x)
    if result.expr.shape != expected:
        return [
            f"the result is {format_shape(result.expr.shape)} but the "
            f"{identity.kind or 'derivative'} should be {format_shape(expected)}"
        ]
    return _numeric_issues(identity, expression, result)


def _numeric_issues(identity: Identity, expression: Parsed, result: Parsed) -> list[str]:
    """The result against central differences of the expression (of the engine's gradient,
    for a Hessian). A differential is left to tests/content/test_reference_identities.py."""
    if identity.kind == "differential":
        return []
    x = expression.variables[identity.wrt]
    f, kind = expression.expr, identity.kind
    if kind is None:
        kind = "gradient" if f.shape == (1, 1) else "jacobian"
    if kind == "hessian":
        f = differentiate(expression, identity.wrt, "gradient").expr
        kind = "gradient" if x.shape == (1, 1) else "jacobian"
    check = check_derivative(f, result.expr, kind, "numerator", x, expression.variables)
    if check.failed:
        return [f"the result {identity.result!r} is wrong: it {check.message}"]
    return []


def check_reference(content_dir: Path, lesson_slugs: Iterable[str]) -> list[str]:
    """Every problem of ``content_dir``'s reference file as ``"where: what"`` lines; empty
    when all is well or there is no reference file. For ``check-content``."""
    path = content_dir / REFERENCE_FILE
    if not path.is_file():
        return []
    try:
        source = read_reference_file(path)
    except ReferenceFileError as error:
        return [str(error)]
    slugs = set(lesson_slugs)
    found: list[str] = []
    for identity in source.identities:
        where = f"{REFERENCE_FILE}/{identity.id}"
        if identity.lesson is not None and identity.lesson not in slugs:
            found.append(f"{where}: no lesson called {identity.lesson!r}")
        found.extend(f"{where}: {issue}" for issue in check_identity(identity))
    return found
