"""Tokens and lemmas: the one place that knows how text is cut into comparable words.

Matching compares tokens by two keys, the case-folded surface and the case-folded simplemma lemma, so
`settings` meets `setting` and `Einstellungen` meets `Einstellung`. Languages written without spaces
(Chinese, Japanese, Thai...) are matched on characters instead; see `is_unspaced`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import simplemma
from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

__all__ = ["WORD", "Token", "is_unspaced", "joined", "lemma", "lemma_tokens", "primary_lang"]

WORD = re.compile(r"\w+")  # a word: letters, digits, underscore; apostrophes and hyphens split words
# What may stand between two words of one multi-word term: spaces, hyphens, apostrophes.
# A comma or full stop between them means the words belong to different phrases.
_JOINER = re.compile(r"[\s\-\u2010\u2011'\u2019\u02bc`]+")
# Scripts written without spaces between words: match terms as character substrings.
_UNSPACED = frozenset({"zh", "ja", "th", "lo", "km", "my", "bo", "yue", "wuu"})
# Codes simplemma files under another name.
_LEMMA_ALIASES = {"no": "nb", "sr": "hbs", "hr": "hbs", "bs": "hbs", "iw": "he", "in": "id", "fil": "tl"}


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: surface, character span, and case-folded lemma."""

    text: str
    start: int
    end: int
    lemma: str


def primary_lang(code: str) -> str:
    """The primary language subtag: `en-US`, `en_GB` and `EN` all become `en`."""
    return re.split(r"[-_]", code.strip(), maxsplit=1)[0].casefold()


def is_unspaced(lang: str) -> bool:
    """True for languages written without spaces, where terms are matched as character substrings."""
    return primary_lang(lang) in _UNSPACED


def _lemma_lang(lang: str) -> str | None:
    code = primary_lang(lang)
    code = _LEMMA_ALIASES.get(code, code)
    return code if code in SUPPORTED_LANGUAGES else None


@lru_cache(maxsize=400_000)
def lemma(word: str, lang: str) -> str:
    """Case-folded lemma of one word; the case-folded word itself where simplemma lacks the language."""
    code = _lemma_lang(lang)
    if code is None or not word or word.isdigit():
        return word.casefold()
    try:
        return simplemma.lemmatize(word, lang=code).casefold()
    except ValueError:  # simplemma refuses some inputs; a surface match is still a match
        return word.casefold()


def lemma_tokens(text: str, lang: str) -> list[Token]:
    """The words of `text` with their spans and lemmas. Apostrophes and hyphens split words (l'infection)."""
    return [Token(m.group(), m.start(), m.end(), lemma(m.group(), lang)) for m in WORD.finditer(text)]


def joined(text: str, end: int, start: int) -> bool:
    """True when the gap text[end:start] between two words may sit inside one multi-word term."""
    return _JOINER.fullmatch(text, end, start) is not None
