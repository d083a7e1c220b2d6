"""Wire schemas of the playground's conversations: one conversation per segment, a list of turns.

A conversation is stored as its `Conversation` JSON, so what the API returns is what survives a reload.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agent import Mode
from server.schemas import LangCode, SegmentOut, Text

__all__ = [
    "AcceptIn",
    "Conversation",
    "ConversationCreate",
    "ConversationList",
    "ConversationSummary",
    "MessageIn",
    "TermHit",
    "Turn",
    "TurnsOut",
]


class ConversationCreate(BaseModel):
    """Open a conversation on one segment. Nothing runs yet: post a message (empty for the first
    post-edit) to `/messages` or `/messages/stream`."""

    model_config = ConfigDict(extra="forbid")

    source_lang: str = LangCode
    target_lang: str = LangCode
    glossary_id: str | None = Field(default=None, max_length=128)
    styleguide_id: str | None = Field(default=None, max_length=128)
    memory_id: str | None = Field(
        default=None, max_length=128, description="a translation memory: matches, and learning on accept"
    )
    mode: Mode = Mode.MINIMAL
    source: Text = Field(
        min_length=1,
        description="source text; inline tags and placeholders are protected",
        json_schema_extra={"pattern": r"\S"},
    )
    mt: Text | None = Field(default=None, description="machine translation to post-edit; omit to translate")


class MessageIn(BaseModel):
    """A linguist's message. Empty (or omitted) on a conversation without an answer yet: run the first
    post-edit. Otherwise a follow-up: a request ("use the informal du") gives a revision, a question
    ("why did you change X?") an answer."""

    model_config = ConfigDict(extra="forbid")

    message: Text = Field(default="", max_length=2000)


class AcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    turn: int | None = Field(default=None, ge=0, description="the agent turn to accept; default: the latest")


class TermHit(BaseModel):
    """A glossary entry found in the source, and where its rendering sits in this turn's output."""

    source: str = Field(description="the matched source text")
    start: int
    end: int
    target: str | None = Field(description="the preferred rendering (the source form for do-not-translate)")
    target_start: int | None = Field(default=None, description="span of an allowed rendering in the output")
    target_end: int | None = None
    forbidden: list[str] = Field(default_factory=list)
    forbidden_spans: list[tuple[int, int]] = Field(
        default_factory=list, description="forbidden renderings found in the output"
    )
    dnt: bool = False
    note: str | None = None


class Turn(BaseModel):
    index: int
    role: Literal["user", "agent"]
    kind: Literal["segment", "message", "revision", "answer", "error"]
    text: str = Field(default="", description="the linguist's message or the agent's reply")
    created_at: float
    result: SegmentOut | None = Field(default=None, description="the checked version after this turn (agent)")
    terms: list[TermHit] = Field(default_factory=list)


class ConversationSummary(BaseModel):
    id: str
    title: str = Field(description="the start of the source")
    source_lang: str
    target_lang: str
    created_at: float
    updated_at: float
    turns: int
    status: str | None = Field(description="status of the latest version; null before the first answer")
    accepted: bool


class Conversation(BaseModel):
    id: str
    source_lang: str
    target_lang: str
    glossary_id: str | None = None
    styleguide_id: str | None = None
    memory_id: str | None = None
    mode: Mode = Mode.MINIMAL
    source: str
    mt: str | None = None
    created_at: float
    updated_at: float
    accepted_turn: int | None = Field(
        default=None, description="index of the agent turn the linguist accepted"
    )
    turns: list[Turn] = Field(default_factory=list)

    def latest_result(self) -> Turn | None:
        """The last agent turn that carries a version (answers carry the re-checked current one)."""
        return next(
            (t for t in reversed(self.turns) if t.result is not None and t.result.output is not None), None
        )

    def final_turn(self) -> Turn | None:
        """The accepted version, else the latest one."""
        if self.accepted_turn is not None and 0 <= self.accepted_turn < len(self.turns):
            return self.turns[self.accepted_turn]
        return self.latest_result()

    def summary(self) -> ConversationSummary:
        latest = self.latest_result()
        title = " ".join(self.source.split())
        return ConversationSummary(
            id=self.id,
            title=title[:80] + ("…" if len(title) > 80 else ""),
            source_lang=self.source_lang,
            target_lang=self.target_lang,
            created_at=self.created_at,
            updated_at=self.updated_at,
            turns=len(self.turns),
            status=latest.result.status if latest and latest.result else None,
            accepted=self.accepted_turn is not None,
        )


class ConversationList(BaseModel):
    items: list[ConversationSummary]


class TurnsOut(BaseModel):
    """The turns one message added (the linguist's, then the agent's)."""

    conversation_id: str
    turns: list[Turn]
