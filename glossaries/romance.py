"""French, Spanish, Italian and Portuguese: number and gender by suffix rules, every form checked against
simplemma's own dictionary, which maps each form it knows to its lemma (`infectieuses` -> `infectieux`).

No Romance morphology on PyPI both loads without a model download and tags forms: spaCy's lemmatisers need
its pipelines, pymorphy3 has no Romance dictionaries. A rule that makes a form the dictionary does not map
back to the lemma is dropped, so nothing is invented: where a word is unknown the answer is "cannot tell".

A paradigm is read per lemma: the lemma itself (masculine singular), its feminine where the dictionary
has one distinct from it (an adjective: `grippal`/`grippale`; a noun has none), and the plural of each.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal

from simplemma.strategies.dictionaries.dictionary_factory import DEFAULT_DICTIONARY_FACTORY

from glossaries.morphology import Morphology, _cased

__all__ = ["ROMANCE", "Romance"]

Gender = Literal["masc", "fem"] | None  # None: a noun, whose gender does not vary
Number = Literal["sing", "plur"]
Key = tuple[Gender, Number]
Rule = tuple[str, str]  # (old ending, new ending)

# From a singular to its plural, the regular rule last.
_PLURAL: dict[str, tuple[Rule, ...]] = {
    "fr": (("al", "aux"), ("ail", "aux"), ("eau", "eaux"), ("eu", "eux"), ("", "x"), ("", "s")),
    "es": (("z", "ces"), ("ón", "ones"), ("ín", "ines"), ("és", "eses"), ("", "es"), ("", "s")),
    "it": (("co", "chi"), ("go", "ghi"), ("ca", "che"), ("ga", "ghe"), ("io", "i"), ("o", "i"), ("a", "e")),
    "pt": (("ão", "ões"), ("ão", "ães"), ("l", "is"), ("m", "ns"), ("r", "res"), ("z", "zes"), ("", "s")),
}
_PLURAL["it"] += (("e", "i"),)
# Endings of words whose plural is the singular (`virus`, `toux`, `análisis`, `città`).
_INVARIABLE = {
    "fr": ("s", "x", "z"),
    "es": ("is", "us", "x"),
    "it": ("à", "è", "ì", "ò", "ù"),
    "pt": ("s", "x"),
}
# How an adverb made from an adjective ends (`particulièrement`, `especialmente`).
_ADVERB = {"fr": "ment", "es": "mente", "it": "mente", "pt": "mente"}
# From the masculine singular (the lemma) to the feminine singular.
_FEMININE: dict[str, tuple[Rule, ...]] = {
    "fr": (
        *(("eux", "euse"), ("if", "ive"), ("er", "ère"), ("el", "elle"), ("en", "enne"), ("on", "onne")),
        *(("et", "ète"), ("et", "ette"), ("c", "que"), ("eau", "elle"), ("", "e")),
    ),
    "es": (("o", "a"), ("or", "ora"), ("ón", "ona"), ("ín", "ina"), ("és", "esa")),
    "it": (("o", "a"), ("tore", "trice")),
    "pt": (("o", "a"), ("or", "ora"), ("ês", "esa"), ("ão", "ã"), ("ão", "ona")),
}
# Words that end the inflecting part of a multi-word term (`kit| de test`, `prueba| de detección`).
_FUNCTION = {
    "fr": frozenset(
        {"de", "du", "des", "à", "au", "aux", "en", "pour", "par", "sur", "avec", "sans", "contre"}
    ),
    "es": frozenset({"de", "del", "a", "al", "en", "para", "por", "con", "sin", "contra"}),
    "it": frozenset({"di", "del", "della", "dei", "delle", "a", "al", "in", "per", "con", "da", "su"}),
    "pt": frozenset({"de", "do", "da", "dos", "das", "em", "no", "na", "para", "por", "com", "sem"}),
}
ROMANCE = frozenset(_PLURAL)


def _applied(word: str, rule: Rule) -> str | None:
    old, new = rule
    return word[: len(word) - len(old)] + new if word.endswith(old) else None


class Romance(Morphology):
    """Number (and an adjective's gender) read from and put into words by rule, checked by dictionary."""

    inflects = True

    def __init__(self, lang: str) -> None:
        super().__init__(lang)
        self._dictionary: Any = None
        self._paradigm = lru_cache(maxsize=50_000)(self._compute_paradigm)

    def _dict(self) -> Any:
        if self._dictionary is None:
            self._dictionary = DEFAULT_DICTIONARY_FACTORY.get_dictionary(self.lang)
        return self._dictionary

    def is_adverb(self, word: str) -> bool | None:
        return word.casefold().endswith(_ADVERB[self.lang]) if self.lang in _ADVERB else None

    def _lemma_of(self, form: str) -> str | None:
        got = self._dict().get(form)
        return None if got is None else str(got).casefold()

    def _lemma(self, form: str) -> str | None:
        """The dictionary's lemma; for a word it lacks that ends like an invariable (`virus`, `toux`), the
        word itself: whatever it is, its plural is the same."""
        found = self._lemma_of(form)
        return form if found is None and form.endswith(_INVARIABLE[self.lang]) else found

    def _compute_paradigm(self, lemma: str) -> dict[Key, str]:
        """The forms of `lemma` by gender and number, each one the dictionary maps back to `lemma`."""

        def checked(form: str | None) -> bool:
            return form is not None and self._lemma_of(form) == lemma

        singular: dict[Gender, str] = {}
        feminine = next(
            (f for r in _FEMININE[self.lang] if (f := _applied(lemma, r)) != lemma and checked(f)), None
        )
        if feminine is None:
            singular[None] = lemma
        else:
            singular |= {"masc": lemma, "fem": feminine}
        out: dict[Key, str] = {}
        for gender, form in singular.items():
            out[(gender, "sing")] = form
            plural = self._plural(form, checked)
            if plural is not None:
                out[(gender, "plur")] = plural
        return out

    def _plural(self, form: str, checked: Callable[[str | None], bool]) -> str | None:
        """The plural the dictionary confirms; else the regular one if the dictionary knows the word at all
        (`trousses` is listed, as a form of the verb `trousser`)."""
        if form.endswith(_INVARIABLE[self.lang]):
            return form
        rules = _PLURAL[self.lang]
        found = next((p for r in rules if checked(p := _applied(form, r))), None)
        regular = _applied(form, rules[-1])
        if found is None and self.lang != "it" and regular and self._lemma_of(regular) is not None:
            return regular
        return found

    def _readings(self, word: str) -> tuple[Key, ...]:
        """What `word` can be (`grippales`: feminine plural), under each lemma it may have (`trousses`: the
        plural of `trousse`, which the dictionary files under `trousser`); empty when it is unknown."""
        form = word.casefold()
        lemmas = {lemma for lemma in (self._lemma(form),) if lemma is not None}
        for old, new in (*_PLURAL[self.lang], *_FEMININE[self.lang]):
            if (
                new
                and form.endswith(new)
                and self._lemma_of(base := form[: len(form) - len(new)] + old) == base
            ):
                lemmas.add(base)
        return tuple(
            dict.fromkeys(k for lemma in lemmas for k, f in self._paradigm(lemma).items() if f == form)
        )

    def _inflecting(self, words: list[str]) -> int:
        """How many words of a multi-word term inflect: those before its first function word."""
        stop = _FUNCTION[self.lang]
        return next(
            (i for i, w in enumerate(words) if w.casefold() in stop or w.endswith(("'", "’"))), len(words)
        )

    def _in_number(self, words: list[str], number: Number) -> str | None:
        """The term with each inflecting word in `number`, keeping its own gender."""
        out = list(words)
        for i in range(self._inflecting(words)):
            readings = self._readings(words[i])
            if not readings:
                return None
            gender = readings[0][0]
            lemma = self._lemma(words[i].casefold()) or words[i].casefold()
            form = self._paradigm(lemma).get((gender, number))
            if form is None:
                return None
            out[i] = form
        return " ".join(out)

    def forms(self, term: str) -> tuple[str, ...]:
        words = term.split()
        if len(words) == 1:
            lemma = self._lemma(term.casefold())
            paradigm = self._paradigm(lemma) if lemma else {}
            return tuple(dict.fromkeys([term, *paradigm.values()]))
        variants = [self._in_number(words, n) for n in ("sing", "plur")] if words else []
        return tuple(dict.fromkeys([term, *(v for v in variants if v)]))

    def inflect_like(self, term: str, replaced: str, before: str = "") -> str | None:
        """The term in the number of the replaced words' first word (Romance phrases open with their
        head: `tests| de dépistage`), and for a one-word adjective also in its gender. None where the
        replaced word is unknown, its readings ask for different forms, or it is another kind of word (an
        adjective such as `grippal` does not take the place of the noun `influenza`)."""
        words, old = term.split(), replaced.split()
        if not words or not old:
            return None
        readings = self._readings(old[0].strip('.,;:!?«»"()'))
        if not readings:
            return None
        forms = {self._like(words, reading) for reading in readings}
        if len(forms) != 1 or None in forms:
            return None
        form = forms.pop()
        return None if form is None else _cased(form, term, replaced)

    def _like(self, words: list[str], reading: Key) -> str | None:
        gender, number = reading
        if len(words) > 1:
            return self._in_number(words, number)
        lemma = self._lemma(words[0].casefold())
        if lemma is None:
            return None
        paradigm = self._paradigm(lemma)
        if (gender is None) != (None in {g for g, _ in paradigm}):
            return None  # an adjective for a noun, or a noun for an adjective
        return paradigm.get((gender, number))
