"""Terminology: required terms present, forbidden terms absent, do-not-translate terms kept verbatim.

The matcher answers the hard part (inflection, multi-word, case, CJK); these checks only decide what a
finding is. An entry found twice in the source is checked once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.checks.input import CheckInput
from agent.violations import Severity, Violation
from glossaries.matcher import TermMatch, TermMatcher
from glossaries.model import Termbase

__all__ = ["dnt_altered", "kept_name", "term_forbidden", "term_missing"]


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
    """Required glossary term missing (or replaced by a forbidden one), or present inflected or compounded"""
    matcher = _matcher(inp)
    out: list[Violation] = []
    if matcher is None:
        return out
    every = _matches(inp, matcher)
    for m in _unique(every):
        preferred = m.entry.preferred_target
        if m.entry.is_dnt or preferred is None:
            continue
        # A forbidden rendering is this term's translation gone wrong: an allowed form elsewhere in
        # the target (`zu speichern` for "store") does not make up for it.
        wrong = matcher.find_forbidden(m.entry, inp.target)
        if not wrong and matcher.find_target(m.entry, inp.target) is not None:
            continue
        name = None if wrong else _name_holding(inp, every, m)
        if name is not None:  # every occurrence is part of a name: `Salus Capital` lent no capital
            out.append(
                Violation(
                    "term-in-name",
                    Severity.INFO,
                    f"'{m.text}' is part of the name '{name}', kept as the source writes it",
                    entry_id=m.entry.id,
                )
            )
            continue
        found = None if wrong else _used_otherwise(inp, matcher, m, preferred.text)
        if found is not None:
            out.append(found)
            continue
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


def _name_holding(inp: CheckInput, matches: Sequence[TermMatch], m: TermMatch) -> str | None:
    """The kept name holding every occurrence of `m`'s entry in the source, if each is in one."""
    names = [kept_name(inp.source, inp.target, o.start, o.end) for o in matches if o.entry.id == m.entry.id]
    return None if None in names else names[0]


_NAME_WORD = re.compile(r"[^\W\d_][\w'’&-]*")


def kept_name(source: str, target: str, start: int, end: int) -> str | None:
    """The name a source term is part of (`Capital` in `Salus Capital`, `Performance` in `Enhanced Performance
    Rounds`: two or more capitalised words, the term's own among them), where the target keeps that name as the
    source writes it; None otherwise. A name is no place to translate a term."""
    words = list(_NAME_WORD.finditer(source))
    inside = [i for i, w in enumerate(words) if w.start() < end and start < w.end()]
    if not inside or not all(words[i].group()[:1].isupper() for i in inside):
        return None
    first, last = inside[0], inside[-1]
    while (
        first > 0
        and words[first - 1].group()[:1].isupper()
        and _spaced(source, words[first - 1], words[first])
    ):
        first -= 1
    while (
        last + 1 < len(words)
        and words[last + 1].group()[:1].isupper()
        and _spaced(source, words[last], words[last + 1])
    ):
        last += 1
    name = source[words[first].start() : words[last].end()]
    if last == first or re.search(rf"(?<!\w){re.escape(name)}(?!\w)", target) is None:
        return None
    return name


def _spaced(source: str, a: re.Match[str], b: re.Match[str]) -> bool:
    return source[a.end() : b.start()] == " "


def _used_otherwise(inp: CheckInput, matcher: TermMatcher, m: TermMatch, preferred: str) -> Violation | None:
    """The term in another form of its lexeme, or inside a compound: the constraint is met.

    A dictionary-backed morphology (pymorphy3 for Russian) verifies the inflection: info. A shared
    simplemma lemma is likelier right than not, but worth a look: warning. A compound part is info; a
    derived word (monatlich, коронавирусной) and a term with a word inserted (новый вид коронавируса) are
    warnings.
    """
    inflected = matcher.find_inflected(m.entry, inp.target)
    built = None if inflected is not None else matcher.find_built_on(m.entry, inp.target)
    split = None if inflected or built else matcher.find_split(m.entry, inp.target)
    if inflected is not None:
        verified = matcher.verified_inflection
        (start, end), code = inflected, "term-inflected"
        severity = Severity.INFO if verified else Severity.WARNING
        how = f"as a form of '{preferred}'" + ("" if verified else ": check it agrees")
    elif built is not None and built[2] == "compound":
        start, end, _ = built
        code, severity, how = "term-compound", Severity.INFO, f"with '{preferred}' inside a compound"
    elif built is not None:
        start, end, _ = built
        code, severity = "term-derived", Severity.WARNING
        how = f"with a word derived from '{preferred}': check it is meant"
    elif split is not None:
        (start, end), code, severity = split, "term-split", Severity.WARNING
        how = f"with a word between the words of '{preferred}': check it is meant"
    else:
        return None
    return Violation(
        code,
        severity,
        f"'{inp.target[start:end]}' renders '{m.text}' {how}",
        start=start,
        end=end,
        entry_id=m.entry.id,
        expected=preferred,
    )


def term_forbidden(inp: CheckInput) -> list[Violation]:
    """Forbidden glossary term used (in any form, or inside a compound)"""
    matcher = _matcher(inp)
    out: list[Violation] = []
    if matcher is None:
        return out
    for m in _unique(_matches(inp, matcher)):
        preferred = m.entry.preferred_target
        for start, end in matcher.find_forbidden(m.entry, inp.target):
            found = inp.target[start:end]
            whole = any(matcher.is_rendering(t, found) for t in m.entry.forbidden_targets)
            hint = f"; use '{preferred.text}'" if preferred else ""
            where = "" if whole else " inside a compound"
            out.append(
                Violation(
                    "term-forbidden",
                    Severity.ERROR,
                    f"'{found}' is a forbidden translation of '{m.text}'{where}{hint}",
                    start=start,
                    end=end,
                    entry_id=m.entry.id,
                    # Only a whole-word rendering is replaced without a model: a compound needs rewording.
                    expected=preferred.text if preferred and whole else None,
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
