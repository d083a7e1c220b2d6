"""Cognates: a target word spelled like a source word, across scripts (`провинции`, "province").

Technical and medical prose borrows: `ситуация` renders "situation", `терапия` "therapy", `Situation` the same.
Such a word renders that source word, so it is no place for another word's missing term, and this holds in
the first segment of a job, before any word alignment is learned. Both words are respelled alike (Cyrillic
transliterated, `th` -> `t`, `c` -> `k` or `s`, doubled letters single) and must share a long start.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["cognate"]

_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "sch",
    "ъ": "-",
    "ы": "y",
    "ь": "-",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "і": "i",
    "ї": "i",
    "є": "e",
    "ґ": "g",
}
_RESPELL = (
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "t"),
    (re.compile(r"ts|tz|t(?=io)"), "s"),  # `-tion`, `-ция`: both `s`
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"[cq]"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"w"), "v"),
    (re.compile(r"y"), "i"),
    (re.compile(r"[-'’]"), ""),
    (re.compile(r"(.)\1"), r"\1"),
)
MIN_SHARED = 5  # letters of a shared start: `terap` (therapy, терапия); `mikro` alone (microdroplets,
SHARE = 0.6  # микрокаплям) is under 60% of the shorter word


@lru_cache(maxsize=65536)
def _spelled(word: str) -> str:
    out = "".join(_CYRILLIC.get(ch, ch) for ch in word.casefold())
    for pattern, to in _RESPELL:
        out = pattern.sub(to, out)
    return out


def cognate(e: str, f: str) -> bool:
    """Are source word `e` and target word `f` spelled alike: a shared start of at least five letters, and
    at least 60% of the shorter word, once both are respelled?"""
    a, b = _spelled(e), _spelled(f)
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    return shared >= MIN_SHARED and shared >= SHARE * min(len(a), len(b))
