"""Rewriting pasted notation into the grammar's own spelling, remembering where each character came from.

Learners paste LaTeX from papers (``\\sigma\\left(Wx + b\\right)``, ``\\frac12``,
``\\begin{bmatrix} … \\end{bmatrix}``, ``^{\\mathsf T}``) and Unicode from slides
(``√``, ``⋅``, ``σ``). Each spelling is rewritten here, before the grammar sees it, into the
one the grammar reads (``sigma(Wx + b)``, ``\\frac{1}{2}``, ``[…]``, ``^T``), so the grammar
stays small and every spelling means exactly what its canonical form means.

Rewrites change lengths, so :class:`Source` keeps, for every character of the rewritten
text, the offset of the character of the learner's text it came from: error positions are
mapped back through it and always point into what the learner typed.

Nothing here evaluates anything; it only moves characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from app.mathcore.errors import ParseError
from app.mathcore.printing import GREEK

GREEK_COMMANDS = frozenset(GREEK) | {"varepsilon"}
UNICODE_GREEK = dict(
    zip(
        "αβγδεζηθικλμνξοπρςστυφχψωΓΔΘΛΞΠΣΦΨΩϵϑϕ",
        [
            "alpha",
            "beta",
            "gamma",
            "delta",
            "epsilon",
            "zeta",
            "eta",
            "theta",
            "iota",
            "kappa",
            "lambda",
            "mu",
            "nu",
            "xi",
            "omicron",
            "pi",
            "rho",
            "sigma",
            "sigma",
            "tau",
            "upsilon",
            "phi",
            "chi",
            "psi",
            "omega",
            "Gamma",
            "Delta",
            "Theta",
            "Lambda",
            "Xi",
            "Pi",
            "Sigma",
            "Phi",
            "Psi",
            "Omega",
            "epsilon",
            "theta",
            "phi",
        ],
        strict=True,
    )
)
LATEX_FUNCTIONS = ["log", "ln", "exp", "sin", "cos", "tan", "tanh", "det", "tr", "sqrt"]
"""LaTeX commands for functions, read as the function of the same name."""
NAME_WRAPPERS = [
    "mathbf",
    "boldsymbol",
    "bm",
    "vec",
    "mathit",
    "mathrm",
    "mathsf",
    "operatorname",
    "text",
    "mathop",
]
"""Commands that only change how a name looks: ``\\mathbf{x}`` is the name ``x``."""
MATRIX_ENVIRONMENTS = ("matrix", "bmatrix", "pmatrix", "Bmatrix")
UNICODE_OPERATORS = {
    "−": "-",  # minus sign
    "–": "-",  # en dash, as pasted from word processors
    "⋅": "*",  # dot operator (· is read by the grammar)
    "∗": "*",
    "⊘": "./",
    "′": "'",
}


@dataclass(frozen=True)
class Reading:
    """How a piece of the text was understood when it could have been meant otherwise:
    ``Reading("Xw", 0, "X w")`` says the letters ``Xw`` were read as the product ``X w``.
    The "interpreted as" preview shows these, so no reading goes unseen."""

    text: str
    position: int
    reading: str

    def message(self) -> str:
        return f"read `{self.text}` as {self.reading}"


@dataclass(frozen=True)
class Source:
    """A rewritten text and, for each of its characters, the offset it came from."""

    text: str
    origin: tuple[int, ...]
    """``len(text) + 1`` entries; the last maps the end of the text to the end of the original."""

    @classmethod
    def of(cls, text: str) -> Source:
        return cls(text, tuple(range(len(text) + 1)))

    def original(self, position: int) -> int:
        """The offset in the learner's text of ``position`` in this text."""
        return self.origin[max(0, min(position, len(self.text)))]

    def edit(self, edits: list[tuple[int, int, str]]) -> Source:
        """Replace ``text[start:end]`` by ``new`` for each non-overlapping ``(start, end, new)``.

        A replacement of the same length maps character to character; any other maps each new
        character to the start of what it replaces (clamped to the replaced span).
        """
        if not edits:
            return self
        pieces: list[str] = []
        origin: list[int] = []
        last = 0
        for start, end, new in sorted(
            edits, key=lambda edit: edit[:2]
        ):  # stable: inserts keep order
            if start < last:
                raise ValueError("overlapping edits")
            pieces.append(self.text[last:start])
            origin.extend(self.origin[last:start])
            pieces.append(new)
            span = max(end - 1, start)
            origin.extend(self.origin[min(start + i, span)] for i in range(len(new)))
            last = end
        pieces.append(self.text[last:])
        origin.extend(self.origin[last:])
        return Source("".join(pieces), tuple(origin))

    def sub(
        self, pattern: re.Pattern[str], replace: str | Callable[[re.Match[str]], str]
    ) -> Source:
        """Every match of ``pattern`` replaced, as :meth:`edit` does."""
        edits = []
        for match in pattern.finditer(self.text):
            new = replace if isinstance(replace, str) else replace(match)
            if new != match.group(0):
                edits.append((match.start(), match.end(), new))
        return self.edit(edits)


