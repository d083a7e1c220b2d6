"""Numbers: every number of the source appears in the target, whatever the locale writes it as.

`1,000.5` (en), `1.000,5` (de) and `1 000,5` (fr, also with no-break or narrow no-break spaces) are the
same number. Each number is read under both conventions (its language's first), and a source number is
satisfied by any target number sharing a reading, so a translator who kept the source format is not
flagged. A small whole number may also be written as a word on the other side, in any form of it
(`#1 and 2` -> `первый и второй вопросы`, `two weeks` -> `2 semaines`): pofilter's `numbers` flags that, but
a post-editor that "repairs" it rewrites correct text, so it is accepted here (num2words knows the words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from num2words import num2words

from agent.checks.input import CheckInput
from agent.checks.plain import plain
from agent.violations import Severity, Violation
from glossaries.morphology import morphology
from glossaries.text import primary_lang

__all__ = ["number_mismatch", "numbers_in"]

_GROUP = r"[.,'\u00a0\u202f\u2009 ’]"
_NUMBER = re.compile(rf"(?<![\w.,])(?:\d{{1,3}}(?:{_GROUP}\d{{3}})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?!\d)")
_PM = re.compile(r"\s?[pP]\.?\s?[mM]\b")
_SPACE_GROUP = re.compile(r"[\u00a0\u202f\u2009 '’]")
_GROUPED = {g: re.compile(rf"\d{{1,3}}(?:{re.escape(g)}\d{{3}})+") for g in ",."}  # 1,000,000 / 1.000.000
# English month names: a target may write `December` as `12` (`2013 年 12 月`).
_MONTH_NAMES = "january february march april may june july august september october november december"
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES.split(), 1)}
# Languages whose decimal separator is the point (the rest use the comma).
_POINT_DECIMAL = frozenset({"en", "zh", "ja", "ko", "he", "th", "hi", "ms", "ga", "mt", "sw", "ta", "ur"})
# Whole numbers up to this one are often written out; larger ones rarely, and as several words.
_WORDED_UP_TO = 20
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Number:
    text: str
    start: int
    end: int
    readings: tuple[Decimal, ...]  # the language's convention first


def _read(text: str, decimal: str) -> Decimal | None:
    group = "," if decimal == "." else "."
    spaced = _SPACE_GROUP.sub(group, text)
    digits = spaced if group not in text else text
    head, _, tail = digits.rpartition(decimal) if decimal in digits else (digits, "", "")
    if group in tail or (head and decimal in head):
        return None
    if group in head and not _GROUPED[group].fullmatch(head):
        return None
    head = head.replace(group, "")
    try:
        return Decimal(f"{head}.{tail}" if tail else head)
    except InvalidOperation:
        return None


def numbers_in(text: str, lang: str) -> list[Number]:
    """The numbers of `text` (markup, URLs and e-mails ignored) with their possible values."""
    return list(_numbers(text, lang))


@lru_cache(maxsize=1024)
def _numbers(text: str, lang: str) -> tuple[Number, ...]:
    """Cached: the agent checks the same source against every draft of a segment."""
    first = "." if primary_lang(lang) in _POINT_DECIMAL else ","
    other = "," if first == "." else "."
    found = []
    for m in _NUMBER.finditer(plain(text)):
        raw = m.group().rstrip()
        readings = tuple(dict.fromkeys(r for r in (_read(raw, first), _read(raw, other)) if r is not None))
        if readings and _PM.match(text, m.end()) and 1 <= readings[0] <= 11:
            readings += (readings[0] + 12,)  # `2 p.m.` may become `14 Uhr`
        if readings:
            found.append(Number(raw, m.start(), m.start() + len(raw), readings))
    return tuple(found)


def number_mismatch(inp: CheckInput) -> list[Violation]:
    """Number missing, changed or added"""
    src = numbers_in(inp.source, inp.source_lang)
    tgt = numbers_in(inp.target, inp.target_lang)
    unused = list(tgt)
    missing: list[Number] = []
    # Primary readings first, so `1.000` (de) pairs with `1,000` (en) before it could pair with `1.0`.
    for rank in (0, 1):
        still: list[Number] = []
        for n in src if rank == 0 else missing:
            hit = next((t for t in unused if _same(n, t, rank)), None)
            if hit is None:
                still.append(n)
            else:
                unused.remove(hit)
        missing = still
    missing = _unworded(missing, inp.target, inp.target_lang)
    unused = _unworded(unused, inp.source, inp.source_lang)
    out = [
        Violation(
            "number-mismatch",
            Severity.ERROR,
            f"number {n.text} from the source is missing in the target",
            expected=n.text,
        )
        for n in missing
    ]
    months = (
        {Decimal(_MONTHS[w]) for w in re.findall(r"[a-z]+", inp.source.lower()) if w in _MONTHS}
        if primary_lang(inp.source_lang) == "en"
        else set()
    )
    unused = [t for t in unused if not (set(t.readings) & months)]
    out += [
        Violation(
            "number-mismatch",
            Severity.ERROR,
            f"number {t.text} is not in the source",
            start=t.start,
            end=t.end,
        )
        for t in unused
    ]
    return out


def _same(a: Number, b: Number, rank: int) -> bool:
    if rank == 0:
        return a.readings[0] == b.readings[0]
    return not set(a.readings).isdisjoint(b.readings)


def _unworded(numbers: list[Number], text: str, lang: str) -> list[Number]:
    """The `numbers` that no word of `text` writes out; each word stands for one number."""
    if not numbers:
        return numbers
    words = _WORD.findall(plain(text))
    left: list[Number] = []
    for n in numbers:
        names = _names(n.readings[0], primary_lang(lang))
        hit = next((i for i, w in enumerate(words) if names and _says(w, names, lang)), None)
        if hit is None:
            left.append(n)
        else:
            del words[hit]
    return left


def _says(word: str, names: frozenset[str], lang: str) -> bool:
    lowered = word.lower()
    return lowered in names or any(lemma.lower() in names for lemma in morphology(lang).lemmas(word))


@lru_cache(maxsize=512)
def _names(value: Decimal, lang: str) -> frozenset[str]:
    """`value` as one word, cardinal and ordinal (`2` -> два, второй); empty if num2words lacks `lang`.
    One is only its ordinal: the cardinal is the article in many languages (`un`, `ein`), which would hide a
    lost `1`."""
    if value != value.to_integral_value() or not 0 <= value <= _WORDED_UP_TO:
        return frozenset()
    names = set()
    for kind in ("ordinal",) if value == 1 else ("cardinal", "ordinal"):
        try:
            names.add(str(num2words(int(value), lang=lang, to=kind)).lower())
        except (NotImplementedError, OverflowError, KeyError, ValueError):
            continue
    return frozenset(n for n in names if _WORD.fullmatch(n))
