"""Shared fixtures for the QA-check tests: a small en-de termbase and style guide."""

from __future__ import annotations

import pytest

from glossaries.matcher import TermMatcher
from glossaries.model import Entry, Term, Termbase, TermStatus
from glossaries.style import StyleGuide


@pytest.fixture(scope="session")
def termbase() -> Termbase:
    entries = (
        Entry("save", (Term("Save"),), (Term("Speichern"), Term("Sichern", TermStatus.FORBIDDEN))),
        Entry(
            "settings", (Term("settings"),), (Term("Einstellungen"), Term("Optionen", TermStatus.FORBIDDEN))
        ),
        Entry("console", (Term("Cloud Console", TermStatus.DNT, case_sensitive=True),), ()),
        Entry("folder", (Term("folder"),), (Term("Ordner"), Term("Verzeichnis", TermStatus.ADMITTED))),
    )
    return Termbase("test", "1", "en", "de", entries)


@pytest.fixture(scope="session")
def matcher(termbase: Termbase) -> TermMatcher:
    return TermMatcher(termbase)


@pytest.fixture(scope="session")
def guide() -> StyleGuide:
    return StyleGuide.model_validate(
        {
            "source_lang": "en",
            "target_lang": "de",
            "formality": "formal",
            "quotes": {"open": "„", "close": "“"},
            "preferred_phrasings": [{"use": "Klicken Sie auf", "instead_of": "Drücken Sie auf"}],
            "banned_phrasings": [{"text": "Bitte beachten Sie", "severity": "warning"}],
            "rules": [
                {"id": "no-etc", "pattern": r"\busw\.", "message": "Write it out.", "severity": "error"}
            ],
            "max_length": 60,
            "max_length_ratio": 1.6,
            "min_length_ratio": 0.5,
        }
    )
