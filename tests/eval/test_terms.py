"""Term success per constraint, lemma-aware (inflected forms count) and exact; forbidden terms; DNT."""

from __future__ import annotations

import pytest

from eval.metrics.terms import applicable_entries, check_terms, form_agreement, reference_forms, term_scores
from glossaries.matcher import TermMatcher
from glossaries.model import Entry, Term, Termbase, TermStatus


def matcher(src: str, tgt: str, *entries: Entry) -> TermMatcher:
    return TermMatcher(Termbase("tb", "v1", src, tgt, entries))


def entry(source: str, *targets: str, id: str = "e") -> Entry:
    return Entry(id, (Term(source),), tuple(Term(t) for t in targets))


@pytest.mark.parametrize(
    ("tgt", "e", "output", "lemma", "exact"),
    [
        # French plural of a multi-word term: lemma-aware success, not an exact match.
        ("fr", entry("chest pain", "douleur thoracique"), "avec vos douleurs thoraciques", True, False),
        ("fr", entry("symptom", "symptôme"), "l'un des symptômes suivants", True, False),
        ("fr", entry("symptom", "symptôme"), "l'un des symptôme suivants", True, True),
        # German inflection.
        ("de", entry("setting", "Einstellung"), "Öffnen Sie die Einstellungen.", True, False),
        ("de", entry("setting", "Einstellung"), "Öffnen Sie die Optionen.", False, False),
        # Any listed variant counts.
        ("fr", entry("runny nose", "nez coule-t-il", "nez qui coule"), "un nez qui coule", True, True),
        # A multi-word term with one word inserted is rendered (the checks' `term-split`), two words are not.
        ("fr", entry("wash your hands", "lavez-vous les mains"), "lavez-vous souvent les mains", True, False),
        (
            "fr",
            entry("wash your hands", "lavez-vous les mains"),
            "lavez-vous bien souvent les mains",
            False,
            False,
        ),
        # Whole words only: "cat" is not in "category".
        ("en", entry("chat", "cat"), "a category", False, False),
    ],
)
def test_term_success_lemma_aware_and_exact(
    tgt: str, e: Entry, output: str, lemma: bool, exact: bool
) -> None:
    (check,) = check_terms(output, [e], matcher("en", tgt))
    assert (check.kind, check.ok, check.ok_exact) == ("required", lemma, exact)


def test_forbidden_and_dnt() -> None:
    save = Entry("save", (Term("Save"),), (Term("Speichern"), Term("Sichern", TermStatus.FORBIDDEN)))
    cloud = Entry("cloud", (Term("Cloud Console", TermStatus.DNT),), ())
    m = matcher("en", "de", save, cloud)
    entries = applicable_entries("Click Save in the Cloud Console.", (), m)
    assert {e.id for e in entries} == {"save", "cloud"}
    bad = {
        (c.entry_id, c.kind): c.ok
        for c in check_terms("Klicken Sie in der Cloud-Konsole auf Sichern.", entries, m)
    }
    assert bad == {("save", "required"): False, ("save", "forbidden"): False, ("cloud", "dnt"): False}
    good = {
        (c.entry_id, c.kind): c.ok
        for c in check_terms("Klicken Sie in der Cloud Console auf Speichern.", entries, m)
    }
    assert all(good.values())
    by = {
        s.metric: s.value
        for s in term_scores(check_terms("Klicken Sie in der Cloud Console auf Sichern.", entries, m))
    }
    assert by == {"term_success": 0.0, "term_success_exact": 0.0, "forbidden_rate": 1.0, "dnt_accuracy": 1.0}


def test_row_terms_and_glossary_matches_are_both_constraints_once() -> None:
    glossary = entry("fever", "fièvre", id="g1")
    row = (entry("cough", "toux", id="r1"), entry("fever", "fièvre", id="g1"))
    got = applicable_entries("fever and cough", row, matcher("en", "fr", glossary))
    assert sorted(e.id for e in got) == ["g1", "r1"]


def test_rates_are_per_constraint() -> None:
    m = matcher("en", "fr")
    entries = [entry("cough", "toux", id="a"), entry("fever", "fièvre", id="b")]
    checks = check_terms("de la fièvre", entries, m) + check_terms("de la toux et de la fièvre", entries, m)
    by = {s.metric: s for s in term_scores(checks)}
    assert by["term_success"].value == pytest.approx(3 / 4) and by["term_success"].n == 4
    assert by["dnt_accuracy"].n == 0


def test_form_agreement_wants_the_references_form_of_the_term() -> None:
    types = entry("types", "вид")
    m = matcher("en", "ru", types)
    forms = reference_forms("Выберите один из различных видов.", [types], m)
    assert forms == ["видов"]
    assert form_agreement("Выберите один из различных видов.", forms) == [True]
    assert form_agreement("Выберите один из различных вид.", forms) == [False]  # the dictionary form
    # A German compound in the reference: its whole word is the form to agree with.
    action = entry("actions", "Aktion")
    assert reference_forms("Mögliche Schnellaktionen sind:", [action], matcher("en", "de", action)) == [
        "Schnellaktionen"
    ]
    assert reference_forms("Keine Begriffe hier.", [action], matcher("en", "de", action)) == []


def _result(system: str, key: str, mt: str, output: str, before: list[dict[str, str]]) -> dict[str, object]:
    return {
        "system": system, "key": key, "output": output, "mt": mt, "status": "unchanged" if output == mt else "edited",
        "violations": [], "violations_before": before, "usage": {"calls": 0}, "latency_ms": 1.0, "error": None,
    }  # fmt: skip


def test_summary_reports_harm_on_clean_mt_and_form_agreement_per_system() -> None:
    from eval.datasets import EvalRow
    from eval.summary import summarize

    terms = (entry("types", "вид", id="t"),)
    clean = EvalRow(
        "set",
        "1",
        "Select one of the types.",
        "Выберите один из видов.",
        ref="Выберите один из видов.",
        terms=terms,
    )
    wrong = EvalRow("set", "2", "Select the types.", "Выберите категории.", ref="Выберите виды.", terms=terms)
    missing = [{"code": "term-missing", "severity": "error"}]
    results = [
        _result("mt", "set/1", clean.mt or "", clean.mt or "", []),
        _result("mt", "set/2", wrong.mt or "", wrong.mt or "", missing),
        _result("rules", "set/1", clean.mt or "", clean.mt or "", []),  # leaves clean MT alone
        _result("rules", "set/2", wrong.mt or "", "Выберите вид.", missing),  # dictionary form
        _result("agent-minimal", "set/1", clean.mt or "", "Выберите один вид.", []),  # harms clean MT
        _result("agent-minimal", "set/2", wrong.mt or "", "Выберите виды.", missing),  # the reference's form
    ]
    summary = summarize(
        [clean, wrong], results, source_lang="en", target_lang="ru",
        systems=["mt", "rules", "agent-minimal"], with_ragas=False,
    )  # fmt: skip
    harm = {s: summary.scores[s]["harm_rate"].value for s in summary.systems}
    agree = {s: summary.scores[s]["term_form_agreement/ref"].value for s in summary.systems}
    assert harm == {"mt": 0.0, "rules": 0.0, "agent-minimal": 1.0}
    assert summary.scores["agent-minimal"]["harm_rate"].n == 1  # only the clean row is eligible
    assert agree == {"mt": 0.5, "rules": 0.5, "agent-minimal": 0.5}
