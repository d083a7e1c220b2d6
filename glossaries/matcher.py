"""The term matcher: which entries occur in a source segment, and how the target renders them.

The index is a trie over token keys (case-folded surface and lemma), built once per termbase, so a
segment costs one trie walk per word whatever the termbase size. A term token matches a text token
when their key sets meet: `settings`~`setting`, `Einstellungen`~`Einstellung`, while `cat` never
matches inside `category` because words are whole tokens. Unspaced scripts (zh, ja...) are matched on
characters instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from glossaries.model import Entry, Term, Termbase, TermStatus
from glossaries.morphology import Formation, morphology
from glossaries.text import WORD, is_unspaced, joined, lemmas

__all__ = ["TermMatch", "TermMatcher"]

_TOKEN_CACHE_SIZE = 64
_MAX_ENDING = 4  # longest ending that may be added on the target side (-s, -es, -en, -er, -ern...)
# Plurals that replace the ending instead of adding one (English, French).
_PLURALS = (("y", "ies"), ("f", "ves"), ("fe", "ves"), ("al", "aux"), ("ail", "aux"))


@dataclass(frozen=True)
class TermMatch:
    """One occurrence of an entry's source term in a source segment."""

    entry: Entry
    term: Term  # the source term that matched
    start: int  # char offsets in the source text
    end: int
    text: str  # matched surface text


class _Word(NamedTuple):  # a tuple: every check builds one per word, and tuples are cheapest to make
    text: str
    start: int
    end: int
    keys: tuple[str, ...]  # case-folded surface, then its lemmas where they differ
    joined_prev: bool  # only spaces/hyphens/apostrophes separate it from the previous word


@dataclass(frozen=True, slots=True)
class _Shape:
    """A term cut into token keys (spaced scripts) or a folded string (unspaced scripts)."""

    keys: tuple[frozenset[str], ...]
    surfaces: tuple[str, ...]
    folds: tuple[str, ...]  # case-folded surface of each token
    folded: str
    case_sensitive: bool
    text: str


@dataclass(frozen=True, slots=True, eq=False)
class _Pattern:
    entry: Entry
    term: Term
    shape: _Shape
    order: int  # definition order breaks ties between equally long matches


_Indexed = tuple[list[_Word], dict[str, list[int]]]  # a target's words, and the positions of each key


class _Node:
    __slots__ = ("children", "ends")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.ends: list[_Pattern] | None = None


def _fold(text: str) -> str:
    """Lowercase without changing the length, so offsets in the folded text are offsets in the original."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


@lru_cache(maxsize=64)
def _keys_of(lang: str) -> Callable[[str], tuple[str, ...]]:
    """The token keys of a surface word in `lang`, memoised: a service sees the same words again and again."""
    lemmas_of = morphology(lang).lemmas

    @lru_cache(maxsize=200_000)
    def keys(surface: str) -> tuple[str, ...]:
        low = surface.casefold()
        found = lemmas_of(surface)
        return (low,) if found == (low,) else (low, *(lem for lem in found if lem != low))

    return keys


def _words(text: str, lang: str) -> list[_Word]:
    # The hot loop of every match and check: the key function is looked up once, not per word.
    keys_of = _keys_of(lang)
    words: list[_Word] = []
    prev_end = -1
    for m in WORD.finditer(text):
        surface = m.group()
        start, end = m.span()
        keys = keys_of(surface)
        glued = prev_end >= 0 and (
            (start - prev_end == 1 and text[prev_end] == " ") or joined(text, prev_end, start)
        )
        words.append(_Word(surface, start, end, keys, glued))
        prev_end = end
    return words


def _shape(text: str, lang: str, case_sensitive: bool) -> _Shape:
    words = [] if is_unspaced(lang) else _words(text, lang)
    return _Shape(
        keys=tuple(frozenset(w.keys) for w in words),
        surfaces=tuple(w.text for w in words),
        folds=tuple(w.keys[0] for w in words),
        folded=_fold(text.strip()),
        case_sensitive=case_sensitive,
        text=text.strip(),
    )


def _case_ok(surface: str, term_surface: str) -> bool:
    """A case-sensitive term token accepts its exact form or an inflection that keeps its letters' case."""
    return surface == term_surface or surface.startswith(term_surface) or term_surface.startswith(surface)


