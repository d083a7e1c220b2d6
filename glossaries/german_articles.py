"""What the word before a German noun asks of its form: the case, number and gender an article agrees in,
the case a preposition governs.

`zwischen den Faktoren` is dative plural, so a term put there is `Verträgen`, not `Verträge`; `des Vertrag`
contradicts its article. Only the word right before the noun is read, and only the words below: an
adjective between them, or any other word, claims nothing.
"""

from __future__ import annotations

import re

from glossaries.german_nouns import CELLS

__all__ = ["CLOSED_CLASS", "allowed_cells", "governing_word"]

_NOM, _GEN, _DAT, _AKK = range(4)
_PL = 4  # CELLS: the four singular cases, then the four plural ones
_ALL = "mfn"


def _sg(genders: str, *cases: int) -> set[tuple[str, int]]:
    return {(g, c) for g in genders for c in cases}


def _pl(*cases: int) -> set[tuple[str, int]]:
    return {(g, _PL + c) for g in _ALL for c in cases}


ARTICLES: dict[str, frozenset[tuple[str, int]]] = {
    "der": frozenset(_sg("m", _NOM) | _sg("f", _GEN, _DAT) | _pl(_GEN)),
    "die": frozenset(_sg("f", _NOM, _AKK) | _pl(_NOM, _AKK)),
    "das": frozenset(_sg("n", _NOM, _AKK)),
    "des": frozenset(_sg("mn", _GEN)),
    "dem": frozenset(_sg("mn", _DAT)),
    "den": frozenset(_sg("m", _AKK) | _pl(_DAT)),
    "ein": frozenset(_sg("m", _NOM) | _sg("n", _NOM, _AKK)),
    "eine": frozenset(_sg("f", _NOM, _AKK)),
    "eines": frozenset(_sg("mn", _GEN)),
    "einem": frozenset(_sg("mn", _DAT)),
    "einen": frozenset(_sg("m", _AKK)),
    "einer": frozenset(_sg("f", _GEN, _DAT)),
    **{c: frozenset(_sg("mn", _DAT)) for c in ("im", "am", "zum", "beim", "vom")},
    "zur": frozenset(_sg("f", _DAT)),
}
# Words declined like `ein` (kein, the possessives) and like `der` (dieser, jeder, welcher...).
_EIN_WORDS = ("kein", "mein", "dein", "sein", "unser", "euer")
_DER_WORDS = ("dies", "jen", "jed", "welch", "manch", "solch")
_EIN_ENDINGS = {"": "ein", "e": "eine", "es": "eines", "em": "einem", "en": "einen", "er": "einer"}
_DER_ENDINGS = {"er": "der", "e": "die", "em": "dem", "en": "den"}
ARTICLES |= {stem + end: ARTICLES[like] for stem in _EIN_WORDS for end, like in _EIN_ENDINGS.items()}
ARTICLES |= {stem + end: ARTICLES[like] for stem in _DER_WORDS for end, like in _DER_ENDINGS.items()}
ARTICLES |= {stem + "es": ARTICLES["das"] | ARTICLES["des"] for stem in _DER_WORDS}
# Plural-only quantifiers: `einige Schuppen`, `mehreren Ländern`.
ARTICLES |= {
    w + end: frozenset(_pl(*cases))
    for w in ("einig", "mehrer", "viel", "wenig", "beid", "all")
    for end, cases in (("e", (_NOM, _AKK)), ("en", (_DAT,)), ("er", (_GEN,)))
}
_DATIVE = ("mit", "von", "aus", "bei", "nach", "seit", "zu", "gegenüber", "entsprechend", "gemäß")
_ACCUSATIVE = ("für", "durch", "gegen", "ohne", "um")
_TWO_WAY = ("in", "an", "auf", "über", "unter", "vor", "hinter", "neben", "zwischen")
PREPOSITIONS: dict[str, frozenset[int]] = {
    **{p: frozenset({_DAT}) for p in _DATIVE},
    **{p: frozenset({_AKK}) for p in _ACCUSATIVE},
    **{p: frozenset({_DAT, _AKK}) for p in _TWO_WAY},
}

# Articles, pronouns and prepositions a sentence opens with, capitalised like nouns (the tables list `Die`,
# `Man` as nouns too): never the place of a noun term.
CLOSED_CLASS = frozenset(
    {*ARTICLES, *PREPOSITIONS, "er", "sie", "es", "wir", "ihr", "ich", "du", "man", "dies", "diese", "dieser"}
    | {
        "dieses",
        "diesem",
        "diesen",
        "jene",
        "jener",
        "jenes",
        "jenem",
        "jenen",
        "alle",
        "jede",
        "jeder",
        "jedes",
    }
    | {
        "kein",
        "keine",
        "keinen",
        "keinem",
        "keiner",
        "sein",
        "seine",
        "ihre",
        "unser",
        "unsere",
        "was",
        "wer",
    }
)


_WORDS = re.compile(r"[\w-]+")
_CLAUSE_END = re.compile(r"[,;:.!?()\[\]\"„“”«»–]")
_ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")


def governing_word(before: str) -> str | None:
    """The article, determiner or preposition a noun after `before` agrees with, past up to three declined
    adjectives (`einer weiteren aztekischen |`): lower-case words with an adjective's ending, and superlatives
    (`die am stärksten betroffenen |`: `am` is no article there). None where the word before is something else
    (a verb, a noun, nothing)."""
    words = _WORDS.findall(_CLAUSE_END.split(before[-160:])[-1])  # `… sein, Verträge`: not `sein Vertrag`
    adjectives = 0
    for i in range(len(words) - 1, -1, -1):
        folded = words[i].casefold()
        if folded == "am" and i + 1 < len(words) and words[i + 1].endswith("sten"):
            continue
        if folded in ARTICLES or folded in PREPOSITIONS:
            return folded
        adjectives += 1
        if adjectives > 3 or not (
            words[i].islower() and words[i].isalpha() and folded.endswith(_ADJECTIVE_ENDINGS)
        ):
            return None
    return None


def allowed_cells(before: str, gender: str) -> frozenset[int] | None:
    """The cells (indexes into `CELLS`) a noun of `gender` may take after the text `before`; None where the
    words before it say nothing (a verb, a noun, the sentence's start)."""
    word = governing_word(before)
    if word in ARTICLES:
        return frozenset(cell for g, cell in ARTICLES[word] if g == gender)
    if word in PREPOSITIONS:  # a bare noun after a preposition: the case it governs, either number
        return frozenset(c + n for c in PREPOSITIONS[word] for n in (0, _PL))
    return None


assert len(CELLS) == 2 * _PL
