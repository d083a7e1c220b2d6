"""Fixtures for the glossaries tests: the bundled examples and a tiny termbase builder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from glossaries import Entry, Term, Termbase, TermStatus

EXAMPLES = Path(__file__).resolve().parents[2] / "glossaries" / "examples"

TermSpec = str | tuple[str, TermStatus]


def make_entry(
    source: str | list[str],
    targets: list[TermSpec] | None = None,
    *,
    case_sensitive: bool = False,
    dnt: bool = False,
) -> Entry:
    sources = [source] if isinstance(source, str) else source
    status = TermStatus.DNT if dnt else TermStatus.PREFERRED
    target_terms = []
    for t in targets or []:
        text, t_status = (t, TermStatus.PREFERRED) if isinstance(t, str) else t
        target_terms.append(Term(text, t_status, case_sensitive))
    return Entry(
        id=sources[0],
        source=tuple(Term(s, status, case_sensitive) for s in sources),
        target=tuple(target_terms),
    )


@pytest.fixture(scope="session")
def examples() -> Path:
    return EXAMPLES


@pytest.fixture
def termbase() -> Callable[..., Termbase]:
    """termbase(entries, source_lang="en", target_lang="de") -> Termbase."""

    def build(entries: list[Entry], source_lang: str = "en", target_lang: str = "de") -> Termbase:
        return Termbase("test", "v1", source_lang, target_lang, tuple(entries))

    return build
