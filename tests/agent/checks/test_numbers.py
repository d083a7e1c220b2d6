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


@pytest.mark.parametrize(
    ("source", "target", "src_lang", "tgt_lang", "expected"),
    [
        # Written out, in the form the sentence needs: a correct translation, not a lost number.
        (
            "Without knowing answers to #1 and 2, we cannot cut the transmission.",
            "Не зная ответов на первый и второй вопросы, мы не можем прервать передачу.",
            "en",
            "ru",
            [],
        ),
        ("Stay home for two weeks.", "Restez chez vous pendant 2 semaines.", "en", "fr", []),
        ("Read the 3 rules.", "Lesen Sie die drei Regeln.", "en", "de", []),
        ("See the 2nd page.", "Voir la deuxième page.", "en", "fr", []),
        # One word stands for one number; a wrong word is no rendering of it.
        ("Read rules 2 and 2.", "Lesen Sie die zwei Regeln.", "en", "de", ["number-mismatch"]),
        ("Read the 3 rules.", "Lesen Sie die vier Regeln.", "en", "de", ["number-mismatch"]),
        # The cardinal one is also the article: it does not stand for a lost 1.
        ("Call 1 number.", "Appelez un numéro.", "en", "fr", ["number-mismatch"]),
        # Large numbers are not read from words.
        ("It has 21 pages.", "Il a vingt-et-un pages.", "en", "fr", ["number-mismatch"]),
    ],
)
def test_small_numbers_may_be_written_as_words(
    source: str, target: str, src_lang: str, tgt_lang: str, expected: list[str]
) -> None:
    assert codes(numbers.number_mismatch(CheckInput(source, target, src_lang, tgt_lang))) == expected
