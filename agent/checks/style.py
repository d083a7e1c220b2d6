"""Style guide: the client's regex rules, banned and preferred phrasings, formality (du/Sie, tu/vous)
and quotation marks. Only guides that cover the language pair apply; per-language sections are merged."""

from __future__ import annotations

import re
from functools import lru_cache

from agent.checks.input import CheckInput
from agent.checks.plain import plain
from agent.violations import Severity, Violation
from glossaries.style import RegexRule, StyleGuide, StyleRules
from glossaries.text import primary_lang

__all__ = ["style_banned", "style_formality", "style_preferred", "style_quotes", "style_regex", "style_rules"]

# Pronouns that give a register away, per target language.
_INFORMAL: dict[str, str] = {
    "de": r"\b(?:du|dich|dir|dein|deine[mnrs]?|euch|euer|eure[mnrs]?)\b",
    "fr": r"\b(?:tu|toi|ton|ta|tes)\b|\bt['’](?=\w)",
    "es": r"\b(?:tú|vosotros|vosotras|contigo)\b",
    "it": r"\b(?:tu|tuo|tua|tuoi|tue)\b",
    "nl": r"\b(?:je|jij|jou|jouw|jullie)\b",
    "pt": r"\b(?:tu|teu|tua|teus|tuas)\b",
}
# Formal forms; German/Italian capitalised pronouns only count inside a sentence (not "Sie" = "They.").
_FORMAL: dict[str, str] = {
    "de": r"(?<=[\w,;] )(?:Sie|Ihnen|Ihr|Ihre[mnrs]?)\b",
    "fr": r"\b(?:vous|votre|vos)\b",
    "es": r"\b(?:usted|ustedes)\b",
    "it": r"(?<=[\w,;] )(?:Lei|Suo|Sua|Suoi|Sue)\b",
    "nl": r"\b(?:u|uw)\b",
    "pt": r"\b(?:o senhor|a senhora)\b",
}
_QUOTES = re.compile(r"[\"“”„«»‚‘‹›「」『』]|(?<!\w)'|'(?!\w)|(?<!\w)’")

_cache: dict[tuple[int, str, str, str], tuple[StyleGuide, StyleRules | None]] = {}


def style_rules(inp: CheckInput) -> StyleRules | None:
    """The style rules that apply to this language pair (merged per target language), or None."""
    guide = inp.style
    if guide is None:
        return None
    key = (id(guide), guide.version, inp.source_lang, inp.target_lang)
    hit = _cache.get(key)
    if hit is not None and hit[0] is guide:
        return hit[1]
    rules = guide.rules_for(inp.target_lang) if guide.applies_to(inp.source_lang, inp.target_lang) else None
    if len(_cache) > 64:
        _cache.clear()
    _cache[key] = (guide, rules)
    return rules


@lru_cache(maxsize=1024)
def _phrase(text: str) -> re.Pattern[str]:
    left = r"(?<!\w)" if text[:1].isalnum() else ""
    right = r"(?!\w)" if text[-1:].isalnum() else ""
    return re.compile(left + re.escape(text) + right, re.IGNORECASE)


def style_regex(inp: CheckInput) -> list[Violation]:
    """Style-guide regex rule matched"""
    rules = style_rules(inp)
    if rules is None:
        return []
    found: list[Violation] = []
    for rule in rules.rules:
        if rule.applies_to == "target":
            found += _rule_matches(rule, inp.target)
    return found


# Patterns that once ran out of time: skipped from then on, so a rule that slipped past the upload probe
# costs this process one `MATCH_TIMEOUT`, not one per segment.
_too_slow: set[tuple[str, bool]] = set()


def _rule_matches(rule: RegexRule, text: str) -> list[Violation]:
    key = (rule.pattern, rule.ignore_case)
    if key not in _too_slow:
        try:
            return [
                Violation(
                    "style-regex", Severity(rule.severity), f"{rule.message} [{rule.id}]", start=a, end=b
                )
                for a, b in rule.spans(text)
            ]
        except TimeoutError:
            _too_slow.add(key)
    return [
        Violation(
            "style-regex-skipped",
            Severity.WARNING,
            f"style rule [{rule.id}] was not checked: its pattern takes too long; fix it in the style guide",
        )
    ]


def style_banned(inp: CheckInput) -> list[Violation]:
    """Banned phrasing used"""
    rules = style_rules(inp)
    if rules is None:
        return []
    return [
        Violation(
            "style-banned",
            Severity(b.severity),
            f"'{m.group()}' is banned by the style guide" + (f" ({b.reason})" if b.reason else ""),
            start=m.start(),
            end=m.end(),
        )
        for b in rules.banned_phrasings
        for m in _phrase(b.text).finditer(inp.target)
    ]


def style_preferred(inp: CheckInput) -> list[Violation]:
    """Phrasing the style guide replaces with a preferred one"""
    rules = style_rules(inp)
    if rules is None:
        return []
    return [
        Violation(
            "style-preferred",
            Severity.WARNING,
            f"write '{p.use}' instead of '{m.group()}'",
            start=m.start(),
            end=m.end(),
            expected=p.use,
        )
        for p in rules.preferred_phrasings
        for avoid in p.avoid
        for m in _phrase(avoid).finditer(inp.target)
        if not _phrase(p.use).search(inp.target, m.start(), m.start() + len(p.use))
    ]


def style_formality(inp: CheckInput) -> list[Violation]:
    """Form of address does not match the style guide's formality"""
    rules = style_rules(inp)
    lang = primary_lang(inp.target_lang)
    if rules is None or rules.formality is None or lang not in _INFORMAL:
        return []
    wanted = rules.formality
    wrong, flags = (_INFORMAL[lang], re.IGNORECASE) if wanted == "formal" else (_FORMAL[lang], 0)
    text = plain(inp.target)
    return [
        Violation(
            "style-formality",
            Severity.WARNING,
            f"'{m.group()}' is {'informal' if wanted == 'formal' else 'formal'}; the style guide asks for "
            f"{wanted} address" + (f" ({rules.formality_note})" if rules.formality_note else ""),
            start=m.start(),
            end=m.end(),
        )
        for m in re.finditer(wrong, text, flags)
    ]


def style_quotes(inp: CheckInput) -> list[Violation]:
    """Quotation marks not the style guide's"""
    rules = style_rules(inp)
    if rules is None or rules.quotes is None:
        return []
    q = rules.quotes
    allowed = {q.open, q.close, q.nested_open or q.open, q.nested_close or q.close}
    text = plain(inp.target)
    return [
        Violation(
            "style-quotes",
            Severity.WARNING,
            f"use {q.open}…{q.close} as quotation marks, not {m.group()}",
            start=m.start(),
            end=m.end(),
        )
        for m in _QUOTES.finditer(text)
        if m.group() not in allowed
    ]
