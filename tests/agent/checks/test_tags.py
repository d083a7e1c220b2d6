"""The tag and placeholder check (the markup comparison itself: tests/agent/test_markup.py)."""

from __future__ import annotations

import pytest

from agent.checks import (
    CheckInput,
    Violation,
    tags,
)


def codes(found: list[Violation]) -> list[str]:
    return sorted(v.code for v in found)


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ('Click <g id="1">Save</g>.', 'Klicken Sie auf <g id="1">Speichern</g>.', []),
        ('Click <g id="1">Save</g>.', "Klicken Sie auf Speichern.", ["tag-missing"]),
        ("%d files", "%s Dateien", ["placeholder-extra", "placeholder-missing"]),
        ("{count} files", "{count} Dateien", []),
        ("{count} files", "{anzahl} Dateien", ["placeholder-extra", "placeholder-missing"]),
        ("Hi {{user}}", "Hallo {{user}} {{user}}", ["placeholder-duplicated"]),
    ],
)
def test_tags_and_placeholders(source: str, target: str, expected: list[str]) -> None:
    assert codes(tags.tags_and_placeholders(CheckInput(source, target, "en", "de"))) == expected
