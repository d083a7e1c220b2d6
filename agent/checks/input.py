"""What every check reads: one source/target pair, its language pair, term matches and style guide."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from glossaries.constraints import constraint_entries
from glossaries.matcher import TermMatch, TermMatcher
from glossaries.model import Termbase, content_version
from glossaries.style import StyleGuide

__all__ = ["CheckInput", "asserted_matches", "inline_termbase"]


@dataclass(frozen=True)
class CheckInput:
    """The inputs of a QA run. `matches` are the glossary entries found in the source (computed from
    `matcher` when empty); `style` is the client's style guide, if any; `placeholders` names the
    placeholder profiles in force (the request's, the guide's or the file type's; the default set for none)."""

    source: str
    target: str
    source_lang: str
    target_lang: str
    matches: Sequence[TermMatch] = ()
    matcher: TermMatcher | None = None
    style: StyleGuide | None = None
    placeholders: tuple[str, ...] = ()  # placeholder profiles to check (glossaries.placeholder_profiles)


def inline_termbase(
    terms: Sequence[Mapping[str, Any]], source_lang: str, target_lang: str, id: str = "inline"
) -> Termbase:
    """Per-segment term constraints (`[{"src": str, "tgt": [str, ...]}]`, the shape of the evaluation
    data and of batch rows) as a termbase: the first `tgt` is preferred, the others admitted."""
    entries = constraint_entries(terms, id)
    version = content_version(json.dumps(list(terms), sort_keys=True, default=str).encode())
    return Termbase(id, version, source_lang, target_lang, entries)


def asserted_matches(termbase: Termbase, source: str, matcher: TermMatcher) -> tuple[TermMatch, ...]:
    """Source matches for a termbase whose every entry is asserted to apply to this segment (per-segment
    `terms`): entries the matcher cannot locate in the source are still checked, with an empty span."""
    found = list(matcher.match_source(source))
    seen = {m.entry.id for m in found}
    for entry in termbase.entries:
        if entry.id not in seen and entry.source:
            term = entry.source[0]
            found.append(TermMatch(entry, term, 0, 0, term.text))
    return tuple(found)
