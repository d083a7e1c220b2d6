"""Word alignment learned from the segments at hand, to put a lost tag around the words that translate what
it enclosed in the source.

A tag pair the MT lost (`Click <b>Save</b> now.` → `Klicken Sie jetzt auf Speichern.`) belongs around the
target words that render its source words. No kept library fits: eflomal is GPL-3 (this project is
Apache-2.0), SimAlign and awesome-align need a multilingual BERT from a model hub. So this is IBM Model 1
(Brown et al. 1993), trained both ways by EM on the sentence pairs of the job itself (a file's or a batch's
sources and MT): a few thousand pairs of one domain give reliable translations of the
words that repeat (`four`/`vier`, `data`/`Daten`), which are the ones tags mark. A link counts when both
directions agree (the geometric mean of p(f|e) and p(e|f)), which keeps function words (`des`, `the`) out.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "Lexicon",
    "Projection",
    "keyed_whole",
    "learn_lexicon",
    "project",
    "rendering",
    "renders_elsewhere",
    "renders_every_word",
    "surely_renders",
    "word_key",
    "words",
]

# `l’accord` is two words, and so is `BIP-Wachstum`: a tag may mark one part of a hyphenated compound
# (`BIP-<g>Wachstum</g>` for "GDP <g>growth</g>"; measured: 8 more of the EUR-Lex pairs placed than as one word).
WORD = re.compile(r"[^\W_]+")
NULL = ""  # the empty word: a target word may translate nothing in the source
LINK_FLOOR = 0.05  # below it a target word is taken as aligned to nothing
SURE_LINK = 0.4  # a projection is sure when its weakest link reaches this and nothing intrudes


def words(text: str) -> list[re.Match[str]]:
    """The words of a text (`word_key` gives what the lexicon knows them by); punctuation is no word."""
    return list(WORD.finditer(text))


STEM = 6  # measured on the EUR-Lex sets: 5 and 7 place fewer tags, whole words 0.7 points fewer


def keyed_whole(word: str) -> bool:
    """Does the key stand for this word alone? Not for a word much longer than its key (`negyed|évében`
    shares `negyedik`'s, `kutatás-fejlesztési` is two): a place found through it is no proof."""
    return len(word) <= STEM + 4


def word_key(word: str) -> str:
    """What the lexicon knows a word by: its first letters, casefolded, so that the forms of a word share
    their counts (`Verdächtiger`, `Verdächtigen`; `witness`, `witnesses`), which a few thousand pairs need."""
    return word.casefold() if word[:1].isdigit() else word.casefold()[:STEM]


@dataclass(frozen=True)
class Lexicon:
    """Translation probabilities both ways: `forward[e][f]` = p(f|e), `backward[f][e]` = p(e|f)."""

    forward: dict[str, dict[str, float]]
    backward: dict[str, dict[str, float]]
    pairs: int = 0  # how many sentence pairs it was learned from
    digest: str = ""  # what it was learned from: a result placed by another job's alignment is not this one's
    seen: dict[str, int] = field(default_factory=dict)  # in how many pairs each source word (key) occurs

    def link(self, e: str, f: str) -> float:
        """How surely source word `e` and target word `f` translate each other (0..1), in any case and form
        (`word_key`). A number is its own translation, however its digits are grouped."""
        if e[:1].isdigit() and re.sub(r"\D", "", e) == re.sub(r"\D", "", f):
            return 1.0
        e, f = word_key(e), word_key(f)
        return math.sqrt(self.forward.get(e, {}).get(f, 0.0) * self.backward.get(f, {}).get(e, 0.0))


def _model1(pairs: Sequence[tuple[list[str], list[str]]], iterations: int) -> dict[str, dict[str, float]]:
    """p(f|e) by EM, with a NULL source word; uniform start over the co-occurring words."""
    t: dict[str, dict[str, float]] = defaultdict(dict)
    for es, fs in pairs:
        for e in [*es, NULL]:
            row = t[e]
            for f in fs:
                row[f] = 1.0
    for _ in range(iterations):
        counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for es, fs in pairs:
            rows = [t[e] for e in [*es, NULL]]
            cols = [counts[e] for e in [*es, NULL]]
            for f in fs:
                weights = [row[f] for row in rows]
                z = sum(weights)
                for col, w in zip(cols, weights, strict=True):
                    col[f] += w / z
        t = defaultdict(dict)
        for e, col in counts.items():
            total = sum(col.values())
            t[e] = {f: c / total for f, c in col.items()}
    return dict(t)


def learn_lexicon(pairs: Iterable[tuple[str, str]], iterations: int = 10) -> Lexicon:
    """A lexicon from (source, target) sentence pairs, markup already removed from both."""
    tokenised = [
        ([word_key(w.group()) for w in words(s)], [word_key(w.group()) for w in words(t)]) for s, t in pairs
    ]
    tokenised = [(s, t) for s, t in tokenised if s and t]
    digest = hashlib.sha256(json.dumps([tokenised, iterations], ensure_ascii=False).encode()).hexdigest()
    seen: dict[str, int] = defaultdict(int)
    for source, _ in tokenised:
        for e in set(source):
            seen[e] += 1
    return Lexicon(
        forward=_model1(tokenised, iterations),
        backward=_model1([(t, s) for s, t in tokenised], iterations),
        pairs=len(tokenised),
        digest=digest,
        seen=dict(seen),
    )


@dataclass(frozen=True)
class Projection:
    """The target words (first..last, indices into the target's words) that render the enclosed source
    words; `sure` when the links are strong and no word in between renders a source word outside."""

    first: int
    last: int
    sure: bool


Best = tuple[int | None, float]  # a target word's best-linked source word (None: no link) and the link
Links = list[list[float]]  # links[i][j]: how surely source word i and target word j translate each other


def _best_source(links: Links, j: int) -> Best:
    best = max(range(len(links)), key=lambda i: links[i][j], default=None)
    if best is None or links[best][j] < LINK_FLOOR:
        return None, 0.0
    return best, links[best][j]


COMPETE_FLOOR = 0.01


def _competitive(links: Links, n_target: int, source: Sequence[str], target: Sequence[str]) -> list[Best]:
    """Per target word its source word, by competitive linking (Melamed 2000): the strongest links first,
    one to one, so a word the job saw once is left to the one word nothing else explains (`witnesses` ->
    `témoins` when `evident` and `inferred` took their own); then each word still free takes its best link.
    A word written twice links equally from both places: the occurrence nearer the diagonal goes first
    (`the management` -> `die Verwaltung`, not `the procedures`)."""
    first_e = {e: i for i, e in reversed(list(enumerate(source)))}
    first_f = {f: j for j, f in reversed(list(enumerate(target)))}

    def rank(score: float, i: int, j: int) -> tuple[float, int, int, float]:
        return score, first_e[source[i]], first_f[target[j]], -abs(i / len(source) - j / n_target)

    ranked = sorted(
        ((rank(score, i, j), i, j) for i, row in enumerate(links) for j, score in enumerate(row)),
        reverse=True,
    )
    best: list[Best] = [(None, 0.0)] * n_target
    used: set[int] = set()
    for (score, *_), i, j in ranked:
        if score < COMPETE_FLOOR:
            break
        if i not in used and best[j][0] is None:
            best[j] = (i, score)
            used.add(i)
    return [b if b[0] is not None else _best_source(links, j) for j, b in enumerate(best)]


def project(
    lexicon: Lexicon, source: Sequence[str], inside: range, target: Sequence[str]
) -> Projection | None:
    """Which target words render `source[inside]` (all words casefolded), or None when no target word does."""
    links = [[lexicon.link(e, f) for f in target] for e in source]  # once: every step below reads it
    best = _competitive(links, len(target), source, target)
    hits = [j for j, (i, _) in enumerate(best) if i is not None and i in inside]
    if not hits:
        return _between_anchors(links, inside, target, best)
    first, last = hits[0], hits[-1]
    if inside.start == 0:  # nothing before the pair in the source: nothing before it in the target either
        first = 0
    if inside.stop == len(source):
        last = len(target) - 1
    outside = [j for j in range(first, last + 1) if best[j][0] is not None and best[j][0] not in inside]
    # A phrase is rendered in one piece: a weak link to a word outside, with the pair's words on both sides
    # (`valeur en douane`, the `en` taken by another `in`), is the aligner's slip, not a word outside.
    intruders = [j for j in outside if best[j][1] >= SURE_LINK or not hits[0] < j < hits[-1]]
    if outside and not intruders:
        return Projection(first, last, sure=False)
    if intruders:  # the strongest run of inside words between intruders: a guess, not sure
        runs: list[list[int]] = [[]]
        for j in range(first, last + 1):
            if j in intruders:
                runs.append([])
            elif j in hits:
                runs[-1].append(j)
        run = max((r for r in runs if r), key=lambda r: sum(best[j][1] for j in r))
        return Projection(run[0], run[-1], sure=False)
    weakest = min(best[j][1] for j in range(first, last + 1))
    covered = all(  # every enclosed source word is rendered inside the span
        any(links[i][j] >= LINK_FLOOR for j in range(first, last + 1)) for i in inside
    )
    return Projection(first, last, sure=weakest >= SURE_LINK and covered)


def _anchor(links: Links, i: int, best: list[Best]) -> int | None:
    """The target word that source word `i` surely translates, and that translates nothing else better."""
    row = links[i]
    j = max(range(len(row)), key=row.__getitem__, default=None)
    return j if j is not None and row[j] >= SURE_LINK and best[j][0] == i else None


def _between_anchors(
    links: Links, inside: range, target: Sequence[str], best: list[Best]
) -> Projection | None:
    """For enclosed words the job never taught (`witnesses`, `accrued`): the words between the target words
    of the nearest surely translated source words on either side, if exactly as many (or exactly one
    unlinked word for one enclosed word). A guess from the neighbours, so never sure."""
    left = next(
        (j for i in range(inside.start - 1, -1, -1) if (j := _anchor(links, i, best)) is not None),
        -1,
    )
    right = next(
        (j for i in range(inside.stop, len(links)) if (j := _anchor(links, i, best)) is not None),
        len(target),
    )
    gap = range(left + 1, right)
    if not gap or right <= left:
        return None
    if len(gap) == len(inside):
        return Projection(gap.start, gap.stop - 1, sure=False)
    free = [j for j in gap if best[j][0] is None and len(target[j]) >= 4]
    if len(inside) == 1 and len(free) == 1:
        return Projection(free[0], free[0], sure=False)
    return None


MIN_SEEN = 3  # a word the job holds once or twice gets whatever links EM leaves over: no proof of anything


def surely_renders(
    lexicon: Lexicon, phrase: Sequence[str], source: Sequence[str], target: Sequence[str], f: str
) -> bool:
    """Does target word `f` render a word of `phrase` (part of the sentence pair `source`/`target`) by the
    job's alignment: a sure link to a phrase word the job holds often enough, which is the best `f` has to any
    source word and the best that phrase word has to any target word of the pair, and that word is what `f`
    most often renders in the whole job (a word standing beside a term the MT always drops, `уровень` in
    `уровень [смертности]` for "mortality", renders "rate" elsewhere)?"""
    job_best = _likeliest_source(lexicon, f)
    for e in phrase:
        if lexicon.seen.get(word_key(e), 0) < MIN_SEEN or lexicon.link(e, f) < SURE_LINK:
            continue
        if job_best != word_key(e):
            continue
        best_e = max(source, key=lambda x: lexicon.link(x, f), default=e)
        best_f = max(target, key=lambda y: lexicon.link(e, y), default=f)
        if word_key(best_e) == word_key(e) and word_key(best_f) == word_key(f):
            return True
    return False


def renders_every_word(
    lexicon: Lexicon, phrase: Sequence[str], source: Sequence[str], target: Sequence[str], run: Sequence[str]
) -> bool:
    """Is every word of `phrase` rendered by some word of `run`, as `surely_renders` says (`уровень` renders
    "rate", not "death rate")?"""
    return all(any(surely_renders(lexicon, [e], source, target, f) for f in run) for e in phrase)


def renders_elsewhere(
    lexicon: Lexicon, phrase: Sequence[str], source: Sequence[str], target: Sequence[str], f: str
) -> bool:
    """Does target word `f` surely render a source word outside `phrase` (`провинции` renders "province"),
    as `surely_renders` says? Then it is no place for the phrase's term."""
    inside = {word_key(e) for e in phrase}
    return surely_renders(
        lexicon, [e for e in dict.fromkeys(source) if word_key(e) not in inside], source, target, f
    )


def _likeliest_source(lexicon: Lexicon, f: str) -> str | None:
    """The source word (key) that target word `f` renders most often in the job, the empty word aside."""
    row = {e: p for e, p in lexicon.backward.get(word_key(f), {}).items() if e != NULL}
    return max(row, key=row.__getitem__, default=None)


def rendering(lexicon: Lexicon, phrase: str, source: str, target: str) -> tuple[int, int] | None:
    """The one run of `target` words that renders `phrase` (a part of `source`) by the job's alignment: how
    this MT renders a term throughout the job (`факторы` for "symptoms"), as a character span. Every word of
    the run and of the phrase linked as `surely_renders` says; else None (`artérielle` alone is no rendering of
    "blood pressure")."""
    wanted = [w.group() for w in words(phrase)]
    src = [w.group() for w in words(source)]
    found = words(target)
    tgt = [f.group() for f in found]
    linked = [i for i, f in enumerate(tgt) if surely_renders(lexicon, wanted, src, tgt, f)]
    if not linked or linked[-1] - linked[0] + 1 != len(linked):
        return None
    run = tgt[linked[0] : linked[-1] + 1]
    if not renders_every_word(lexicon, wanted, src, tgt, run):
        return None
    return found[linked[0]].start(), found[linked[-1]].end()
