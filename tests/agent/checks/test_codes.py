"""Every finding code is a member of `Code`: the checks and the agent report from one list."""

from __future__ import annotations

import json
from pathlib import Path

from agent.checks import CheckInput, run_checks
from agent.violations import Code
from glossaries.matcher import TermMatcher
from glossaries.model import Entry, Term, Termbase, TermStatus

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
GLOSSARY = Termbase(
    "g",
    "1",
    "en",
    "de",
    (
        Entry("1", (Term("settings"),), (Term("Einstellungen"), Term("Konfiguration", TermStatus.FORBIDDEN))),
        Entry("2", (Term("Azure"),), (Term("Azure", TermStatus.DNT),)),
        Entry("3", (Term("action"),), (Term("Aktion"),)),
    ),
)
EXTRA = [  # pairs that trip the term, number, link, length and style checks
    ("Open the settings", "Öffnen Sie die Konfiguration"),
    ("Open the settings", "Öffnen Sie die Optionen"),
    ("Deploy to Azure now.", "Jetzt auf Asure bereitstellen."),
    ("Quick actions:", "Schnellaktionen:"),
    ("Visit https://example.com or mail a@b.org", "Besuchen Sie https://example.org oder c@d.org"),
    ("Pay 3 dollars.", "Zahlen Sie 4 Dollar"),
    ("  Save ", "Speichern  Sie  "),
    ("Save", ""),
]


def test_every_code_the_checks_report_is_a_member_of_code() -> None:
    rows = [json.loads(line) for line in (FIXTURES / "pofilter" / "cases.jsonl").open(encoding="utf-8")]
    pairs = [(r["source"], r["target"]) for r in rows] + EXTRA
    matcher = TermMatcher(GLOSSARY)
    seen: set[str] = set()
    for source, target in pairs:
        found = run_checks(CheckInput(source, target, "en", "de", matcher=matcher))
        seen |= {v.code for v in found}
    assert seen <= set(Code), seen - set(Code)
    assert len(seen) >= 12  # the corpus does exercise the checks
