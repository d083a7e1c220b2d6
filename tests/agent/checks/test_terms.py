"""Term checks: required, forbidden and do-not-translate terms, in every form of their lexeme."""

from __future__ import annotations

import pytest

from agent.checks import (
    CheckInput,
    Severity,
    Violation,
    has_errors,
    run_checks,
    terms,
)
from agent.checks.input import asserted_matches, inline_termbase
from glossaries.matcher import TermMatcher
from glossaries.model import Entry, Term, Termbase, TermStatus


def codes(found: list[Violation]) -> list[str]:
    return sorted(v.code for v in found)


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("Save the settings.", "Speichern Sie die Einstellungen.", []),
        ("Save the setting.", "Speichern Sie die Einstellung.", []),  # inflection counts
        ("Save the settings.", "Sichern Sie die Einstellungen.", ["term-forbidden", "term-missing"]),
        ("Save the settings.", "Speichern Sie die Optionen.", ["term-forbidden", "term-missing"]),
        ("Open the folder.", "Öffnen Sie das Verzeichnis.", []),  # admitted variant
        ("Open the folder.", "Öffnen Sie die Mappe.", ["term-missing"]),
        ("Open Cloud Console.", "Öffnen Sie Cloud Console.", []),
        ("Open Cloud Console.", "Öffnen Sie die Cloud-Konsole.", ["dnt-altered"]),
        ("Open Cloud Console.", "Öffnen Sie cloud console.", ["dnt-altered"]),
        ("Nothing here.", "Hier nichts.", []),
    ],
)
def test_term_checks(matcher: TermMatcher, source: str, target: str, expected: list[str]) -> None:
    inp = CheckInput(source, target, "en", "de", matcher=matcher)
    found = [v for v in run_checks(inp) if v.code in ("term-missing", "term-forbidden", "dnt-altered")]
    assert codes(found) == expected


def test_term_findings_carry_entry_expected_and_span(matcher: TermMatcher) -> None:
    target = "Sichern Sie die Einstellungen."
    found = {
        v.code: v for v in run_checks(CheckInput("Save the settings.", target, "en", "de", matcher=matcher))
    }
    missing, forbidden = found["term-missing"], found["term-forbidden"]
    assert (missing.entry_id, missing.expected, missing.severity) == ("save", "Speichern", Severity.ERROR)
    assert forbidden.start is not None and target[forbidden.start : forbidden.end] == "Sichern"
    assert forbidden.expected == "Speichern"


def test_term_checks_work_from_matches_alone(matcher: TermMatcher) -> None:
    matches = tuple(matcher.match_source("Open the folder."))
    assert codes(
        terms.term_missing(CheckInput("Open the folder.", "Öffnen.", "en", "de", matches=matches))
    ) == ["term-missing"]


def test_inline_terms_are_checked_even_when_the_source_form_differs() -> None:
    tb = inline_termbase([{"src": "runny nose", "tgt": ["nez qui coule", "rhinorrhée"]}], "en", "fr")
    m = TermMatcher(tb)
    matches = asserted_matches(tb, "is your nose running?", m)
    inp = CheckInput(
        "is your nose running?", "votre nez est bouché ?", "en", "fr", matches=matches, matcher=m
    )
    assert codes(terms.term_missing(inp)) == ["term-missing"]
    ok = CheckInput("is your nose running?", "rhinorrhée ?", "en", "fr", matches=matches, matcher=m)
    assert terms.term_missing(ok) == []


def _term_findings(source: str, target: str, tgt_lang: str, entry: Entry) -> list[Violation]:
    tb = Termbase("t", "v", "en", tgt_lang, (entry,))
    return run_checks(CheckInput(source, target, "en", tgt_lang, matcher=TermMatcher(tb)))


def test_term_inside_a_german_compound_is_info_not_missing() -> None:
    entry = Entry("a", (Term("actions"),), (Term("Aktion"),))
    found = _term_findings("Possible quick actions are:", "Mögliche Schnellaktionen sind:", "de", entry)
    terms = [v for v in found if v.code.startswith("term-")]
    assert [(v.code, v.severity) for v in terms] == [("term-compound", Severity.INFO)]
    assert not has_errors(found)


