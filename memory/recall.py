"""Translation-memory matches for the segments of one request (or one eval row): looked up per segment, shaped
for the agent. The server and the eval harness both use it, so both show the model the same matches."""

from __future__ import annotations

import logging

from agent.types import MEMORY_FLOOR, MemoryMatch
from memory.store import MemoryStore

__all__ = ["MATCHES", "Recall"]

log = logging.getLogger(__name__)

MATCHES = 3  # per segment, best first


class Recall:
    """One memory for one request. An entry made under another glossary version is never a 100% match
    (the glossary may have changed the right answer); the agent's checks then decide for the rest."""

    def __init__(self, store: MemoryStore, memory_id: str, glossary_version: str | None) -> None:
        self.store = store
        self.memory_id = memory_id
        self.glossary_version = glossary_version

    async def matches(self, source: str) -> tuple[MemoryMatch, ...]:
        try:
            found = await self.store.lookup(self.memory_id, source, limit=MATCHES, min_score=MEMORY_FLOOR)
        except Exception:  # a memory outage costs the examples, never the segment
            log.warning("memory %s: lookup failed", self.memory_id, exc_info=True)
            return ()
        return tuple(
            MemoryMatch(
                source=m.entry.source,
                target=m.entry.target,
                score=m.score if self._same_glossary(m.entry.glossary_version) else min(m.score, 99.0),
                entry=str(m.entry.id),
            )
            for m in found
        )

    def _same_glossary(self, version: str | None) -> bool:
        return version is None or version == self.glossary_version
