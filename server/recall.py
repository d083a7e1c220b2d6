"""Translation-memory matches for the segments of one request: looked up per segment, shaped for the agent."""

from __future__ import annotations

import logging

from agent import MemoryMatch
from glossaries.model import Termbase
from memory import MemoryStore
from server.rejections import ResourceNotFound, require_pair

__all__ = ["MATCHES", "MIN_SCORE", "Recall", "open_recall"]

log = logging.getLogger(__name__)

MATCHES = 3  # per segment, best first
MIN_SCORE = 75.0  # CAT tools' usual floor: below it a match misleads more than it helps


class Recall:
    """One memory for one request. An entry made under another glossary version is never a 100% match
    (the glossary may have changed the right answer); the agent's checks then decide for the rest."""

    def __init__(self, store: MemoryStore, memory_id: str, glossary_version: str | None) -> None:
        self.store = store
        self.memory_id = memory_id
        self.glossary_version = glossary_version

    async def matches(self, source: str) -> tuple[MemoryMatch, ...]:
        try:
            found = await self.store.lookup(self.memory_id, source, limit=MATCHES, min_score=MIN_SCORE)
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


async def open_recall(
    store: MemoryStore,
    tenant: str,
    memory_id: str | None,
    source_lang: str,
    target_lang: str,
    glossary: Termbase | None,
) -> Recall | None:
    """The request's memory, checked like a glossary: unknown ids are 404s, another pair a 422."""
    if not memory_id:
        return None
    info = await store.get(tenant, memory_id)
    if info is None:
        raise ResourceNotFound("memory", memory_id)
    require_pair("memory", memory_id, (info.source_lang, info.target_lang), (source_lang, target_lang))
    return Recall(store, memory_id, glossary.version if glossary else None)
