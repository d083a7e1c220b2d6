"""What a translation memory holds: memories (one per tenant, language pair and purpose) and their entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


class Origin(StrEnum):
    """Where an entry came from; a memory's `learn` setting names the origins it accepts automatically."""

    IMPORT = "import"  # a TMX file
    API = "api"  # POST /v1/memories/{id}/entries
    ACCEPTED = "accepted"  # a version accepted in the playground
    XLIFF_FINAL = "xliff_final"  # an uploaded XLIFF target in a final or signed-off state


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class MemoryInfo:
    id: str
    tenant: str
    name: str
    source_lang: str
    target_lang: str
    learn: frozenset[Origin] = frozenset({Origin.ACCEPTED, Origin.XLIFF_FINAL})
    created_at: datetime = field(default_factory=now)
    entries: int = 0


@dataclass(frozen=True)
class NewEntry:
    """An entry to add; the store gives it an id. Text keeps inline tags as they came (TMX or XLIFF markup)."""

    source: str
    target: str
    origin: Origin = Origin.API
    tuid: str | None = None
    glossary_version: str | None = None
    created_at: datetime = field(default_factory=now)
    created_by: str | None = None


@dataclass(frozen=True)
class Entry:
    id: int
    memory_id: str
    source: str
    target: str
    origin: Origin
    created_at: datetime
    tuid: str | None = None
    glossary_version: str | None = None
    created_by: str | None = None


@dataclass(frozen=True)
class Match:
    """A memory entry for a segment, scored as CAT tools show it: 100 is the same text with the same tags."""

    entry: Entry
    score: float  # 0-100, character edit distance on the text with tags masked

    @property
    def exact(self) -> bool:
        return self.score >= 100.0
