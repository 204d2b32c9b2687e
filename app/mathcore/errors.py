"""Typed errors for anything a learner typed.

Every error carries a message written for the learner and the character offset
where the problem starts, so the interface can point at it with a caret.
"""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal["syntax", "shape", "unsupported", "limit"]


class MathError(Exception):
    """Base class: a message for the learner and the offset it refers to."""

    kind: ErrorKind = "syntax"

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "message": self.message, "position": self.position}

    def __reduce__(self) -> tuple[object, ...]:
        # Errors cross from worker processes to the server; the default pickle would call
        # __init__ with only the message and drop the position and subclass fields.
        return (_rebuild_error, (type(self), self.args, dict(self.__dict__)))


def _rebuild_error(
    cls: type[MathError], args: tuple[object, ...], state: dict[str, object]
) -> MathError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ParseError(MathError):
    """The text is not an expression: a stray character, unbalanced brackets, an unknown name."""

    kind: ErrorKind = "syntax"


class AmbiguousName(ParseError):
    """Letters written together that split into declared names in more than one way, as
    ``xyz`` with ``x``, ``y``, ``xy`` and ``yz`` declared. Not a wrong answer: a question about
    the notation, so a grader should ask again rather than count an attempt.

    ``suggestion`` is the first reading, spelt with spaces (``"x yz"``); ``options`` are all.
    """

    kind: ErrorKind = "syntax"

    def __init__(self, message: str, position: int | None, options: list[str]) -> None:
        super().__init__(message, position)
        self.options = options
        self.suggestion = options[0]

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "suggestion": self.suggestion, "options": self.options}

    def __reduce__(self) -> tuple[type[AmbiguousName], tuple[str, int | None, list[str]]]:
        # crosses process boundaries (the worker pool) intact
        return (type(self), (self.message, self.position, self.options))


class ShapeError(MathError):
    """The expression parses but its shapes do not fit together."""

    kind: ErrorKind = "shape"


class UnsupportedError(MathError):
    """The expression is valid but asks for something the engine does not do."""

    kind: ErrorKind = "unsupported"


class LimitError(MathError):
    """The input is too long, too deep or too large to work with cheaply."""

    kind: ErrorKind = "limit"


def point_to_error(text: str, error: MathError) -> str:
    """Return the line of ``text`` holding the error, with a caret under its position.

    >>> print(point_to_error("x^T A y)", ParseError("unbalanced ')'", 7)))
    x^T A y)
           ^
    unbalanced ')'
    """
    if error.position is None:
        return error.message
    position = max(0, min(error.position, len(text)))
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    line = text[line_start : line_end if line_end != -1 else len(text)]
    return f"{line}\n{' ' * (position - line_start)}^\n{error.message}"
