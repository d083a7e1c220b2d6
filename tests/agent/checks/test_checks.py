"""Every QA check, positive and negative, as tables: (source, target[, languages]) -> expected codes."""

from __future__ import annotations

import pytest

from agent.checks import (
    CHECKS,
    CheckInput,
    Severity,
    Violation,
    content,
    has_errors,
    length,
    links,
    numbers,
    punctuation,
    run_checks,
    style,
    tags,
    terms,
    whitespace,
)
from agent.checks.input import asserted_matches, inline_termbase
from glossaries.matcher import TermMatcher
from glossaries.model import Entry, Term, Termbase, TermStatus
from glossaries.style import StyleGuide


def codes(found: list[Violation]) -> list[str]:
    return sorted(v.code for v in found)


def test_registry_checks_have_titles() -> None:
    assert len(CHECKS) == len(set(CHECKS)) >= 20
    assert all(check.__doc__ and "\n" not in check.__doc__.strip() for check in CHECKS)


# --- terms ---------------------------------------------------------------------------------------------


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


# --- tags and placeholders -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ('Click <g id="1">Save</g>.', 'Klicken Sie auf <g id="1">Speichern</g>.', []),
        ('Click <g id="1">Save</g>.', "Klicken Sie auf Speichern.", ["tag-missing"]),
        ("%d files", "%s Dateien", ["placeholder-extra", "placeholder-missing"]),
        ("{count} files", "{count} Dateien", []),
        ("{count} files", "{anzahl} Dateien", ["placeholder-extra", "placeholder-missing"]),
        ("Hi {{user}}", "Hallo {{user}} {{user}}", ["placeholder-duplicated"]),
    ],
)
def test_tags_and_placeholders(source: str, target: str, expected: list[str]) -> None:
    assert codes(tags.tags_and_placeholders(CheckInput(source, target, "en", "de"))) == expected


# --- numbers ---------------------------------------------------------------------------------------------


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


# --- URLs and e-mails ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("See https://example.com/a?b=1.", "Siehe https://example.com/a?b=1.", []),
        ("See https://example.com/a.", "Siehe https://example.de/a.", ["url-changed", "url-changed"]),
        ("See www.example.com.", "Siehe die Website.", ["url-changed"]),
        ("Write to help@acme.com.", "Schreiben Sie an help@acme.com.", []),
        ("Write to help@acme.com.", "Schreiben Sie an hilfe@acme.com.", ["email-changed", "email-changed"]),
    ],
)
def test_links(source: str, target: str, expected: list[str]) -> None:
    inp = CheckInput(source, target, "en", "de")
    assert codes(links.url_changed(inp) + links.email_changed(inp)) == expected


# --- punctuation -----------------------------------------------------------------------------------------


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


# --- whitespace ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("Save ", "Speichern ", []),
        ("Save ", "Speichern", ["whitespace-trailing"]),
        ("Save", "Speichern\n", ["whitespace-trailing"]),
        (" Save", "Speichern", ["whitespace-leading"]),
        ("Save", "  Speichern", ["whitespace-leading"]),
        ("Save it", "Speichern  Sie", ["whitespace-double"]),
        ("Save  it", "Speichern  Sie", []),  # the source spaces that way
    ],
)
def test_whitespace(source: str, target: str, expected: list[str]) -> None:
    inp = CheckInput(source, target, "en", "de")
    found = (
        whitespace.whitespace_leading(inp)
        + whitespace.whitespace_trailing(inp)
        + whitespace.whitespace_double(inp)
    )
    assert codes(found) == expected


# --- length ----------------------------------------------------------------------------------------------

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


# --- content ---------------------------------------------------------------------------------------------


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


# --- style -----------------------------------------------------------------------------------------------


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


# --- the whole run ---------------------------------------------------------------------------------------


def test_run_checks_on_the_acceptance_example(matcher: TermMatcher) -> None:
    inp = CheckInput(
        'Click <g id="1">Save</g> to store %d settings.',
        "Klicken Sie auf Sichern, um %s Einstellungen zu speichern.",
        "en",
        "de",
        matcher=matcher,
    )
    found = run_checks(inp)
    assert {"tag-missing", "placeholder-missing", "placeholder-extra", "term-missing"} <= {
        v.code for v in found
    }
    assert has_errors(found)
    assert [v.severity for v in found] == sorted(
        (v.severity for v in found), key=["error", "warning", "info"].index
    )


def test_clean_translation_has_no_violations(matcher: TermMatcher) -> None:
    inp = CheckInput(
        'Click <g id="1">Save</g> to store %d settings.',
        'Klicken Sie auf <g id="1">Speichern</g>, um %d Einstellungen zu speichern.',
        "en",
        "de",
        matcher=matcher,
    )
    assert run_checks(inp) == []
    assert not has_errors([])


def test_term_in_another_inflection_is_a_warning_not_a_missing_term() -> None:
    from agent.checks import CheckInput, run_checks
    from glossaries.matcher import TermMatcher
    from glossaries.model import Entry, Term, Termbase

    entry = Entry("c", (Term("contagious"),), (Term("contagieux"),))
    matcher = TermMatcher(Termbase("t", "v", "en", "fr", (entry,)))
    found = run_checks(
        CheckInput("COVID-19 is contagious.", "La COVID-19 est contagieuse.", "en", "fr", matcher=matcher)
    )
    assert [(v.code, v.severity.value) for v in found] == [("term-inflected", "warning")]
    missing = run_checks(
        CheckInput("COVID-19 is contagious.", "La COVID-19 est grave.", "en", "fr", matcher=matcher)
    )
    assert [v.code for v in missing] == ["term-missing"]


@pytest.mark.parametrize(
    ("source", "target", "lang", "flagged"),
    [
        ("It began at 2 p.m. on June 4.", "Es begann um 14 Uhr am 4. Juni.", "de", []),  # 12-hour clock
        (
            "On 29 December 2013, he left.",
            "2013 年 12 月 29 日 ，他 离开 了 。",
            "zh",
            [],
        ),  # month as a number
        ("On 29 December 2013, he left.", "2013 年 11 月 29 日 ，他 离开 了 。", "zh", ["11"]),
    ],
)
def test_numbers_accept_clock_and_month_renderings(
    source: str, target: str, lang: str, flagged: list[str]
) -> None:
    from agent.checks import CheckInput, run_checks

    found = [v for v in run_checks(CheckInput(source, target, "en", lang)) if v.code == "number-mismatch"]
    assert [target[v.start : v.end] for v in found if v.start is not None] == flagged


# --- terms inside compounds and in other forms (glossaries.morphology) ---------------------------------


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
