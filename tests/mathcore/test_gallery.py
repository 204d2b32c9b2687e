"""Every one-click example on the calculator page differentiates and passes its check."""

from __future__ import annotations

import pytest

from app.mathcore.derivative import differentiate
from app.mathcore.gallery import GALLERY
from app.mathcore.parse import parse


@pytest.mark.parametrize("example", GALLERY, ids=[e.title for e in GALLERY])
def test_gallery_example_is_verified(example) -> None:  # type: ignore[no-untyped-def]
    result = differentiate(parse(example.expression, example.variables), example.wrt, example.kind)
    assert result.verified, result.check.message
