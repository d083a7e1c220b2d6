"""Style guides: the bundled examples, per-language sections and the prompt lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from glossaries import StyleGuide, load_style_guide, parse_style_guide


@pytest.fixture(scope="module")
def de_guide(examples: Path) -> StyleGuide:
    return load_style_guide(examples / "en-de" / "style.yaml")


@pytest.fixture(scope="module")
def fr_guide(examples: Path) -> StyleGuide:
    return load_style_guide(examples / "en-fr" / "style.yaml")


def test_example_de_guide_is_typed(de_guide: StyleGuide) -> None:
    assert de_guide.id == "acme-ui-de"
    assert len(de_guide.version) == 64
    assert de_guide.formality == "formal"
    assert de_guide.quotes is not None and (de_guide.quotes.open, de_guide.quotes.close) == ("„", "“")
    assert de_guide.numbers is not None and de_guide.numbers.decimal_separator == ","
    assert de_guide.rules[0].regex.search("Hast du das gesehen?")
    assert de_guide.rules[0].severity == "error"
    assert de_guide.max_length_ratio == 1.6


def test_prompt_rules_are_short_imperatives(de_guide: StyleGuide) -> None:
    lines = de_guide.prompt_rules("en", "de-DE")
    assert 'Use formal address (address the user with "Sie", never "du").' in lines
    assert "Write dates as DD.MM.YYYY." in lines
    assert 'Write "Klicken Sie auf", not "Drücken Sie auf".' in lines
    assert all(len(line) < 200 for line in lines)


def test_prompt_rules_only_for_the_guides_pair(de_guide: StyleGuide) -> None:
    assert de_guide.prompt_rules("en", "fr") == []
    assert de_guide.prompt_rules("ja", "de") == []


def test_language_sections_override_only_what_they_name(fr_guide: StyleGuide) -> None:
    fr, ca = fr_guide.rules_for("fr-FR"), fr_guide.rules_for("fr-CA")
    assert fr.date_format == "DD/MM/YYYY" and ca.date_format == "YYYY-MM-DD"
    assert fr.punctuation is not None and fr.punctuation.space_before == "?!:;"
    assert ca.punctuation is not None and ca.punctuation.space_before == ""
    assert ca.formality == fr.formality == "formal"
    assert "Write dates as YYYY-MM-DD." in fr_guide.prompt_rules("en", "fr-CA")
    assert "Write dates as DD/MM/YYYY." in fr_guide.prompt_rules("en", "fr")


def test_minimal_guide_applies_everywhere_and_accepts_plain_banned_strings() -> None:
    guide = parse_style_guide(b"banned_phrasings: [please note]\nguidance: Be brief.\n", "mini.yaml")
    assert guide.id == "mini"
    assert guide.prompt_rules("en", "ja") == ['Never write "please note".', "Be brief."]


def test_version_and_id() -> None:
    a = parse_style_guide(b"formality: formal\n", "a.yaml", id="client-x")
    b = parse_style_guide(b"formality: informal\n", "a.yaml", id="client-x")
    assert a.id == b.id == "client-x"
    assert a.version != b.version
