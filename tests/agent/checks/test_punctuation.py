"""Punctuation: end punctuation, brackets, spacing and inverted marks per language."""

from __future__ import annotations

import pytest

from agent.checks import (
    CheckInput,
    Violation,
    punctuation,
)


def codes(found: list[Violation]) -> list[str]:
    return sorted(v.code for v in found)


@pytest.mark.parametrize(
    ("source", "target", "tgt_lang", "expected"),
    [
        ("Done.", "Fertig.", "de", []),
        ("Done.", "完成。", "zh", []),
        ("Ready?", "准备好了吗？", "zh", []),
        ("Ready?", "Έτοιμο;", "el", []),
        ('He said "done."', "Er sagte „fertig.“", "de", []),
        ("Done.", "Fertig", "de", ["end-punctuation"]),
        ("Done", "Fertig.", "de", ["end-punctuation"]),
        ("Ready?", "Bereit.", "de", ["end-punctuation"]),
        ("Wait...", "Warten Sie…", "de", []),
        ("Ready?", "Prêt\u202f?", "fr", []),
        ("Ready?", "Prêt ?", "fr", []),
        ("Ready?", "Prêt?", "fr", ["punctuation-spacing"]),
        ("Note: this", "Remarque: ceci", "fr", ["end-punctuation", "punctuation-spacing"][1:]),
        ("At 10:30", "À 10:30", "fr", []),
        ("Ready?", "¿Listo?", "es", []),
        ("Ready?", "Listo?", "es", ["punctuation-inverted"]),
        ("Call (now)", "Rufen (jetzt)", "de", []),
        ("Call (now)", "Rufen (jetzt", "de", ["bracket-mismatch"]),
        ("Call [now]", "Rufen jetzt", "de", ["bracket-mismatch", "bracket-mismatch"]),
        ("Hi {name}", "Hallo {name}", "de", []),  # placeholder braces are not brackets
    ],
)
def test_punctuation(source: str, target: str, tgt_lang: str, expected: list[str]) -> None:
    inp = CheckInput(source, target, "en", tgt_lang)
    found = (
        punctuation.end_punctuation(inp)
        + punctuation.french_spacing(inp)
        + punctuation.spanish_inverted(inp)
        + punctuation.bracket_mismatch(inp)
    )
    assert codes(found) == sorted(expected)
