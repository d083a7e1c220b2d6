"""Length: the language pair's ratio and a style guide's limits."""

from __future__ import annotations

import pytest

from agent.checks import (
    CheckInput,
    Violation,
    length,
)
from glossaries.style import StyleGuide


def codes(found: list[Violation]) -> list[str]:
    return sorted(v.code for v in found)


LONG_SOURCE = "Store all your settings in the cloud."  # 37 characters


@pytest.mark.parametrize(
    ("target", "tgt_lang", "expected"),
    [
        ("Speichern Sie alle Einstellungen in der Cloud.", "de", []),
        ("Speichern.", "de", ["length-ratio"]),
        ("Speichern Sie alle Einstellungen in der Cloud. " * 3, "de", ["length-ratio"]),
        ("将所有设置存储在云中。", "zh", []),  # 11 characters is normal for Chinese
        ("Ok", "de", ["length-ratio"]),
    ],
)
def test_length_ratio_is_language_aware(target: str, tgt_lang: str, expected: list[str]) -> None:
    assert codes(length.length_ratio(CheckInput(LONG_SOURCE, target, "en", tgt_lang))) == expected


def test_short_segments_are_not_judged_by_ratio() -> None:
    assert length.length_ratio(CheckInput("OK", "Einverstanden", "en", "de")) == []


def test_style_guide_length_limits(guide: StyleGuide) -> None:
    long_target = "Speichern Sie alle Ihre Einstellungen jederzeit sicher in der Cloud, bitte."
    inp = CheckInput(LONG_SOURCE, long_target, "en", "de", style=guide)
    assert codes(length.length_max(inp)) == ["length-max"]
    assert codes(length.length_ratio(inp)) == ["length-ratio"]  # 1.6 from the guide, not the default 2.6
    assert length.length_max(CheckInput(LONG_SOURCE, long_target, "en", "de")) == []
