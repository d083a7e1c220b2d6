"""Empty, untranslated, repeated words and the capital at the start."""

from __future__ import annotations

import pytest

from agent.checks import (
    CheckInput,
    Violation,
    content,
)
from glossaries.matcher import TermMatcher


def codes(found: list[Violation]) -> list[str]:
    return sorted(v.code for v in found)


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("Save the file.", "Speichern Sie die Datei.", []),
        ("Save the file.", "", ["empty-target"]),
        ("Save the file.", "   ", ["empty-target"]),
        ("Save the file.", "Save the file.", ["untranslated"]),
        ("%d / %d", "%d / %d", []),  # only placeholders
        ("2024", "2024", []),  # only numbers
        ("OK", "OK", []),
        ("Save the the file.", "Speichern Sie die die Datei.", []),  # repeated in the source too
    ],
)
def test_empty_and_untranslated(source: str, target: str, expected: list[str]) -> None:
    inp = CheckInput(source, target, "en", "de")
    assert (
        codes(content.empty_target(inp) + content.untranslated(inp) + content.repeated_word(inp)) == expected
    )


def test_untranslated_ignores_dnt_only_segments(matcher: TermMatcher) -> None:
    inp = CheckInput(
        "Cloud Console", "Cloud Console", "en", "de", matches=tuple(matcher.match_source("Cloud Console"))
    )
    assert content.untranslated(inp) == []


@pytest.mark.parametrize(
    ("target", "expected"),
    [("Speichern Sie die Datei.", []), ("Speichern Sie die Datei Datei.", ["repeated-word"])],
)
def test_repeated_word(target: str, expected: list[str]) -> None:
    found = content.repeated_word(CheckInput("Save the file.", target, "en", "de"))
    assert codes(found) == expected
    if found:
        assert target[found[0].start : found[0].end] == " Datei"


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("Save it.", "Speichern.", []),
        ("Save it.", "speichern.", ["capitalization-start"]),
        ("save", "保存", []),
    ],
)
def test_start_capital(source: str, target: str, expected: list[str]) -> None:
    assert codes(content.start_capital(CheckInput(source, target, "en", "de"))) == expected
