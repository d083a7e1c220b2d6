"""Wire models of /v1/memories: translation memories, their entries and lookups."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from memory import Entry, Match, MemoryInfo, Origin
from server.resources import ID_PATTERN
from server.schemas import LangCode, Text

__all__ = [
    "AddedOut",
    "EntriesIn",
    "EntryIn",
    "EntryList",
    "EntryOut",
    "LookupOut",
    "MatchOut",
    "MemoryCreate",
    "MemoryList",
    "MemoryOut",
]


class MemoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=ID_PATTERN, description="your id for this memory")
    name: str = Field(default="", max_length=200)
    source_lang: str = LangCode
    target_lang: str = LangCode
    learn: list[Origin] = Field(
        default_factory=lambda: [Origin.ACCEPTED, Origin.XLIFF_FINAL],
        description="what adds entries without being asked: accepted playground versions (accepted) and "
        "final or signed-off XLIFF targets (xliff_final); [] learns only from explicit entries and imports",
    )


class MemoryOut(BaseModel):
    id: str
    name: str
    source_lang: str
    target_lang: str
    learn: list[Origin]
    created_at: datetime
    entries: int

    @classmethod
    def of(cls, info: MemoryInfo) -> MemoryOut:
        return cls(
            id=info.id, name=info.name, source_lang=info.source_lang, target_lang=info.target_lang,
            learn=sorted(info.learn), created_at=info.created_at, entries=info.entries,
        )  # fmt: skip


class MemoryList(BaseModel):
    items: list[MemoryOut]


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: Text = Field(min_length=1, max_length=20_000, description="inline tags as in XLIFF or TMX")
    target: Text = Field(min_length=1, max_length=20_000)
    tuid: str | None = Field(default=None, max_length=200)


class EntriesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: list[EntryIn] = Field(min_length=1, max_length=10_000)


class EntryOut(BaseModel):
    id: int
    source: str
    target: str
    origin: Origin
    created_at: datetime
    tuid: str | None = None

    @classmethod
    def of(cls, entry: Entry) -> EntryOut:
        return cls(
            id=entry.id, source=entry.source, target=entry.target, origin=entry.origin,
            created_at=entry.created_at, tuid=entry.tuid,
        )  # fmt: skip


class EntryList(BaseModel):
    items: list[EntryOut]
    offset: int
    limit: int


class AddedOut(BaseModel):
    added: int = Field(description="entries added or refreshed (the same source and target again)")
    skipped: int = Field(default=0, description="TMX units without both of the memory's languages")


class MatchOut(BaseModel):
    score: float = Field(description="0-100, CAT-style: 100 is the same text with the same tags")
    entry: EntryOut

    @classmethod
    def of(cls, match: Match) -> MatchOut:
        return cls(score=round(match.score, 1), entry=EntryOut.of(match.entry))


class LookupOut(BaseModel):
    matches: list[MatchOut]
