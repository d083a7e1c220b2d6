"""Length: the target's length against the source's, with language-pair-aware expectations, and the
style guide's hard limit (pofilter `long`/`short`; CheckMate's length check).

German runs longer than English, Chinese much shorter: the expected ratio is the quotient of the two
languages' typical lengths for the same content, and the bounds are a factor around it. Short segments
vary too much to judge, so the ratio is only checked from `MIN_SOURCE_CHARS` on.
"""

from __future__ import annotations

from agent.checks.input import CheckInput
from agent.checks.plain import plain
from agent.checks.style import style_rules
from agent.violations import Severity, Violation
from glossaries.text import primary_lang

__all__ = ["length_max", "length_ratio", "ratio_bounds"]

# Typical characters for the same content relative to English (localization sizing rules of thumb:
# IBM/W3C text-expansion guidance, measured on parallel corpora for the CJK entries).
DENSITY: dict[str, float] = {
    "en": 1.0, "de": 1.2, "nl": 1.15, "fr": 1.15, "es": 1.15, "it": 1.12, "pt": 1.12, "ro": 1.12,
    "ca": 1.12, "pl": 1.1, "cs": 1.0, "sk": 1.0, "sl": 1.0, "hr": 1.0, "sr": 1.0, "bg": 1.1,
    "ru": 1.1, "uk": 1.1, "hu": 1.1, "fi": 1.05, "et": 1.0, "lv": 1.0, "lt": 1.0, "el": 1.15,
    "tr": 1.05, "sv": 1.0, "da": 1.0, "nb": 1.0, "no": 1.0, "ar": 0.95, "he": 0.8, "fa": 0.95,
    "hi": 1.05, "th": 0.9, "vi": 1.1, "id": 1.15, "ms": 1.15, "zh": 0.32, "ja": 0.45, "ko": 0.5,
}  # fmt: skip
SPREAD = 2.2  # allowed factor either side of the expected ratio (MLQE-PE/WMT references stay inside)
MIN_SOURCE_CHARS = 20


def ratio_bounds(source_lang: str, target_lang: str) -> tuple[float, float]:
    """Default (min, max) target/source length ratio for a language pair."""
    expected = DENSITY.get(primary_lang(target_lang), 1.0) / DENSITY.get(primary_lang(source_lang), 1.0)
    return expected / SPREAD, expected * SPREAD


def _length(text: str) -> int:
    return len(" ".join(plain(text).split()))


def length_ratio(inp: CheckInput) -> list[Violation]:
    """Target much longer or shorter than the source"""
    src_len, tgt_len = _length(inp.source), _length(inp.target)
    if src_len < MIN_SOURCE_CHARS or tgt_len == 0:
        return []
    low, high = ratio_bounds(inp.source_lang, inp.target_lang)
    rules = style_rules(inp)
    if rules is not None:
        low = rules.min_length_ratio if rules.min_length_ratio is not None else low
        high = rules.max_length_ratio if rules.max_length_ratio is not None else high
    ratio = tgt_len / src_len
    if low <= ratio <= high:
        return []
    side = "longer" if ratio > high else "shorter"
    return [
        Violation(
            "length-ratio",
            Severity.WARNING,
            f"target is {ratio:.2f}x the source length, {side} than expected ({low:.2f}-{high:.2f})",
        )
    ]


def length_max(inp: CheckInput) -> list[Violation]:
    """Target longer than the style guide's maximum"""
    rules = style_rules(inp)
    limit = rules.max_length if rules is not None else None
    if limit is None or len(inp.target) <= limit:
        return []
    return [
        Violation(
            "length-max",
            Severity.ERROR,
            f"target has {len(inp.target)} characters, the limit is {limit}",
            start=limit,
            end=len(inp.target),
        )
    ]
