"""The term matcher, as the agent and the QA checks use it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from glossaries import Termbase, TermMatcher, TermStatus, load_termbase
from glossaries.text import lemma_tokens
from tests.glossaries.conftest import make_entry

F = TermStatus.FORBIDDEN
A = TermStatus.ADMITTED

TB = Callable[..., Termbase]


def found(matcher: TermMatcher, text: str) -> list[tuple[str, str]]:
    return [(m.entry.id, m.text) for m in matcher.match_source(text)]


@pytest.mark.parametrize(
    ("lang", "term", "text", "expected"),
    [
        ("en", "setting", "Open the settings page.", "settings"),
        ("en", "settings", "Change this setting now.", "setting"),
        ("en", "category", "Browse all categories.", "categories"),
        ("de", "Einstellung", "Öffnen Sie die Einstellungen.", "Einstellungen"),
        ("de", "Einstellungen", "Diese Einstellung ist neu.", "Einstellung"),
        ("fr", "infection", "Le risque de l'infection augmente.", "infection"),
        ("fr", "symptôme", "Quels symptômes avez-vous ?", "symptômes"),
        ("es", "archivo", "Guarde los archivos.", "archivos"),
    ],
)
def test_source_matches_inflected_forms(termbase: TB, lang: str, term: str, text: str, expected: str) -> None:
    matcher = TermMatcher(termbase([make_entry(term, ["x"])], source_lang=lang, target_lang="en"))
    assert [m.text for m in matcher.match_source(text)] == [expected]


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("cat", "Browse the category list."),
        ("cat", "A concatenated string."),
        ("log", "Open the login page."),
        ("save", "Unsaved changes remain."),
    ],
)
def test_never_matches_inside_another_word(termbase: TB, term: str, text: str) -> None:
    assert TermMatcher(termbase([make_entry(term, ["x"])])).match_source(text) == []


def test_multi_word_terms_and_longest_match_first(termbase: TB) -> None:
    matcher = TermMatcher(
        termbase(
            [
                make_entry("network", ["Netzwerk"]),
                make_entry("network settings", ["Netzwerkeinstellungen"]),
                make_entry("settings", ["Einstellungen"]),
            ]
        )
    )
    assert found(matcher, "Open the Network Settings, then the settings.") == [
        ("network settings", "Network Settings"),
        ("settings", "settings"),
    ]


def test_matches_are_sorted_by_start_and_carry_spans(termbase: TB) -> None:
    matcher = TermMatcher(termbase([make_entry("file", ["Datei"]), make_entry("save", ["Speichern"])]))
    text = "Save the file, then save it again."
    matches = matcher.match_source(text)
    assert [(m.start, m.end) for m in matches] == [(0, 4), (9, 13), (20, 24)]
    assert all(text[m.start : m.end] == m.text for m in matches)
    assert matches[0].term.text == "save"


def test_multi_word_term_does_not_cross_punctuation(termbase: TB) -> None:
    matcher = TermMatcher(termbase([make_entry("chest pain", ["douleur thoracique"])], target_lang="fr"))
    assert matcher.match_source("Pain in the chest. Pain again.") == []
    assert found(matcher, "Any chest-pain today?") == [("chest pain", "chest-pain")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Use the US keyboard.", ["US"]), ("Tell us more.", []), ("A US-based team.", ["US"])],
)
def test_case_sensitive_terms_keep_their_case(termbase: TB, text: str, expected: list[str]) -> None:
    matcher = TermMatcher(termbase([make_entry("US", ["USA"], case_sensitive=True)]))
    assert [m.text for m in matcher.match_source(text)] == expected


def test_case_insensitive_by_default(termbase: TB) -> None:
    matcher = TermMatcher(termbase([make_entry("Cloud Storage", ["Cloud-Speicher"])]))
    assert found(matcher, "CLOUD STORAGE and cloud storage") == [
        ("Cloud Storage", "CLOUD STORAGE"),
        ("Cloud Storage", "cloud storage"),
    ]


@pytest.mark.parametrize(
    ("lang", "term", "text", "expected"),
    [
        ("zh", "流感", "1918年流感大流行", ["流感"]),
        ("zh", "流感大流行", "1918年流感大流行", ["流感大流行"]),  # longest wins
        ("ja", "設定", "ネットワーク設定を開く", ["設定"]),
        ("zh", "AIDS", "HIV/AIDS患者", ["AIDS"]),
        ("zh", "AI", "AIDS患者", []),  # a Latin word inside CJK text still has edges
    ],
)
def test_unspaced_scripts_match_on_characters(
    termbase: TB, lang: str, term: str, text: str, expected: list[str]
) -> None:
    entries = [make_entry(term, ["x"])] + ([make_entry("流感", ["flu"])] if term == "流感大流行" else [])
    matcher = TermMatcher(termbase(entries, source_lang=lang, target_lang="en"))
    assert [m.text for m in matcher.match_source(text)] == expected


def test_unknown_language_falls_back_to_surface_forms(termbase: TB) -> None:
    matcher = TermMatcher(
        termbase([make_entry("kompyuta", ["computer"])], source_lang="xh", target_lang="en")
    )
    assert found(matcher, "Washa KOMPYUTA sasa") == [("kompyuta", "KOMPYUTA")]
    matcher = TermMatcher(termbase([make_entry("ʻāina", ["land"])], source_lang="haw", target_lang="en"))
    assert found(matcher, "ka ʻāina") == [("ʻāina", "ʻāina")]


def test_large_termbase_finds_only_what_occurs(termbase: TB) -> None:
    entries = [make_entry(f"term{i} word{i % 7}", [f"T{i}"]) for i in range(5000)] + [
        make_entry("save", ["S"])
    ]
    matcher = TermMatcher(termbase(entries))
    assert found(matcher, "Please save term42 word0 now") == [
        ("save", "save"),
        ("term42 word0", "term42 word0"),
    ]


# ---- target side ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "targets", "target", "expected"),
    [
        ("de", ["Einstellung"], "Öffnen Sie die Einstellungen.", "Einstellungen"),
        ("de", ["Speichern"], "Klicken Sie auf speichern.", "speichern"),
        ("de", ["Speichern", ("Sichern", A)], "Jetzt sichern", "sichern"),  # an admitted variant
        ("fr", ["maladie respiratoire chronique"], "les maladies respiratoires chroniques", None),
        ("fr", ["voyage international"], "aux voyages internationaux", "voyages internationaux"),
        ("fr", ["nez qui coule"], "un nez qui coule ?", "nez qui coule"),
        ("fr", ["infection"], "le risque d'infection", "infection"),
        ("en", ["category"], "All categories", "categories"),
        ("zh", ["流感"], "1918年流感大流行", "流感"),
    ],
)
def test_find_target_accepts_allowed_renderings(
    termbase: TB, lang: str, targets: list, target: str, expected: str | None
) -> None:
    entry = make_entry("term", targets)
    matcher = TermMatcher(termbase([entry], target_lang=lang))
    span = matcher.find_target(entry, target)
    if expected is None:  # number agreement across a three-word term is still the term
        assert span is not None
    else:
        assert span is not None and target[span[0] : span[1]] == expected


@pytest.mark.parametrize(
    ("lang", "targets", "target"),
    [
        ("de", ["Speichern"], "Klicken Sie auf Sichern."),
        ("de", ["Datei"], "Die Dateiablage"),  # not inside a compound
        ("fr", ["infectieux"], "les maladies infectieuses"),  # agreement drift is flagged for review
        ("fr", ["toucher"], "ils touchent la poignée"),
        ("fr", ["douleur thoracique"], "une douleur. thoracique"),
        ("en", ["Speichern"], ""),
    ],
)
def test_find_target_rejects_other_words(termbase: TB, lang: str, targets: list, target: str) -> None:
    entry = make_entry("term", targets)
    assert TermMatcher(termbase([entry], target_lang=lang)).find_target(entry, target) is None


def test_find_target_case_sensitive_rendering(termbase: TB) -> None:
    entry = make_entry("iPhone", ["iPhone"], case_sensitive=True)
    matcher = TermMatcher(termbase([entry]))
    assert matcher.find_target(entry, "Ihr iPhone") == (4, 10)
    assert matcher.find_target(entry, "Ihr IPHONE") is None


def test_find_forbidden_reports_each_occurrence_in_any_form(termbase: TB) -> None:
    entry = make_entry("save", ["Speichern", ("Sichern", F)])
    matcher = TermMatcher(termbase([entry]))
    target = "Sichern Sie die Datei. Gesichert? Dann sichern."
    # "Gesichert" is the forbidden verb's participle: forbidden in every form.
    assert matcher.find_forbidden(entry, target) == [(0, 7), (23, 32), (39, 46)]
    assert matcher.find_target(entry, target) is None
    assert matcher.find_forbidden(entry, "Speichern Sie die Datei.") == []


def test_forbidden_inside_an_allowed_rendering_is_not_reported(termbase: TB) -> None:
    entry = make_entry("save as", ["Speichern unter", ("Speichern", F)])
    matcher = TermMatcher(termbase([entry]))
    assert matcher.find_forbidden(entry, "Klicken Sie auf Speichern unter.") == []
    assert matcher.find_forbidden(entry, "Klicken Sie auf Speichern.") == [(16, 25)]


def test_dnt_entry_requires_the_verbatim_source_form(termbase: TB) -> None:
    entry = make_entry("Cloud Console", dnt=True)
    matcher = TermMatcher(termbase([entry]))
    assert [m.text for m in matcher.match_source("Open the Cloud Console.")] == ["Cloud Console"]
    assert matcher.find_target(entry, "Öffnen Sie die Cloud Console.") == (15, 28)
    assert matcher.find_target(entry, "Öffnen Sie die cloud console.") is None
    assert matcher.find_target(entry, "Öffnen Sie die Cloud-Konsole.") is None
    assert matcher.find_target(entry, "Die Cloud Consoles") is None


def test_dnt_in_cjk_target(termbase: TB) -> None:
    entry = make_entry("Cloud Console", dnt=True)
    matcher = TermMatcher(termbase([entry], target_lang="zh"))
    assert matcher.find_target(entry, "打开Cloud Console。") == (2, 15)


def test_entry_with_only_forbidden_targets_has_no_required_rendering(termbase: TB) -> None:
    entry = make_entry("master", [("Master", F)])
    matcher = TermMatcher(termbase([entry]))
    assert matcher.find_target(entry, "Master") is None
    assert matcher.find_forbidden(entry, "Der Master-Knoten") == [(4, 10)]


def test_lemma_tokens_give_spans_and_lemmas() -> None:
    tokens = lemma_tokens("Die Einstellungen, l'infection", "de")
    assert [(t.text, t.start, t.end) for t in tokens][:2] == [("Die", 0, 3), ("Einstellungen", 4, 17)]
    assert tokens[1].lemma == "einstellung"
    assert [t.text for t in tokens][2:] == ["l", "infection"]


@pytest.mark.parametrize("name", ["terms.v2.tbx", "terms.v3.tbx", "terms.csv", "terms.tsv", "terms.yaml"])
def test_example_termbase_flags_the_classic_ui_mistakes(examples: Path, name: str) -> None:
    matcher = TermMatcher(load_termbase(examples / "en-de" / name, source_lang="en", target_lang="de"))
    source = 'Click <g id="1">Save</g> to store %d settings in the Cloud Console.'
    target = "Klicken Sie auf Sichern, um %s Einstellungen zu speichern."
    result = {m.entry.source[0].text: m for m in matcher.match_source(source)}
    assert list(result) == ["Save", "settings", "Cloud Console"]
    save, settings, console = result.values()
    assert matcher.find_target(save.entry, target) is None  # the button label is "Speichern", capitalised
    assert matcher.find_forbidden(save.entry, target) == [(16, 23)]  # "Sichern"
    assert matcher.find_target(settings.entry, target) == (31, 44)
    assert matcher.find_target(console.entry, target) is None


@pytest.mark.parametrize(
    ("term", "target", "strict", "inflected"),
    [
        ("contagieux", "la COVID-19 est contagieuse", None, "contagieuse"),
        ("toucher", "les surfaces que les gens touchent", None, "touchent"),
        ("maladie", "les maladies infectieuses", "maladies", None),  # plural: accepted strictly
        ("confinement", "le bouclage se termine", None, None),  # another word: neither
    ],
)
def test_find_inflected_accepts_other_agreement_that_find_target_refuses(
    term: str, target: str, strict: str | None, inflected: str | None
) -> None:
    from glossaries.model import Entry, Term, Termbase

    entry = Entry("e", (Term("x"),), (Term(term),))
    matcher = TermMatcher(Termbase("t", "v", "en", "fr", (entry,)))
    found = matcher.find_target(entry, target)
    assert (target[found[0] : found[1]] if found else None) == strict
    loose = matcher.find_inflected(entry, target)
    assert (target[loose[0] : loose[1]] if loose else None) == (strict or inflected)
