"""Leading, trailing and double spaces."""

from __future__ import annotations

import pytest

from agent.checks import (
    CheckInput,
    Violation,
    whitespace,
)


def codes(found: list[Violation]) -> list[str]:
    return sorted(v.code for v in found)


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("Save ", "Speichern ", []),
        ("Save ", "Speichern", ["whitespace-trailing"]),
        ("Save", "Speichern\n", ["whitespace-trailing"]),
        (" Save", "Speichern", ["whitespace-leading"]),
        ("Save", "  Speichern", ["whitespace-leading"]),
        ("Save it", "Speichern  Sie", ["whitespace-double"]),
        ("Save  it", "Speichern  Sie", []),  # the source spaces that way
    ],
)
def test_whitespace(source: str, target: str, expected: list[str]) -> None:
    inp = CheckInput(source, target, "en", "de")
    found = (
        whitespace.whitespace_leading(inp)
        + whitespace.whitespace_trailing(inp)
        + whitespace.whitespace_double(inp)
    )
    assert codes(found) == expected
