"""Punctuation: end punctuation as in the source (language-aware), French spacing, Spanish opening
marks, balanced brackets (pofilter `endpunc`, `brackets`, `puncspacing`; CheckMate's punctuation checks)."""

from __future__ import annotations

import re
from collections import Counter

from agent.checks.input import CheckInput
from agent.checks.plain import plain
from agent.violations import Severity, Violation
from glossaries.text import primary_lang

__all__ = ["bracket_mismatch", "end_punctuation", "french_spacing", "spanish_inverted"]

# Each script's form of the same sentence-final mark, mapped to one class.
_END_CLASS = {
    ".": ".", "。": ".", "．": ".", "।": ".", "۔": ".", "։": ".", "።": ".", "｡": ".",
    "?": "?", "？": "?", "؟": "?", ";": ";", "；": ";", "՞": "?",
    "!": "!", "！": "!", "՜": "!",
    ":": ":", "：": ":",
    ",": ",", "，": ",", "、": ",", "،": ",",
    "…": "…",
}  # fmt: skip
# Greek writes the question mark as `;`.
_GREEK_QUESTION = {"el": {";": "?"}}
# Closing quotes and brackets that may follow the final mark (`"Done."`, `(see above).`).
_CLOSERS = "\"'“”’»«›‹」』）)]】〉》"
_BRACKETS = {"(": ")", "[": "]", "{": "}"}
_FRENCH_SPACED = re.compile(r"(?<=[\w»)\]’\"])([!?;:])(?!\w)|(?<=«)(?=\w)|(?<=\w)(?=»)")


def _final_mark(text: str, lang: str) -> str:
    """The class of the sentence-final mark of `text`, '' when it ends without one."""
    body = plain(text).rstrip().rstrip(_CLOSERS).rstrip()
    if body.endswith("..."):
        return "…"
    mark = body[-1:] if body else ""
    mapped = _GREEK_QUESTION.get(primary_lang(lang), {}).get(mark, _END_CLASS.get(mark, ""))
    return mapped


def end_punctuation(inp: CheckInput) -> list[Violation]:
    """End punctuation differs from the source"""
    if not inp.source.strip() or not inp.target.strip():
        return []
    src = _final_mark(inp.source, inp.source_lang)
    tgt = _final_mark(inp.target, inp.target_lang)
    if src == tgt:
        return []
    end = len(inp.target.rstrip())
    start = end - 1 if tgt else end
    shown = {"": "no end punctuation"}
    return [
        Violation(
            "end-punctuation",
            Severity.WARNING,
            f"target ends with {shown.get(tgt, repr(tgt))}, the source with {shown.get(src, repr(src))}",
            start=start,
            end=end,
            expected=src or None,
        )
    ]


def french_spacing(inp: CheckInput) -> list[Violation]:
    """French: no space before ! ? ; : or inside guillemets"""
    if primary_lang(inp.target_lang) != "fr":
        return []
    text = plain(inp.target)
    out = []
    for m in _FRENCH_SPACED.finditer(text):
        if m.group(1) == ":" and re.match(r"\d", text[m.end() : m.end() + 1]):
            continue  # 10:30
        out.append(
            Violation(
                "punctuation-spacing",
                Severity.WARNING,
                "French needs a (narrow) no-break space here",
                start=m.start(),
                end=m.end(),
                expected="\u202f",
            )
        )
    return out


def spanish_inverted(inp: CheckInput) -> list[Violation]:
    """Spanish: question or exclamation without its opening ¿ or ¡"""
    if primary_lang(inp.target_lang) not in ("es", "gl", "ast"):
        return []
    out = []
    for close, opener in (("?", "¿"), ("!", "¡")):
        n_close = inp.target.count(close)
        if n_close > inp.target.count(opener):
            idx = inp.target.rfind(close)
            out.append(
                Violation(
                    "punctuation-inverted",
                    Severity.WARNING,
                    f"'{close}' without its opening '{opener}'",
                    start=idx,
                    end=idx + 1,
                    expected=opener,
                )
            )
    return out


def bracket_mismatch(inp: CheckInput) -> list[Violation]:
    """Brackets differ from the source"""
    src = Counter(c for c in plain(inp.source) if c in "()[]{}")
    text = plain(inp.target)
    tgt = Counter(c for c in text if c in "()[]{}")
    out = []
    for opener, closer in _BRACKETS.items():
        for ch in (opener, closer):
            if src[ch] != tgt[ch]:
                idx = text.rfind(ch)
                out.append(
                    Violation(
                        "bracket-mismatch",
                        Severity.WARNING,
                        f"'{ch}' occurs {tgt[ch]} times, {src[ch]} in the source",
                        start=idx if idx >= 0 else None,
                        end=idx + 1 if idx >= 0 else None,
                        expected=ch if src[ch] > tgt[ch] else None,
                    )
                )
    return out
