"""The QA self-check: pure functions from a `CheckInput` to `Violation`s, grouped by family.

`CHECKS` is the explicit registry, in the order findings are reported; `run_checks` runs them all.
Each check is a small function whose docstring is its title.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from agent.checks import content, length, links, numbers, punctuation, style, tags, terms, whitespace
from agent.checks.input import CheckInput
from agent.violations import Severity, Violation
from glossaries.matcher import TermMatcher
from glossaries.model import Termbase

__all__ = ["CHECKS", "Check", "CheckInput", "Severity", "Violation", "has_errors", "run_checks"]

Check = Callable[[CheckInput], list[Violation]]

CHECKS: tuple[Check, ...] = (
    content.empty_target,
    content.untranslated,
    terms.term_missing,
    terms.term_forbidden,
    terms.dnt_altered,
    tags.tags_and_placeholders,
    numbers.number_mismatch,
    links.url_changed,
    links.email_changed,
    punctuation.end_punctuation,
    punctuation.french_spacing,
    punctuation.spanish_inverted,
    punctuation.bracket_mismatch,
    whitespace.whitespace_leading,
    whitespace.whitespace_trailing,
    whitespace.whitespace_double,
    length.length_ratio,
    length.length_max,
    content.repeated_word,
    content.start_capital,
    style.style_regex,
    style.style_banned,
    style.style_preferred,
    style.style_formality,
    style.style_quotes,
)


def _prepared(inp: CheckInput) -> CheckInput:
    """Match the source once (or index the given matches once) for all term checks."""
    if inp.matcher is not None and not inp.matches:
        return replace(inp, matches=tuple(inp.matcher.match_source(inp.source)))
    if inp.matcher is None and inp.matches:
        entries = tuple(dict.fromkeys(m.entry for m in inp.matches))
        tb = Termbase("matches", "", inp.source_lang, inp.target_lang, entries)
        return replace(inp, matcher=TermMatcher(tb))
    return inp


def run_checks(inp: CheckInput, checks: tuple[Check, ...] = CHECKS) -> list[Violation]:
    """Every violation of `inp.target`, errors first, then in registry order."""
    ready = _prepared(inp)
    found = [v for check in checks for v in check(ready)]
    rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(found, key=lambda v: rank[v.severity])


def has_errors(violations: list[Violation]) -> bool:
    """True when any violation is an error (the CLI's exit status, the agent's repair trigger)."""
    return any(v.severity is Severity.ERROR for v in violations)
