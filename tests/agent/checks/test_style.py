"""Style-guide rules: banned and preferred words, regexes, formality, quotes."""

from __future__ import annotations

import pytest

from agent.checks import (
    CheckInput,
    Severity,
    Violation,
    style,
)
from glossaries.style import StyleGuide


def codes(found: list[Violation]) -> list[str]:
    return sorted(v.code for v in found)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("Klicken Sie auf „Speichern“.", []),
        ("Klicken Sie auf Speichern usw.", ["style-regex"]),
        ("Bitte beachten Sie die Hinweise.", ["style-banned"]),
        ("Drücken Sie auf Speichern.", ["style-preferred"]),
        ("Klicke auf Speichern, wenn du fertig bist.", ["style-formality"]),
        ('Klicken Sie auf "Speichern".', ["style-quotes", "style-quotes"]),
        ("Klicken Sie auf »Speichern«.", ["style-quotes", "style-quotes"]),
    ],
)
def test_style_checks(guide: StyleGuide, target: str, expected: list[str]) -> None:
    inp = CheckInput("Click Save.", target, "en", "de", style=guide)
    found = (
        style.style_regex(inp)
        + style.style_banned(inp)
        + style.style_preferred(inp)
        + style.style_formality(inp)
        + style.style_quotes(inp)
    )
    assert codes(found) == expected


def test_style_regex_keeps_rule_severity_and_message(guide: StyleGuide) -> None:
    (v,) = style.style_regex(CheckInput("Etc.", "Und so weiter usw.", "en", "de", style=guide))
    assert v.severity is Severity.ERROR and "Write it out." in v.message


def test_informal_guide_flags_sie() -> None:
    guide = StyleGuide.model_validate({"formality": "informal"})
    inp = CheckInput("Save it.", "Dann speichern Sie es.", "en", "de", style=guide)
    assert codes(style.style_formality(inp)) == ["style-formality"]
    start = CheckInput("They save.", "Sie speichern.", "en", "de", style=guide)
    assert style.style_formality(start) == []  # sentence-initial "Sie" may be "they"


def test_guide_for_another_language_does_not_apply(guide: StyleGuide) -> None:
    inp = CheckInput("Click Save.", "Bitte beachten Sie usw.", "en", "fr", style=guide)
    assert style.style_banned(inp) == style.style_regex(inp) == []
