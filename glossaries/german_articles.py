"""What the word before a German noun asks of its form: the case, number and gender an article agrees in,
the case a preposition governs.

`zwischen den Faktoren` is dative plural, so a term put there is `Verträgen`, not `Verträge`; `des Vertrag`
contradicts its article. Only the word right before the noun is read, and only the words below: an
adjective between them, or any other word, claims nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from glossaries.german_nouns import CELLS

__all__ = ["CLOSED_CLASS", "Agreed", "agree_before", "agreed_by_case", "allowed_cells", "governing_word"]

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
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s)[\s\"„“«»(]*$")  # nothing but a sentence's end before
_CLAUSE_END = re.compile(r"[,;:.!?()\[\]\"„“”«»–]")
_ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")


@dataclass(frozen=True)
class _Governing:
    """The word a noun agrees with, the declined adjectives between them, and the word before it."""

    word: re.Match[str]
    adjectives: list[re.Match[str]]
    previous: re.Match[str] | None


def _governing(before: str) -> _Governing | None:
    tail = _CLAUSE_END.split(before[-160:])[-1]  # `… sein, Verträge`: not `sein Vertrag`
    words = list(_WORDS.finditer(before, len(before) - len(tail)))
    for i in range(len(words) - 1, -1, -1):
        folded = words[i].group().casefold()
        if folded == "am" and i + 1 < len(words) and words[i + 1].group().endswith("sten"):
            continue
        if folded in ARTICLES or folded in PREPOSITIONS:
            return _Governing(words[i], words[i + 1 :], words[i - 1] if i else None)
        w = words[i].group()
        if len(words) - i > 3 or not (w.islower() and w.isalpha() and folded.endswith(_ADJECTIVE_ENDINGS)):
            return None
    return None


def governing_word(before: str) -> str | None:
    """The article, determiner or preposition a noun after `before` agrees with, past up to three declined
    adjectives (`einer weiteren aztekischen |`): lower-case words with an adjective's ending, and superlatives
    (`die am stärksten betroffenen |`: `am` is no article there). None where the word before is something else
    (a verb, a noun, nothing)."""
    found = _governing(before)
    return found.word.group().casefold() if found else None


def _governed_by(before: str, previous: re.Match[str] | None) -> frozenset[int] | None:
    """The cases the word before an article leaves it: a preposition's (`mit der` is dative); after a noun
    (`die Dauer einer`) the genitive that joins them."""
    if previous is None:
        return None
    word = previous.group()
    if word.casefold() in PREPOSITIONS:
        return PREPOSITIONS[word.casefold()]
    if word[:1].isupper() and word.casefold() not in CLOSED_CLASS and before[: previous.start()].strip():
        return frozenset({_GEN})
    return None


def allowed_cells(before: str, gender: str) -> frozenset[int] | None:
    """The cells (indexes into `CELLS`) a noun of `gender` may take after the text `before`; None where the
    words before it say nothing (a verb, a noun, the sentence's start). The word before an article narrows
    it further (`mit der` is dative, `die Dauer der` genitive)."""
    found = _governing(before)
    word = found.word.group().casefold() if found else None
    if found and word in ARTICLES:
        cells = frozenset(cell for g, cell in ARTICLES[word] if g == gender)
        governed = _governed_by(before, found.previous)
        narrowed = frozenset(c for c in cells if c % _PL in governed) if governed else cells
        return narrowed or cells
    if word in PREPOSITIONS:  # a bare noun after a preposition: the case it governs, either number
        return frozenset(c + n for c in PREPOSITIONS[word] for n in (0, _PL))
    return None


_Forms = dict[str, tuple[str, str, str, str]]  # by gender, the four singular cases

# Adjective endings after a der-word (weak) and after an ein-word (mixed), by gender and case (singular).
_WEAK: _Forms = {"m": ("e", "en", "en", "en"), "f": ("e", "en", "en", "e"), "n": ("e", "en", "en", "e")}
_MIXED: _Forms = {"m": ("er", "en", "en", "en"), "f": ("e", "en", "en", "e"), "n": ("es", "en", "en", "es")}
_DEFINITE = ("der", "die", "das", "des", "dem", "den")
# Preposition + dem / der, by the gender of the noun after it.
_CONTRACTED = {"im": "in", "am": "an", "zum": "zu", "beim": "bei", "vom": "von", "zur": "zu"}
_CONTRACTIONS = {("zu", "dem"): "zum", ("zu", "der"): "zur", ("in", "dem"): "im", ("an", "dem"): "am"}
_CONTRACTIONS |= {("bei", "dem"): "beim", ("von", "dem"): "vom"}


def _agreeing(forms: Iterable[str], gender: str, case: int) -> str | None:
    """The one of `forms` that `ARTICLES` says agrees with a singular noun of `gender` in `case`."""
    return next((f for f in forms if (gender, case) in ARTICLES.get(f, ())), None)


def _declined(word: str, gender: str, case: int) -> tuple[str, _Forms] | None:
    """The determiner `word` for a noun of `gender` in `case`, and the adjective endings after it."""
    if word in _CONTRACTED:
        article = _agreeing(_DEFINITE, gender, case) or ""
        return _CONTRACTIONS.get((_CONTRACTED[word], article), f"{_CONTRACTED[word]} {article}"), _WEAK
    if word in _DEFINITE:
        return _agreeing(_DEFINITE, gender, case) or word, _WEAK
    for stems, endings, adjectives in (
        ((*_EIN_WORDS, "ein"), _EIN_ENDINGS, _MIXED),
        (_DER_WORDS, {**_DER_ENDINGS, "es": ""}, _WEAK),
    ):
        for stem in stems:
            if word.startswith(stem) and word[len(stem) :] in endings:
                found = _agreeing((stem + e for e in endings), gender, case)
                return (found, adjectives) if found else None
    return None


def _adjective(word: str, ending: str) -> str:
    stem = next(word[: -len(e)] for e in ("en", "er", "es", "em", "e") if word.endswith(e))
    return stem + ending


@dataclass(frozen=True)
class Agreed:
    """The words before a noun from `start` on, declined for a noun of another gender (`der Verbindung` ->
    `dem Vertrag`: `text` is `dem `); `sure` is False where the case is a guess from word order."""

    start: int
    text: str
    sure: bool = True


def agree_before(before: str, cells: frozenset[int], gender: str) -> Agreed | None:
    """The article and the declined adjectives before a noun, put in `gender` in the case of `cells` (the
    singular cells the replaced noun fills there); None where the cases those cells allow ask for different
    words (`die Verbindung`: `der` or `den Vertrag`?) or the words are not all ones whose forms are known."""
    found = _by_case(before, cells, gender)
    if found is None:
        return None
    start, agreed = found
    texts = set(agreed.values())
    if len(texts) == 1:
        text = texts.pop()
        return None if text is None else Agreed(start, text)
    if _NOM in cells and _SENTENCE_START.search(before[:start]):
        # `Die Vereinbarung trägt …` -> `Der Vertrag trägt …`: the first words of a German sentence are
        # its subject in most prose, but an object can stand there too: a guess, flagged as one
        text = agreed[_NOM]
        return None if text is None else Agreed(start, text, sure=False)
    return None


def agreed_by_case(before: str, cells: frozenset[int], gender: str) -> tuple[int, dict[int, str]] | None:
    """Where the article before a noun starts, and the article and adjectives declined for a noun of
    `gender` in each case of `cells` (`die Frage`, nominative or accusative: `der ` or `den ` for a
    masculine): the forms a choice is made among where the words around cannot tell. None where any of them
    cannot be declined."""
    found = _by_case(before, cells, gender)
    if found is None or None in found[1].values():
        return None
    return found[0], {case: text for case, text in found[1].items() if text is not None}


def _by_case(before: str, cells: frozenset[int], gender: str) -> tuple[int, dict[int, str | None]] | None:
    found = _governing(before)
    if found is None or not cells or any(c >= _PL for c in cells):
        return None
    if any(a.group() == "am" for a in found.adjectives) or found.word.group().casefold() not in ARTICLES:
        return None
    return found.word.start(), {case: _declined_phrase(before, found, gender, case) for case in cells}


def _declined_phrase(before: str, found: _Governing, gender: str, case: int) -> str | None:
    word = found.word.group()
    declined = _declined(word.casefold(), gender, case)
    if declined is None:
        return None
    article, endings = declined
    out = [article[:1].upper() + article[1:] if word[:1].isupper() else article]
    at = found.word.end()
    for adjective in found.adjectives:
        out += [before[at : adjective.start()], _adjective(adjective.group(), endings[gender][case])]
        at = adjective.end()
    return "".join(out) + before[at:]


assert len(CELLS) == 2 * _PL
