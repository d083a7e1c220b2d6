"""Terminology: required terms present, forbidden terms absent, do-not-translate terms kept verbatim.

The matcher answers the hard part (inflection, multi-word, case, CJK); these checks only decide what a
finding is. An entry found twice in the source is checked once.
"""

from __future__ import annotations

from collections.abc import Sequence

from agent.checks.input import CheckInput
from agent.violations import Severity, Violation
from glossaries.matcher import TermMatch, TermMatcher
from glossaries.model import Termbase

__all__ = ["dnt_altered", "term_forbidden", "term_missing"]


def _matcher(inp: CheckInput) -> TermMatcher | None:
    if inp.matcher is not None:
        return inp.matcher
    if not inp.matches:
        return None
    entries = tuple(dict.fromkeys(m.entry for m in inp.matches))
    return TermMatcher(Termbase("matches", "", inp.source_lang, inp.target_lang, entries))


def _matches(inp: CheckInput, matcher: TermMatcher | None) -> Sequence[TermMatch]:
    if inp.matches or matcher is None:
        return inp.matches
    return matcher.match_source(inp.source)


def _unique(matches: Sequence[TermMatch]) -> list[TermMatch]:
    seen: set[str] = set()
    out = []
    for m in matches:
        if m.entry.id not in seen:
            seen.add(m.entry.id)
            out.append(m)
    return out


def term_missing(inp: CheckInput) -> list[Violation]:
    """Required glossary term missing (or replaced by a forbidden one), or present only inflected"""
    matcher = _matcher(inp)
    out: list[Violation] = []
    if matcher is None:
        return out
    for m in _unique(_matches(inp, matcher)):
        preferred = m.entry.preferred_target
        if m.entry.is_dnt or preferred is None:
            continue
        # A forbidden rendering is this term's translation gone wrong: an allowed form elsewhere in
        # the target (`zu speichern` for "store") does not make up for it.
        wrong = matcher.find_forbidden(m.entry, inp.target)
        found = matcher.find_target(m.entry, inp.target)
        inflected = None if wrong or found else matcher.find_inflected(m.entry, inp.target)
        if inflected is not None:
            # The term is there in another gender, number or person: correct far more often than not.
            out.append(
                Violation(
                    "term-inflected",
                    Severity.WARNING,
                    f"'{inp.target[inflected[0] : inflected[1]]}' renders '{m.text}' as an inflected "
                    f"form of '{preferred.text}': check it agrees",
                    start=inflected[0],
                    end=inflected[1],
                    entry_id=m.entry.id,
                    expected=preferred.text,
                )
            )
        elif wrong or found is None:
            start, end = wrong[0] if wrong else (None, None)
            out.append(
                Violation(
                    "term-missing",
                    Severity.ERROR,
                    f"'{m.text}' must be translated as '{preferred.text}'",
                    start=start,
                    end=end,
                    entry_id=m.entry.id,
                    expected=preferred.text,
                )
            )
    return out


def term_forbidden(inp: CheckInput) -> list[Violation]:
    """Forbidden glossary term used"""
    matcher = _matcher(inp)
    out: list[Violation] = []
    if matcher is None:
        return out
    for m in _unique(_matches(inp, matcher)):
        preferred = m.entry.preferred_target
        for start, end in matcher.find_forbidden(m.entry, inp.target):
            hint = f"; use '{preferred.text}'" if preferred else ""
            out.append(
                Violation(
                    "term-forbidden",
                    Severity.ERROR,
                    f"'{inp.target[start:end]}' is a forbidden translation of '{m.text}'{hint}",
                    start=start,
                    end=end,
                    entry_id=m.entry.id,
                    expected=preferred.text if preferred else None,
                )
            )
    return out


def dnt_altered(inp: CheckInput) -> list[Violation]:
    """Do-not-translate term altered"""
    matcher = _matcher(inp)
    out: list[Violation] = []
    if matcher is None:
        return out
    for m in _unique(_matches(inp, matcher)):
        if m.entry.is_dnt and matcher.find_target(m.entry, inp.target) is None:
            out.append(
                Violation(
                    "dnt-altered",
                    Severity.ERROR,
                    f"'{m.text}' must not be translated; keep it exactly as in the source",
                    entry_id=m.entry.id,
                    expected=m.term.text,
                )
            )
    return out