def test_russian_case_form_of_a_term_is_a_verified_inflection() -> None:
    entry = Entry("bp", (Term("blood pressure"),), (Term("артериальное давление"),))
    found = _term_findings(
        "Check your blood pressure.", "Проверьте уровень артериального давления.", "ru", entry
    )
    assert [(v.code, v.severity) for v in found if v.code.startswith("term-")] == [
        ("term-inflected", Severity.INFO)
    ]


def test_a_real_absence_is_still_missing_in_german_and_russian() -> None:
    de = _term_findings(
        "Possible actions.", "Mögliche Vorgänge.", "de", Entry("a", (Term("actions"),), (Term("Aktion"),))
    )
    ru = _term_findings(
        "Various types.", "Различные типы.", "ru", Entry("t", (Term("types"),), (Term("вид"),))
    )
    assert "term-missing" in {v.code for v in de} and "term-missing" in {v.code for v in ru}


def test_forbidden_term_inside_a_compound_is_an_error_left_to_the_model() -> None:
    entry = Entry("s", (Term("storage"),), (Term("Ablage"), Term("Speicher", TermStatus.FORBIDDEN)))
    found = _term_findings("The storage space.", "Der Speicherplatz.", "de", entry)
    forbidden = [v for v in found if v.code == "term-forbidden"]
    assert len(forbidden) == 1 and forbidden[0].severity is Severity.ERROR
    assert "compound" in forbidden[0].message
    assert forbidden[0].expected is None  # no deterministic fix would break the compound


@pytest.mark.parametrize(
    ("lang", "source", "target", "term", "code"),
    [
        # A qualifying word between the term's words: the term is there (tico19-refs, correct translations).
        ("ru", "a novel coronavirus", "новый вид коронавируса", "новый коронавирус", "term-split"),
        ("ru", "coronavirus cases", "случаев заражения коронавирусом", "случаи коронавируса", "term-split"),
        ("fr", "wash your hands often", "lavez-vous souvent les mains", "lavez-vous les mains", "term-split"),
        # Two words between, or the words apart: no rendering of the term.
        (
            "ru",
            "a novel coronavirus",
            "новый и опасный вид коронавируса",
            "новый коронавирус",
            "term-missing",
        ),
        ("ru", "a novel coronavirus", "коронавирус, новый для науки", "новый коронавирус", "term-missing"),
    ],
)
def test_a_term_with_one_word_between_its_words_is_a_warning_not_missing(
    lang: str, source: str, target: str, term: str, code: str
) -> None:
    entry = Entry("t", (Term(source),), (Term(term),))
    found = [v for v in _term_findings(source, target, lang, entry) if v.code.startswith("term-")]
    assert [v.code for v in found] == [code]
    assert found[0].severity is (Severity.WARNING if code == "term-split" else Severity.ERROR)


@pytest.mark.parametrize(
    ("source", "target", "codes_found"),
    [
        # `Capital` is part of a name the MT keeps as it is: nothing to translate
        (
            "RadioShack defaulted on its loan from Salus Capital.",
            "RadioShack zahlte Salus Capital nicht.",
            ["term-in-name"],
        ),
        # the same name translated, or a capital city: the term is required
        (
            "RadioShack defaulted on its loan from Salus Capital.",
            "RadioShack zahlte Salus nicht.",
            ["term-missing"],
        ),
        ("Paris is the capital.", "Paris ist die Stadt.", ["term-missing"]),
        (
            "The Capital is large.",
            "Die Stadt ist groß.",
            ["term-missing"],
        ),  # a sentence's first words: no name kept
    ],
)
def test_a_term_inside_a_name_the_target_keeps_is_not_missing(
    source: str, target: str, codes_found: list[str]
) -> None:
    capital = Entry("capital", (Term("capital"),), (Term("Hauptstadt"),))
    matcher = TermMatcher(Termbase("t", "", "en", "de", (capital,)))
    found = terms.term_missing(CheckInput(source, target, "en", "de", matcher=matcher))
    assert codes(found) == codes_found
    assert all(v.severity is Severity.INFO for v in found if v.code == "term-in-name")


def test_a_term_also_used_outside_the_name_is_still_required() -> None:
    capital = Entry("capital", (Term("capital"),), (Term("Hauptstadt"),))
    matcher = TermMatcher(Termbase("t", "", "en", "de", (capital,)))
    source = "Salus Capital is in the capital."
    found = terms.term_missing(
        CheckInput(source, "Salus Capital ist in der Stadt.", "en", "de", matcher=matcher)
    )
    assert codes(found) == ["term-missing"]
