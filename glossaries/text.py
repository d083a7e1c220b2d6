"""Tokens and lemmas: the one place that knows how text is cut into comparable words.

Matching compares tokens by their case-folded surface and lemmas (from `glossaries.morphology`), so
`settings` meets `setting`, `Einstellungen` meets `Einstellung` and `симптомов` meets `симптомы`.
Languages written without spaces (Chinese, Japanese, Thai...) are matched on characters instead; see `is_unspaced`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from glossaries.morphology import morphology, primary_lang

__all__ = ["WORD", "Token", "is_unspaced", "joined", "lemma", "lemma_tokens", "lemmas", "primary_lang"]

WORD = re.compile(r"\w+")  # a word: letters, digits, underscore; apostrophes and hyphens split words
# What may stand between two words of one multi-word term: spaces, hyphens, apostrophes.
# A comma or full stop between them means the words belong to different phrases.
_JOINER = re.compile(r"[\s\-\u2010\u2011'\u2019\u02bc`]+")
# Scripts written without spaces between words: match terms as character substrings.
_UNSPACED = frozenset({"zh", "ja", "th", "lo", "km", "my", "bo", "yue", "wuu"})


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: surface, character span, and case-folded lemma."""

    text: str
    start: int
    end: int
    lemma: str


def is_unspaced(lang: str) -> bool:
    """True for languages written without spaces, where terms are matched as character substrings."""
    return primary_lang(lang) in _UNSPACED


def lemma(word: str, lang: str) -> str:
    """Case-folded likeliest lemma of one word; the case-folded word where the language has no lemmatizer."""
    return morphology(lang).lemmas(word)[0]


def lemmas(word: str, lang: str) -> tuple[str, ...]:
    """Every case-folded lemma one word may have (pymorphy3 gives several for ambiguous Russian forms)."""
    return morphology(lang).lemmas(word)


def lemma_tokens(text: str, lang: str) -> list[Token]:
    """The words of `text` with their spans and lemmas. Apostrophes and hyphens split words (l'infection)."""
    return [Token(m.group(), m.start(), m.end(), lemma(m.group(), lang)) for m in WORD.finditer(text)]


def joined(text: str, end: int, start: int) -> bool:
    """True when the gap text[end:start] between two words may sit inside one multi-word term."""
    return _JOINER.fullmatch(text, end, start) is not None
