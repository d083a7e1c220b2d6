"""Entries a memory learns without being asked: accepted playground versions and final XLIFF targets.
The memory's `learn` setting says which; an explicit entry or import is always taken."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from formats.xliff import XliffDocument
from memory import MemoryStore, NewEntry, Origin

__all__ = ["FINAL_STATES", "finals", "learn"]

# XLIFF units a translator or reviewer has signed off (`formats.xliff.XliffUnit.skip_reason`): their targets
# are approved translations a memory may learn.
FINAL_STATES = frozenset({"final", "approved"})

log = logging.getLogger(__name__)


def finals(doc: XliffDocument) -> list[tuple[str, str]]:
    """(source, target) of the units a translator or reviewer signed off."""
    return [(u.source, u.target) for u in doc.units if u.skip_reason in FINAL_STATES and u.target]


async def learn(
    store: MemoryStore,
    tenant: str,
    memory_id: str | None,
    pairs: Sequence[tuple[str, str]],
    origin: Origin,
    *,
    glossary_version: str | None = None,
) -> int:
    """Add (source, target) pairs if the memory takes this origin; the number added. A store outage is logged,
    not raised: learning must never cost the linguist the request that taught it."""
    if not memory_id or not pairs:
        return 0
    try:
        info = await store.get(tenant, memory_id)
        if info is None or origin not in info.learn:
            return 0
        entries = [
            NewEntry(source=s, target=t, origin=origin, glossary_version=glossary_version)
            for s, t in pairs
            if s.strip() and t.strip()
        ]
        return await store.add(memory_id, entries)
    except Exception:
        log.warning("memory %s: could not learn %d %s entries", memory_id, len(pairs), origin, exc_info=True)
        return 0
