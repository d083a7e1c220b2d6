"""Word alignment learned from the segments at hand, to put a lost tag around the words that translate what
it enclosed in the source.

A tag pair the MT lost (`Click <b>Save</b> now.` → `Klicken Sie jetzt auf Speichern.`) belongs around the
target words that render its source words. No kept library fits: eflomal is GPL-3 (this project is
Apache-2.0), SimAlign and awesome-align need a multilingual BERT from a model hub. So this is IBM Model 1
(Brown et al. 1993), trained both ways by EM on the sentence pairs of the job itself (a file's sources and
MT, a translation memory's entries): a few thousand pairs of one domain give reliable translations of the
words that repeat (`four`/`vier`, `data`/`Daten`), which are the ones tags mark. A link counts when both
directions agree (the geometric mean of p(f|e) and p(e|f)), which keeps function words (`des`, `the`) out.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["Lexicon", "Projection", "learn_lexicon", "project", "words"]

# `l’accord` is two words, `EU-Unterstützung` one, `CO2` and `értékelése7` (a footnote) two.
WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
NULL = ""  # the empty word: a target word may translate nothing in the source
LINK_FLOOR = 0.05  # below it a target word is taken as aligned to nothing
SURE_LINK = 0.3  # a projection is sure when its strongest link reaches this and nothing intrudes


def words(text: str) -> list[re.Match[str]]:
    """The words of a text, casefolded by the caller; punctuation and symbols are not words."""
    return list(WORD.finditer(text))


@dataclass(frozen=True)
class Lexicon:
    """Translation probabilities both ways: `forward[e][f]` = p(f|e), `backward[f][e]` = p(e|f)."""

    forward: dict[str, dict[str, float]]
    backward: dict[str, dict[str, float]]
    pairs: int = 0  # how many sentence pairs it was learned from

    def link(self, e: str, f: str) -> float:
        """How surely source word `e` and target word `f` translate each other (0..1), casefolded. A word
        written the same on both sides (a number, a name, a code) is its own translation."""
        if e[:1].isdigit() and re.sub(r"\D", "", e) == re.sub(r"\D", "", f):
            return 1.0
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


def learn_lexicon(pairs: Iterable[tuple[str, str]], iterations: int = 5) -> Lexicon:
    """A lexicon from (source, target) sentence pairs, markup already removed from both."""
    tokenised = [
        ([w.group().casefold() for w in words(s)], [w.group().casefold() for w in words(t)]) for s, t in pairs
    ]
    tokenised = [(s, t) for s, t in tokenised if s and t]
    return Lexicon(
        forward=_model1(tokenised, iterations),
        backward=_model1([(t, s) for s, t in tokenised], iterations),
        pairs=len(tokenised),
    )


@dataclass(frozen=True)
class Projection:
    """The target words (first..last, indices into the target's words) that render the enclosed source
    words; `sure` when the links are strong and no word in between renders a source word outside."""

    first: int
    last: int
    sure: bool


def _best_source(lexicon: Lexicon, source: Sequence[str], f: str) -> tuple[int | None, float]:
    scores = [lexicon.link(e, f) for e in source]
    best = max(range(len(scores)), key=scores.__getitem__, default=None)
    if best is None or scores[best] < LINK_FLOOR:
        return None, 0.0
    return best, scores[best]


def project(
    lexicon: Lexicon, source: Sequence[str], inside: range, target: Sequence[str]
) -> Projection | None:
    """Which target words render `source[inside]` (all words casefolded), or None when no target word does."""
    best = [_best_source(lexicon, source, f) for f in target]
    hits = [j for j, (i, _) in enumerate(best) if i is not None and i in inside]
    if not hits:
        return None
    first, last = hits[0], hits[-1]
    if inside.start == 0:  # nothing before the pair in the source: nothing before it in the target either
        first = 0
    if inside.stop == len(source):
        last = len(target) - 1
    intruders = [j for j in range(first, last + 1) if best[j][0] is not None and best[j][0] not in inside]
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
        any(lexicon.link(source[i], target[j]) >= LINK_FLOOR for j in range(first, last + 1)) for i in inside
    )
    return Projection(first, last, sure=weakest >= SURE_LINK and covered)