def _spaced(name: str, text: str, end: int) -> str:
    """``name``, with a space when the next character would join it into a longer name."""
    following = text[end : end + 1]
    return name + " " if following and (following.isalnum() or following == "\\") else name


_SIGMA_CALL = re.compile(r"(\\sigma|σ)\s*(?:\\left|\\[bB]igg?l?)?\s*(?=\()")
_SIZED_BRACKET = re.compile(r"\\(left|right|[bB]igg?[lr]?)\s*(\[|\]|\\\{|\\\}|\.)")
_SIZED_BARS = re.compile(
    r"\\(left|right|[bB]igg?[lr])\s*(\\\||\\[lr]?Vert(?![A-Za-z])|‖|\\[lr]?vert(?![A-Za-z])|\|)"
)
_SIZING = re.compile(r"\\(left|right|[bB]igg?[lr]?)(?![A-Za-z])")
_BARS = re.compile(r"\\([lr]?[Vv]ert)(?![A-Za-z])")
_ELEMENT_POWER = re.compile(r"\^\s*\{\s*(\\circ|∘|\\odot|⊙)(?![A-Za-z])\s*")
_TRANSPOSE_MARK = re.compile(
    r"(\^\s*\{?\s*[-−]?\s*)"
    r"(\\top|\\intercal|\\mathsf\s*\{\s*T\s*\}|\\mathsf\s+T|\\mathrm\s*\{\s*T\s*\}"
    r"|\\text\s*\{\s*T\s*\}|\\mathsf\s*\{\s*\\top\s*\}|⊤|ᵀ)(?![A-Za-z])"
)
_WRAPPED_NAME = re.compile(
    r"\\(" + "|".join(NAME_WRAPPERS) + r")\s*\{\s*(\\?[A-Za-z][A-Za-z0-9_]*)\s*\}"
    r"(?:_\{?\s*([A-Za-z0-9]+)\s*\}?)?"
)
_DIFFERENTIAL = re.compile(r"\\mathrm\s*\{\s*d\s*\}\s*|\\operatorname\s*\{\s*d\s*\}\s*")
_COMMAND = re.compile(r"\\([A-Za-z]+)(?![A-Za-z])")
_BRACED_SUBSCRIPT = re.compile(r"(?<=[A-Za-z0-9])_\{\s*([A-Za-z0-9]+)\s*\}")
_ENVIRONMENT = re.compile(
    r"\\begin\s*\{\s*(" + "|".join(MATRIX_ENVIRONMENTS) + r")\s*\}"
    r"((?:(?!\\begin\s*\{).)*?)"
    r"\\end\s*\{\s*\1\s*\}",
    re.S,
)
_ROW_BREAK = re.compile(r"\\\\(?:\s*\\hline)?")


def _matrix_environment(source: Source, match: re.Match[str]) -> list[tuple[int, int, str]]:
    """``\\begin{bmatrix} a & b \\\\ c & d \\end{bmatrix}`` as the edits that make ``[a, b; c, d]``."""
    start, body_start, body_end, end = match.start(), match.start(2), match.end(2), match.end()
    body = match.group(2)
    breaks = list(_ROW_BREAK.finditer(body))
    trailing = bool(breaks) and not body[breaks[-1].end() :].strip()
    # one row is a row vector, [[a, b]]; a flat [a, b] would be read as a column
    single_row = len(breaks) == int(trailing)
    edits = [
        (start, body_start, "[[" if single_row else "["),
        (body_end, end, "]]" if single_row else "]"),
    ]
    for index, row_break in enumerate(breaks):
        last = trailing and index == len(breaks) - 1
        edits.append(
            (body_start + row_break.start(), body_start + row_break.end(), "" if last else ";")
        )
    edits.extend(
        (body_start + offset, body_start + offset + 1, ",")
        for offset, char in enumerate(body)
        if char == "&"
    )
    return edits


def _environments(source: Source) -> Source:
    for _ in range(10):  # innermost first; literals do not nest deeper in practice
        matches = list(_ENVIRONMENT.finditer(source.text))
        if not matches:
            break
        edits = [edit for match in matches for edit in _matrix_environment(source, match)]
        source = source.edit(edits)
    leftover = re.search(r"\\(begin|end)\s*\{[^}]*\}", source.text)
    if leftover:
        raise ParseError(
            f"'{leftover.group(0)}' is not a matrix I can read: write "
            "\\begin{bmatrix} a & b \\\\ c & d \\end{bmatrix} or [a, b; c, d]",
            source.original(leftover.start()),
        )
    return source


