"""Content: empty or untranslated targets, repeated words, initial capital
(pofilter `untranslated`, `unchanged`, `doublewords`, `startcaps`; CheckMate's target-same-as-source)."""

from __future__ import annotations

import re

from agent.checks.input import CheckInput
from agent.checks.plain import plain
from agent.violations import Severity, Violation
from glossaries.text import primary_lang

__all__ = ["empty_target", "repeated_word", "start_capital", "untranslated"]

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_REPEAT = re.compile(r"(?<!\w)([^\W\d_]+)(\s+)\1(?!\w)", re.IGNORECASE)
# Words that legitimately repeat (French "nous nous", German "die die", Dutch "dat dat").
_ALLOWED_REPEATS = frozenset({"nous", "vous", "die", "der", "das", "dat", "che", "que", "had", "that"})


def empty_target(inp: CheckInput) -> list[Violation]:
    """Target empty while the source is not"""
    if inp.source.strip() and not inp.target.strip():
        return [Violation("empty-target", Severity.ERROR, "the target is empty")]
    return []


def _dnt_blanked(inp: CheckInput, text: str) -> str:
    for m in inp.matches:
        if m.entry.is_dnt:
            text = text.replace(m.term.text, " ")
    return text


def untranslated(inp: CheckInput) -> list[Violation]:
    """Target identical to the source"""
    if inp.source.strip() != inp.target.strip() or not inp.target.strip():
        return []
    if primary_lang(inp.source_lang) == primary_lang(inp.target_lang):
        return []
    words = _WORD.findall(_dnt_blanked(inp, plain(inp.source)))
    if not any(len(w) > 1 and not w.isupper() for w in words) or (len(words) == 1 and len(words[0]) <= 3):
        return []  # only numbers, placeholders, DNT terms, acronyms or a short word: nothing to translate
    return [
        Violation(
            "untranslated",
            Severity.WARNING,
            "the target is a copy of the source",
            start=0,
            end=len(inp.target),
        )
    ]


def repeated_word(inp: CheckInput) -> list[Violation]:
    """Word repeated in the target"""
    src = {m.group(1).casefold() for m in _REPEAT.finditer(plain(inp.source))}
    out = []
    for m in _REPEAT.finditer(plain(inp.target)):
        word = m.group(1).casefold()
        if word in src or word in _ALLOWED_REPEATS:
            continue
        out.append(
            Violation(
                "repeated-word",
                Severity.WARNING,
                f"'{m.group(1)}' is repeated",
                start=m.start(2),
                end=m.end(),
                expected="",
            )
        )
    return out


def start_capital(inp: CheckInput) -> list[Violation]:
    """Target starts in a different case from the source"""
    src = next((c for c in plain(inp.source) if c.isalpha()), "")
    idx, tgt = next(((i, c) for i, c in enumerate(plain(inp.target)) if c.isalpha()), (-1, ""))
    if not src or not tgt or not (src.isupper() or src.islower()) or not (tgt.isupper() or tgt.islower()):
        return []  # caseless scripts
    if src.isupper() == tgt.isupper():
        return []
    wanted = tgt.upper() if src.isupper() else tgt.lower()
    return [
        Violation(
            "capitalization-start",
            Severity.INFO,
            f"the source starts with {'an upper' if src.isupper() else 'a lower'}-case letter",
            start=idx,
            end=idx + 1,
            expected=wanted,
        )
    ]
