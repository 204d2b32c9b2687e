"""Inputs that look plausible but would silently mean something else are refused."""

from __future__ import annotations

import pytest

from app.mathcore.errors import ParseError
from app.mathcore.parse import parse


@pytest.mark.parametrize(("text", "position"), [("[1 2 3]", 3), ("2 3", 2), ("x + 4 5", 6)])
def test_numbers_side_by_side_are_an_error_not_a_product(text: str, position: int) -> None:
    with pytest.raises(ParseError, match="two numbers side by side") as caught:
        parse(text)
    assert caught.value.position == position


def test_a_number_then_a_name_then_a_number_still_multiplies() -> None:
    assert str(parse("2 x 3").expr.shape) == "('n', 1)"


def test_a_long_run_of_elementwise_divisions_is_a_limit_not_a_hang() -> None:
    import time

    from app.mathcore.errors import LimitError

    start = time.perf_counter()
    with pytest.raises(LimitError):
        parse("x./softmaxx" * 200)
    assert time.perf_counter() - start < 2.0