def _fractions(source: Source) -> Source:
    r"""``\frac12`` and ``\frac a b``: LaTeX's one-token arguments, braced for the grammar."""
    text = source.text
    edits: list[tuple[int, int, str]] = []
    for match in re.finditer(r"\\[dt]?frac(?![A-Za-z])", text):
        position = match.end()
        for _ in range(2):
            while position < len(text) and text[position] == " ":
                position += 1
            if position >= len(text):
                break
            if text[position] == "{":  # a braced argument is read by the grammar itself
                position = _closing_brace(text, position) + 1
                continue
            command = re.match(r"\\[A-Za-z]+", text[position:])
            width = len(command.group(0)) if command else 1
            edits.append((position, position, "{"))
            edits.append((position + width, position + width, "}"))
            position += width
    return source.edit(edits)


def _closing_brace(text: str, start: int) -> int:
    depth = 0
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return index
    return len(text)


def _unwrap_name(match: re.Match[str]) -> str:
    name = match.group(2)
    if match.group(3):
        name += "_" + match.group(3)
    if match.group(1) in {"operatorname", "mathrm", "text", "mathop"} and name == "d":
        return match.group(0)  # the differential, handled next
    return name


def _command(match: re.Match[str], text: str) -> str:
    """``\\alpha`` -> ``alpha``, ``\\log`` -> ``log``; other commands are left for the grammar."""
    name = match.group(1)
    if name == "oslash":
        return "./"
    if name == "sigma" and text[match.end() : match.end() + 1] == "(":
        return match.group(0)  # \sigma( is the sigmoid, unless sigma is declared (ask then)
    if name in GREEK_COMMANDS or name in LATEX_FUNCTIONS:
        plain = "epsilon" if name == "varepsilon" else name
        return _spaced(plain, text, match.end())
    return match.group(0)


def normalise(text: str) -> Source:
    r"""The learner's ``text`` in the grammar's spelling, with the map back to ``text``.

    >>> text = r"\sigma\left(W x\right) + \frac12"
    >>> source = normalise(text)
    >>> " ".join(source.text.split())
    '\\sigma(W x ) + \\frac{1}{2}'
    >>> text[source.original(source.text.index("+")):]
    '+ \\frac12'
    """
    source = Source.of(text)
    source = source.sub(re.compile("|".join(map(re.escape, UNICODE_OPERATORS)) + "|√"), _unicode)
    source = _environments(source)
    source = _fractions(source)
    source = source.sub(_SIGMA_CALL, "\\sigma")  # a call: the grammar's \sigma( token
    source = source.sub(_SIZED_BARS, _sized_bar)
    source = source.sub(_SIZED_BRACKET, _sized_bracket)
    source = source.sub(_SIZING, lambda m: " " * len(m.group(0)))
    source = source.sub(_BARS, lambda m: "‖" if "V" in m.group(0) else "|")
    source = source.sub(_ELEMENT_POWER, ".^{")
    source = source.sub(_TRANSPOSE_MARK, lambda m: m.group(1) + "T")
    source = source.sub(_WRAPPED_NAME, lambda m: _spaced(_unwrap_name(m), source.text, m.end()))
    source = source.sub(_DIFFERENTIAL, "d")
    current = source.text
    source = source.sub(_COMMAND, lambda m: _command(m, current))
    source = source.sub(re.compile("[" + "".join(UNICODE_GREEK) + "]"), _greek(source.text))
    return source.sub(_BRACED_SUBSCRIPT, lambda m: "_" + m.group(1))


def _unicode(match: re.Match[str]) -> str:
    char = match.group(0)
    if char == "√":
        return "sqrt "
    return UNICODE_OPERATORS[char]


def _sized_bar(match: re.Match[str]) -> str:
    """``\\left|`` opens and ``\\right|`` closes for certain, so the bar is marked here
    (the markers of :func:`app.mathcore.syntax._prepare`): ``\\left|\\left|x\\right|\\right|``
    is |(|x|)|, not a norm."""
    opening = match.group(1) == "left" or match.group(1).endswith("l")
    double = "V" in match.group(2) or match.group(2) in {"\\|", "‖"}
    if double:
        return "\ue000\ue000" if opening else "\ue001\ue001"
    return "\ue002" if opening else "\ue003"


def _sized_bracket(match: re.Match[str]) -> str:
    """``\\left[`` and ``\\right]`` group like parentheses; ``\\left.`` is nothing."""
    bracket = match.group(2)
    if bracket == ".":
        return ""
    return "(" if bracket in {"[", "\\{"} else ")"


def _greek(text: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return _spaced(UNICODE_GREEK[match.group(0)], text, match.end())

    return replace
