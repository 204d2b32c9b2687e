"""What a grader returns: a verdict with feedback a learner reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FeedbackKind = Literal[
    "correct",
    "uses_property",
    "known_mistake",
    "transpose",
    "shape",
    "symmetric_only",
    "factor",
    "sign",
    "missing_term",
    "term_factor",
    "not_symmetrised",
    "extra_term",
    "wrong",
    "format",
    "limit",
    "not_canonical",
]

Method = Literal["numeric", "sympy", "shape", "exact", "choice"]
"""How the verdict was decided: random instances, SymPy, shapes alone, exact comparison
(multiple choice, numbers) or the chosen option."""


@dataclass(frozen=True)
class Feedback:
    kind: FeedbackKind
    message: str


def distinct(feedback: list[Feedback]) -> list[Feedback]:
    """``feedback`` without repeats: a message said once, however many checks found it (an
    authored mistake and a diagnosis, two authored mistakes with one message).

    >>> [f.kind for f in distinct([Feedback("sign", "Check the sign."), Feedback("known_mistake", "Check the sign.")])]
    ['sign']
    """
    seen: set[str] = set()
    kept: list[Feedback] = []
    for item in feedback:
        key = " ".join(item.message.split())
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


@dataclass(frozen=True)
class KnownMistake:
    """A wrong answer an author expects, with the message to show when it is given."""

    answer: str
    message: str


@dataclass(frozen=True)
class Verdict:
    equivalent: bool
    method: Method
    feedback: list[Feedback] = field(default_factory=list)

    def __post_init__(self) -> None:
        # every verdict is built here, so no feedback box can show a message twice
        object.__setattr__(self, "feedback", distinct(self.feedback))

    @property
    def kinds(self) -> list[str]:
        return [f.kind for f in self.feedback]


@dataclass(frozen=True)
class Grade:
    """A verdict on a typed answer, with the answer as we read it."""

    verdict: Verdict
    answer_text: str
    answer_latex: str

    @property
    def equivalent(self) -> bool:
        return self.verdict.equivalent
