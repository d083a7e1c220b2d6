"""The number check: the same numbers, in the target language's formats."""

from __future__ import annotations

import pytest

from agent.checks import (
    CheckInput,
    Violation,
    numbers,
)


def codes(found: list[Violation]) -> list[str]:
    return sorted(v.code for v in found)


@pytest.mark.parametrize(
    ("source", "target", "tgt_lang", "expected"),
    [
        ("It costs 1,000.5 EUR.", "Es kostet 1.000,5 EUR.", "de", []),
        ("It costs 1,000.5 EUR.", "Il coûte 1 000,5 EUR.", "fr", []),
        ("It costs 1,000.5 EUR.", "Il coûte 1\u202f000,5 EUR.", "fr", []),
        ("It costs 1,000.5 EUR.", "Il coûte 1\u00a0000,5 EUR.", "fr", []),
        ("It costs 1,000.5 EUR.", "It costs 1,000.5 EUR in de.", "de", []),  # source format kept
        ("It costs 1,000.5 EUR.", "Es kostet 1.000,6 EUR.", "de", ["number-mismatch", "number-mismatch"]),
        ("Call 3 times.", "Rufen Sie an.", "de", ["number-mismatch"]),
        ("Call now.", "Rufen Sie 5 mal an.", "de", ["number-mismatch"]),
        ("Use %1$s on 2 files.", "Verwenden Sie %1$s für 2 Dateien.", "de", []),  # placeholder digits ignored
        ("See https://a.io/v2 now.", "Siehe https://a.io/v2 jetzt.", "de", []),
        ("3.5 kg", "3,5 kg", "de", []),
        ("3.5 kg", "35 kg", "de", ["number-mismatch", "number-mismatch"]),
    ],
)
def test_numbers(source: str, target: str, tgt_lang: str, expected: list[str]) -> None:
    assert codes(numbers.number_mismatch(CheckInput(source, target, "en", tgt_lang))) == expected


def test_number_violation_points_at_the_wrong_number() -> None:
    target = "Es kostet 12 EUR."
    found = numbers.number_mismatch(CheckInput("It costs 11 EUR.", target, "en", "de"))
    extra = next(v for v in found if v.start is not None)
    assert target[extra.start : extra.end] == "12"
    assert next(v for v in found if v.start is None).expected == "11"
