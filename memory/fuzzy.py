"""CAT-style fuzzy match scores: character edit distance on the text with its tags masked.

memoQ, Trados and OmegaT score a match by how much of the segment must change; tags count as one character
each, so a match that differs only in a tag scores just under 100 and is never taken for an exact match.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from agent.markup import find_markup

__all__ = ["TAG", "exact_key", "masked", "plain", "score"]

TAG = "\ue000"  # one private-use character stands for each tag or placeholder
_SPACE = re.compile(r"\s+")


def masked(text: str) -> str:
    """`text` with every tag, entity and placeholder replaced by `TAG`, whitespace collapsed."""
    out, pos = [], 0
    for unit in find_markup(text):
        out.append(text[pos : unit.start])
        out.append(TAG)
        pos = unit.end
    out.append(text[pos:])
    return _SPACE.sub(" ", "".join(out)).strip()


def plain(text: str) -> str:
    """The words alone, lower-cased: what the candidate index searches."""
    return _SPACE.sub(" ", masked(text).replace(TAG, " ")).strip().lower()


def exact_key(text: str) -> str:
    """Equal for two sources only if their text and tags are the same (whitespace runs aside)."""
    return _SPACE.sub(" ", text).strip()


def score(query: str, candidate: str) -> float:
    """0-100: 100 minus the share of characters to edit, on masked texts; 100 only for the same text and tags."""
    if exact_key(query) == exact_key(candidate):
        return 100.0
    a, b = masked(query), masked(candidate)
    similarity = Levenshtein.normalized_similarity(a, b) * 100
    return min(similarity, 99.0)  # a difference the mask hides (a tag's attributes) is still a difference
