"""The interface both memory stores implement, and the ranking they share.

A store finds candidates with its own index (SQLite FTS5 trigrams, PostgreSQL pg_trgm); `rank` then scores them
the CAT way (`memory.fuzzy.score`), so both stores return the same matches for the same entries.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Protocol

from memory.fuzzy import exact_key, plain, score
from memory.model import Entry, Match, MemoryInfo, NewEntry

__all__ = ["CANDIDATES", "ENOUGH", "MemoryStore", "distinct", "key_hash", "narrowing", "rank", "search_words"]

_WORD = re.compile(r"\w+")
CANDIDATES = 40  # entries an index proposes per lookup, before the edit-distance score decides
ENOUGH = 5  # candidates after which a broader index query is not worth its time


class MemoryStore(Protocol):
    async def create(self, info: MemoryInfo) -> MemoryInfo: ...
    async def get(self, tenant: str, memory_id: str) -> MemoryInfo | None: ...
    async def memories(self, tenant: str) -> list[MemoryInfo]: ...
    async def delete(self, tenant: str, memory_id: str) -> bool: ...
    async def add(self, memory_id: str, entries: Iterable[NewEntry]) -> int: ...
    async def entries(self, memory_id: str, *, offset: int = 0, limit: int = 100) -> list[Entry]: ...
    def iter_entries(self, memory_id: str) -> AsyncIterator[Entry]: ...
    async def delete_entry(self, memory_id: str, entry_id: int) -> bool: ...
    async def lookup(
        self, memory_id: str, text: str, *, limit: int = 3, min_score: float = 50.0
    ) -> list[Match]: ...
    async def close(self) -> None: ...


def key_hash(source: str) -> str:
    """The exact-match key of a source, short enough for any index."""
    return hashlib.sha1(exact_key(source).encode("utf-8")).hexdigest()


def search_words(text: str, longest: int = 12) -> list[str]:
    """The query's words an index looks for: 3+ letters or digits, longest first, without repeats."""
    words = {w for w in _WORD.findall(plain(text)) if len(w) >= 3}
    return sorted(words, key=lambda w: (-len(w), w))[:longest]


def narrowing(words: Sequence[str], both: str, either: str) -> list[str]:
    """Index queries from the most to the least selective, over words sorted rarest first: all of the three
    rarest, both of the two rarest, any of the six rarest. A store runs them in turn until it has `ENOUGH`."""
    queries = [both.join(words[:n]) for n in (3, 2) if len(words) >= n]
    return [*queries, either.join(words[:6])] if words else []


def distinct(entries: Iterable[Entry]) -> list[Entry]:
    """Each entry once, where it first appears (an exact match is also a fuzzy index hit)."""
    first: dict[int, Entry] = {}
    for entry in entries:
        first.setdefault(entry.id, entry)
    return list(first.values())


def rank(text: str, candidates: Sequence[Entry], *, limit: int, min_score: float) -> list[Match]:
    """The best `limit` candidates at or above `min_score`, best first; the newest entry wins a tie."""
    scored = [Match(entry, score(text, entry.source)) for entry in candidates]
    kept = [m for m in scored if m.score >= min_score]
    kept.sort(key=lambda m: (-m.score, -m.entry.created_at.timestamp(), -m.entry.id))
    return kept[:limit]
