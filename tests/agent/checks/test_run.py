"""The registry and a whole run of every check."""

from __future__ import annotations

import pytest

from agent.checks import (
    CHECKS,
    CheckInput,
    Violation,
    has_errors,
    run_checks,
)
from glossaries.matcher import TermMatcher
from glossaries.model import Entry, Term, Termbase


def codes(found: list[Violation]) -> list[str]:
    return sorted(v.code for v in found)


def test_registry_checks_have_titles() -> None:
    assert len(CHECKS) == len(set(CHECKS)) >= 20
    assert all(check.__doc__ and "\n" not in check.__doc__.strip() for check in CHECKS)


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
