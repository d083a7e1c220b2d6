"""The Romance morphology: number and an adjective's gender, each form confirmed by simplemma's dictionary."""

from __future__ import annotations

import pytest

from glossaries.morphology import morphology


@pytest.mark.parametrize(
    ("lang", "term", "replaced", "expected"),
    [
        ("fr", "symptôme", "signes", "symptômes"),  # a noun takes the number
        ("fr", "épidémie", "éclosions", "épidémies"),
        ("fr", "infectieux", "contagieuses", "infectieuses"),  # an adjective also the gender
        ("fr", "kit de test", "trousses", "kits de test"),  # `trousses` is also a form of `trousser`
        ("fr", "maladie infectieuse", "troubles", "maladies infectieuses"),  # each word keeps its gender
        ("fr", "toux", "rhumes", "toux"),  # invariable
        ("fr", "grippe", "influenza", "grippe"),
        ("fr", "grippal", "influenza", None),  # an adjective does not take a noun's place
        ("fr", "nouveau coronavirus", "virus", None),  # `virus` may be either number: cannot tell
        ("fr", "symptôme", "xyzzyques", None),  # unknown word
        ("es", "brote", "epidemias", "brotes"),
        ("es", "infeccioso", "contagiosas", "infecciosas"),
        ("it", "sintomo", "segni", "sintomi"),
        ("pt", "sintoma", "sinais", "sintomas"),
    ],
)
def test_a_term_takes_the_form_of_the_word_it_replaces(
    lang: str, term: str, replaced: str, expected: str | None
) -> None:
    assert morphology(lang).inflect_like(term, replaced) == expected


def test_forms_for_the_forced_term_pattern_are_all_in_the_dictionary() -> None:
    fr = morphology("fr")
    assert fr.forms("grippal") == ("grippal", "grippaux", "grippale", "grippales")
    assert fr.forms("kit de test") == ("kit de test", "kits de test")
    assert fr.forms("Grippe")[0] == "Grippe"  # the glossary's own spelling first
    assert morphology("es").forms("prueba de detección") == ("prueba de detección", "pruebas de detección")


def test_capitals_of_the_replaced_word_at_a_sentence_start_are_kept() -> None:
    assert morphology("fr").inflect_like("symptôme", "Signes") == "Symptômes"
