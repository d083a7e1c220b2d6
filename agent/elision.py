"""French elision around a word the agent puts in: the word before it follows the new word's first letter.

`d' influenza` replaced by `grippe` must read `de grippe`, `de symptômes` replaced by `infections`
`d'infections`. Most elided words have one full form (`d'` -> `de`, `qu'` -> `que`); `l'` is `le` or `la`
by the noun's gender and `s'` is `se` or `si`, which no dictionary here tells: those are left for a
linguist (the caller flags the edit). A word opening with `h` may or may not elide (`l'hôpital`, `le
héros`): left as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from glossaries.morphology import primary_lang

__all__ = ["Mended", "mend_before"]

_FULL = {
    "d": "de",
    "qu": "que",
    "n": "ne",
    "j": "je",
    "m": "me",
    "t": "te",
    "c": "ce",
    "jusqu": "jusque",
    "lorsqu": "lorsque",
    "puisqu": "puisque",
}
_ELIDES = {full: short for short, full in _FULL.items()} | {"le": "l", "la": "l"}
_UNKNOWN_FULL = frozenset({"l", "s"})  # le/la, se/si
_VOWEL = re.compile(r"[aeiouyàâäéèêëîïôöùûüœæ]", re.IGNORECASE)
_ELIDED_BEFORE = re.compile(r"(?<!\w)(\w+)(['’])(\s?)$")
_FULL_BEFORE = re.compile(r"(?<!\w)(\w+)(\s+)$")


@dataclass(frozen=True)
class Mended:
    """The text before a replacement from `start` on, rewritten (`text`); `sure` is False where the right
    form is unknown and the text was left as it was."""

    start: int
    text: str
    sure: bool


def mend_before(target: str, start: int, new: str, lang: str) -> Mended | None:
    """How the word just before `target[start:]` must change for `new` to follow it; None if it need not."""
    if primary_lang(lang) != "fr" or not new or new[0].lower() == "h":
        return None
    before = target[:start]
    vowel = bool(_VOWEL.match(new))
    elided = _ELIDED_BEFORE.search(before)
    if elided is not None and not vowel:
        word, _, _ = elided.groups()
        full = _FULL.get(word.lower())
        if full is None:
            unknown = word.lower() in _UNKNOWN_FULL
            return Mended(elided.start(), elided.group(), sure=False) if unknown else None
        return Mended(elided.start(), _like(full, word) + " ", sure=True)
    whole = _FULL_BEFORE.search(before)
    if whole is not None and vowel and whole.group(1).lower() in _ELIDES:
        apostrophe = "' " if re.search(r"\w' \w", target) else "'"  # tokenised text keeps its style
        return Mended(
            whole.start(), _like(_ELIDES[whole.group(1).lower()], whole.group(1)) + apostrophe, sure=True
        )
    return None


def _like(word: str, model: str) -> str:
    return word[:1].upper() + word[1:] if model[:1].isupper() else word