def _rendering_ok(word: _Word, fold: str, keys: frozenset[str]) -> bool:
    """Strict target-side word match: the same word, or the same lemma in another grammatical number.

    Plural endings count (`Einstellung`~`Einstellungen`, `maladie`~`maladies`, `category`~`categories`,
    `international`~`internationaux`); stem-changing agreement or conjugation (`infectieux`~`infectieuses`,
    `toucher`~`touchent`) does not, so a required term that drifted is flagged for review rather than
    silently accepted. Measured on WMT21 en-fr: see bench/bench_term_check.py.
    """
    surface = word.keys[0]
    if surface == fold:
        return True
    if keys.isdisjoint(word.keys):
        return False
    short, long_ = sorted((surface, fold), key=len)
    if long_.startswith(short):
        return len(long_) - len(short) <= _MAX_ENDING
    return any(
        short.endswith(sing) and long_ == short[: len(short) - len(sing)] + plur for sing, plur in _PLURALS
    )


def _same_lemma(word: _Word, keys: frozenset[str]) -> bool:
    """Loose target-side word match: the same word or the same lemma, in any inflection."""
    return not keys.isdisjoint(word.keys)


def _alnum_edge(c: str) -> bool:
    return c.isascii() and c.isalnum()


class TermMatcher:
    """Index a termbase once; then find its entries in source segments and check target renderings."""

    def __init__(self, termbase: Termbase) -> None:
        self.termbase = termbase
        self.source_lang = termbase.source_lang
        self.target_lang = termbase.target_lang
        self._src_unspaced = is_unspaced(self.source_lang)
        self._tgt_unspaced = is_unspaced(self.target_lang)
        self._root = _Node()
        self._by_char: dict[str, list[_Pattern]] = {}
        self._shapes: dict[tuple[str, bool], _Shape] = {}
        self._tokens: dict[str, _Indexed] = {}
        self._verbatim: dict[str, re.Pattern[str]] = {}
        self._morph = morphology(self.target_lang)
        lemmas("x", self.target_lang)  # load the target lemmatizer now, not on the first check
        order = 0
        for entry in termbase.entries:
            for term in entry.source:
                if not term.text.strip():
                    continue
                shape = _shape(term.text, self.source_lang, term.case_sensitive)
                pattern = _Pattern(entry, term, shape, order)
                order += 1
                if self._src_unspaced:
                    self._by_char.setdefault(shape.folded[0], []).append(pattern)
                elif shape.keys:
                    self._insert(pattern)
            for term in entry.target:  # the target side's keys too, so a check pays for no term's lemmas
                if term.text.strip():
                    self._target_shape(term)
        for bucket in self._by_char.values():
            bucket.sort(key=lambda p: (-len(p.shape.folded), p.order))

    def _insert(self, pattern: _Pattern) -> None:
        nodes = [self._root]
        for keys in pattern.shape.keys:
            nxt: list[_Node] = []
            for node in nodes:
                for key in keys:
                    child = node.children.get(key)
                    if child is None:
                        child = node.children[key] = _Node()
                    nxt.append(child)
            nodes = nxt
        for node in nodes:
            if node.ends is None:
                node.ends = []
            node.ends.append(pattern)

    # ---- source side ---------------------------------------------------------------------------------

    def match_source(self, text: str) -> list[TermMatch]:
        """Entries whose source term occurs in `text`: non-overlapping, longest first, sorted by start."""
        found = self._unspaced_candidates(text) if self._src_unspaced else self._spaced_candidates(text)
        found.sort(key=lambda c: (c[0] - c[1], c[0], c[2].order))
        chosen: list[tuple[int, int, _Pattern]] = []
        for start, end, pattern in found:
            if all(end <= s or start >= e for s, e, _ in chosen):
                chosen.append((start, end, pattern))
        chosen.sort(key=lambda c: c[0])
        return [TermMatch(p.entry, p.term, s, e, text[s:e]) for s, e, p in chosen]

    def _spaced_candidates(self, text: str) -> list[tuple[int, int, _Pattern]]:
        words = _words(text, self.source_lang)
        found: list[tuple[int, int, _Pattern]] = []
        for i in range(len(words)):
            frontier = [self._root]
            j = i
            while frontier and j < len(words):
                word = words[j]
                if j > i and not word.joined_prev:
                    break
                nxt: list[_Node] = []
                for node in frontier:
                    for key in word.keys:
                        child = node.children.get(key)
                        if child is None:
                            continue
                        nxt.append(child)
                        for pattern in child.ends or ():
                            if self._case_fits(pattern.shape, words, i):
                                found.append((words[i].start, word.end, pattern))
                frontier = nxt
                j += 1
        return list(dict.fromkeys(found))  # a pattern reached by two key paths counts once

    @staticmethod
    def _case_fits(shape: _Shape, words: list[_Word], i: int) -> bool:
        if not shape.case_sensitive:
            return True
        return all(_case_ok(words[i + k].text, s) for k, s in enumerate(shape.surfaces))

    def _unspaced_candidates(self, text: str) -> list[tuple[int, int, _Pattern]]:
        folded = _fold(text)
        found: list[tuple[int, int, _Pattern]] = []
        for i, char in enumerate(folded):
            for pattern in self._by_char.get(char, ()):
                end = _substring_at(text, folded, pattern.shape, i)
                if end is not None:
                    found.append((i, end, pattern))
        return found

    # ---- target side ---------------------------------------------------------------------------------

    def find_target(self, entry: Entry, target: str) -> tuple[int, int] | None:
        """Span of an allowed rendering of `entry` in `target` (any variant, any inflection), or None.

        A do-not-translate entry is rendered only by its source form, verbatim and case-sensitive.
        """
        if entry.is_dnt:
            spans = [s for form in self._dnt_forms(entry) for s in self._verbatim_spans(form, target)]
            return min(spans) if spans else None
        best: tuple[int, int] | None = None
        for term in entry.allowed_targets:
            spans = self._target_spans(term, target, first=True)
            if spans and (best is None or spans[0][0] < best[0]):
                best = spans[0]
        return best

    def find_inflected(self, entry: Entry, target: str) -> tuple[int, int] | None:
        """Span of a rendering that shares an allowed term's lemmas but not an accepted inflection, or None.

        `contagieuse` for `contagieux`, `touchent` for `toucher`: the term is there, agreeing with its
        sentence. The checks report it as `term-inflected` (for a linguist's look), not as missing, and
        lemma-aware term success counts it. Unspaced scripts have no inflection to find.
        """
        if entry.is_dnt or self._tgt_unspaced:
            return None
        best: tuple[int, int] | None = None
        for term in entry.allowed_targets:
            spans = self._target_spans(term, target, first=True, loose=True)
            if spans and (best is None or spans[0][0] < best[0]):
                best = spans[0]
        return best

    def find_split(self, entry: Entry, target: str) -> tuple[int, int] | None:
        """Span of a multi-word term's words, in any of their forms, with one word between two of them, or
        None: `новый вид коронавируса` for "новый коронавирус", `заболевание верхних дыхательных путей` for
        "заболевание дыхательных путей". The term is there, qualified; the checks report it as `term-split`
        for a linguist's look, not as missing."""
        if entry.is_dnt or self._tgt_unspaced:
            return None
        words, at = self._target_words(target)
        for term in entry.allowed_targets:
            keys = self._target_shape(term).keys
            for i in sorted({i for key in keys[0] for i in at.get(key, ())}) if len(keys) > 1 else ():
                for gap in range(1, len(keys)):  # the word after term word gap - 1 is the inserted one
                    run = words[i : i + len(keys) + 1]
                    kept = run[:gap] + run[gap + 1 :]
                    if (
                        len(kept) == len(keys)
                        and all(w.joined_prev for w in run[1:])
                        and all(_same_lemma(w, k) for w, k in zip(kept, keys, strict=True))
                    ):
                        return run[0].start, run[-1].end
        return None

    @property
    def verified_inflection(self) -> bool:
        """Does `find_inflected` answer from a morphological dictionary (True) or a shared lemma (False)?"""
        return self._morph.lexicon

    def find_built_on(self, entry: Entry, target: str) -> tuple[int, int, Formation] | None:
        """A target word built on an allowed one-word term, as a compound part or a derivation, or None.

        `Speicherressourcen` holds "Speicher", `Datenzugriffskontrolle` holds "Zugriffskontrolle",
        `коронавирусной` is built on "коронавирус": the term is used, as the language writes it. Only
        languages with a word-formation rule (see `glossaries.morphology`) say yes.
        """
        if entry.is_dnt or self._tgt_unspaced:
            return None
        terms = [t.text.strip() for t in entry.allowed_targets if len(t.text.split()) == 1]
        found = self._built_on(terms, target, first=True)
        return found[0] if found else None

    def _built_on(self, terms: list[str], target: str, *, first: bool) -> list[tuple[int, int, Formation]]:
        folded = target.casefold()
        terms = [t for t in terms if t[:3].casefold() in folded]  # a word built on a term holds its start
        if not terms:
            return []
        words, _ = self._target_words(target)
        spans: list[tuple[int, int, Formation]] = []
        for word in words:
            kind = next((k for term in terms if (k := self._morph.built_on(word.text, term))), None)
            if kind is not None:
                spans.append((word.start, word.end, kind))
                if first:
                    break
        return spans

    def find_forbidden(self, entry: Entry, target: str) -> list[tuple[int, int]]:
        """Spans of forbidden renderings of `entry` in `target` in any inflection or inside a compound,
        except inside an allowed rendering."""
        forbidden = entry.forbidden_targets
        if not forbidden:
            return []
        allowed = [
            s
            for t in entry.allowed_targets
            for s in self._target_spans(t, target, first=False, loose=not self._tgt_unspaced)
        ]
        found = {span for term in forbidden for span in self._target_spans(term, target, first=False)}
        if not self._tgt_unspaced:
            found |= {
                s for term in forbidden for s in self._target_spans(term, target, first=False, loose=True)
            }
            one_word = [t.text.strip() for t in forbidden if len(t.text.split()) == 1]
            found |= {
                (a, b) for a, b, kind in self._built_on(one_word, target, first=False) if kind == "compound"
            }
        spans = {span for span in found if not any(a[0] <= span[0] and span[1] <= a[1] for a in allowed)}
        return sorted(spans)

    def is_rendering(self, term: Term, text: str) -> bool:
        """Is `text` (a span the checks reported) a rendering of `term` itself, not a compound holding it?"""
        return bool(self._target_spans(term, text, first=True, loose=not self._tgt_unspaced))

    @staticmethod
    def _dnt_forms(entry: Entry) -> list[str]:
        forms = [t.text for t in entry.source] + [t.text for t in entry.target if t.status is TermStatus.DNT]
        return [f.strip() for f in dict.fromkeys(forms) if f.strip()]

    def _verbatim_spans(self, form: str, target: str) -> list[tuple[int, int]]:
        regex = self._verbatim.get(form)
        if regex is None:
            head = "" if self._tgt_unspaced or not form[0].isalnum() else r"(?<!\w)"
            tail = "" if self._tgt_unspaced or not form[-1].isalnum() else r"(?!\w)"
            if self._tgt_unspaced:  # Latin words inside CJK text still need their own edges
                head = r"(?<![A-Za-z0-9])" if _alnum_edge(form[0]) else ""
                tail = r"(?![A-Za-z0-9])" if _alnum_edge(form[-1]) else ""
            regex = self._verbatim[form] = re.compile(head + re.escape(form) + tail)
        return [m.span() for m in regex.finditer(target)]

    def _target_shape(self, term: Term) -> _Shape:
        key = (term.text, term.case_sensitive)
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = _shape(term.text, self.target_lang, term.case_sensitive)
        return shape

    def _target_words(self, target: str) -> _Indexed:
        """The target's words and where each key occurs; cached, since every match asks about one target."""
        indexed = self._tokens.get(target)
        if indexed is None:
            if len(self._tokens) >= _TOKEN_CACHE_SIZE:
                self._tokens.clear()
            words = _words(target, self.target_lang)
            at: dict[str, list[int]] = {}
            for i, word in enumerate(words):
                for key in word.keys:
                    at.setdefault(key, []).append(i)
            indexed = self._tokens[target] = (words, at)
        return indexed

    def _target_spans(
        self, term: Term, target: str, *, first: bool, loose: bool = False
    ) -> list[tuple[int, int]]:
        shape = self._target_shape(term)
        spans: list[tuple[int, int]] = []
        if self._tgt_unspaced:
            if not shape.folded:
                return spans
            folded = _fold(target)
            start = folded.find(shape.folded)
            while start >= 0:
                end = _substring_at(target, folded, shape, start)
                if end is not None:
                    spans.append((start, end))
                    if first:
                        break
                start = folded.find(shape.folded, start + 1)
            return spans
        words, at = self._target_words(target)
        n = len(shape.keys)
        if n == 0:
            return spans
        # A rendering's first word shares the term's surface or lemma: only those positions can start one.
        starts = sorted({i for key in shape.keys[0] for i in at.get(key, ())})
        for i in starts:
            if i + n > len(words):
                break
            if all(
                (k == 0 or words[i + k].joined_prev)
                and (
                    _same_lemma(words[i + k], shape.keys[k])
                    if loose
                    else _rendering_ok(words[i + k], shape.folds[k], shape.keys[k])
                )
                for k in range(n)
            ) and self._case_fits(shape, words, i):
                spans.append((words[i].start, words[i + n - 1].end))
                if first:
                    break
        return spans


def _substring_at(text: str, folded: str, shape: _Shape, i: int) -> int | None:
    """End of `shape` found at `i` in an unspaced-script text, or None (case and Latin word edges)."""
    needle = shape.folded
    if not needle or not folded.startswith(needle, i):
        return None
    end = i + len(needle)
    if shape.case_sensitive and text[i:end] != shape.text:
        return None
    if _alnum_edge(needle[0]) and i > 0 and _alnum_edge(text[i - 1]):
        return None
    if _alnum_edge(needle[-1]) and end < len(text) and _alnum_edge(text[end]):
        return None
    return end
