"""Playground conversations: per-tenant storage in the KV store and the turns that run the agent.

One conversation is one segment. Its first agent turn is the post-edit (streamed step by step); later
turns go through the editor's `follow_up`, so the glossary, the style guide and the checks stay in
force. Each conversation is one JSON value under the tenant's prefix (Redis, or in process without
Redis), so it survives a page reload; a short `busy` key keeps two messages from racing on it.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace

from agent import Segment, SegmentResult, TraceStep
from agent.diff import word_edits
from agent.markup import blank_markup
from glossaries.matcher import TermMatcher
from glossaries.model import Termbase
from server.conversation_schemas import Conversation, ConversationCreate, ConversationSummary, TermHit, Turn
from server.errors import ApiError
from server.kv import KV
from server.segments import BatchContext, result_out
from server.settings import Settings

__all__ = ["ConversationStore", "first_turn", "next_turn", "term_hits"]

TTL_SECONDS = 30 * 24 * 3600  # a conversation idle this long is dropped
BUSY_SECONDS = 300.0  # longest a turn may hold the conversation (a crashed process frees it after this)
MAX_LISTED = 200


class ConversationStore:
    """CRUD over the KV store, always scoped by tenant: another tenant's id simply does not exist."""

    def __init__(self, kv: KV, settings: Settings) -> None:
        self._kv = kv
        self._settings = settings

    def _key(self, tenant: str, cid: str, part: str = "data") -> str:
        return self._settings.redis_key("t", tenant, "conversation", cid, part)

    def _index(self, tenant: str) -> str:
        return self._settings.redis_key("t", tenant, "conversations")

    async def create(self, tenant: str, body: ConversationCreate) -> Conversation:
        now = time.time()
        conv = Conversation(
            id=uuid.uuid4().hex[:16],
            source_lang=body.source_lang,
            target_lang=body.target_lang,
            glossary_id=body.glossary_id,
            styleguide_id=body.styleguide_id,
            memory_id=body.memory_id,
            mode=body.mode,
            source=body.source,
            mt=body.mt,
            created_at=now,
            updated_at=now,
            turns=[Turn(index=0, role="user", kind="segment", created_at=now)],
        )
        await self.save(tenant, conv)
        await self._kv.sadd(self._index(tenant), conv.id)
        return conv

    async def save(self, tenant: str, conv: Conversation) -> None:
        conv.updated_at = time.time()
        await self._kv.set(self._key(tenant, conv.id), conv.model_dump_json(), ex=TTL_SECONDS)

    async def get(self, tenant: str, cid: str) -> Conversation | None:
        raw = await self._kv.get(self._key(tenant, cid))
        return Conversation.model_validate(json.loads(raw)) if raw else None

    async def require(self, tenant: str, cid: str) -> Conversation:
        conv = await self.get(tenant, cid)
        if conv is None:
            raise ApiError(404, f"conversation {cid!r} not found", code="conversation_not_found")
        return conv

    async def list_all(self, tenant: str) -> list[ConversationSummary]:
        """Newest first; ids whose conversation expired are dropped from the index on the way."""
        found = []
        for cid in await self._kv.smembers(self._index(tenant)):
            conv = await self.get(tenant, cid)
            if conv is None:
                await self._kv.srem(self._index(tenant), cid)
            else:
                found.append(conv.summary())
        found.sort(key=lambda s: s.updated_at, reverse=True)
        return found[:MAX_LISTED]

    async def delete(self, tenant: str, cid: str) -> bool:
        removed = await self._kv.delete(self._key(tenant, cid))
        await self._kv.srem(self._index(tenant), cid)
        return removed > 0

    @asynccontextmanager
    async def busy(self, tenant: str, cid: str) -> AsyncIterator[None]:
        """Hold the conversation for one turn; a second message meanwhile is a 409, not a lost update."""
        key = self._key(tenant, cid, "busy")
        if not await self._kv.set(key, "1", ex=BUSY_SECONDS, nx=True):
            raise ApiError(409, "the agent is still answering in this conversation", code="conversation_busy")
        try:
            yield
        finally:
            await self._kv.delete(key)


def _matcher(ctx: BatchContext) -> TermMatcher | None:
    glossary: Termbase | None = ctx.glossary
    if glossary is None or not len(glossary):
        return None
    return ctx.editor.matcher(glossary)  # built once per glossary version


def term_hits(matcher: TermMatcher | None, source: str, output: str | None) -> list[TermHit]:
    """Glossary terms in the source and, for each, where the output renders it (for highlighting)."""
    if matcher is None:
        return []
    hits: list[TermHit] = []
    last_end = -1
    for m in sorted(matcher.match_source(blank_markup(source)), key=lambda m: (m.start, -m.end)):
        if m.start < last_end:
            continue
        last_end = m.end
        entry = m.entry
        preferred = entry.preferred_target
        span = matcher.find_target(entry, output) if output else None
        hits.append(
            TermHit(
                source=source[m.start : m.end],
                start=m.start,
                end=m.end,
                target=m.text if entry.is_dnt else (preferred.text if preferred else None),
                target_start=span[0] if span else None,
                target_end=span[1] if span else None,
                forbidden=[t.text for t in entry.forbidden_targets],
                forbidden_spans=matcher.find_forbidden(entry, output) if output else [],
                dnt=entry.is_dnt,
                note=entry.note or next((t.note for t in entry.target if t.note), None),
            )
        )
    return hits


def _segment(conv: Conversation) -> Segment:
    return Segment(id=conv.id, source=conv.source, mt=conv.mt)


def _agent_turn(
    conv: Conversation,
    ctx: BatchContext,
    kind: str,
    reply: str,
    result: SegmentResult,
    *,
    first: bool = False,
) -> Turn:
    out = result_out(result, explain=True)
    if not first and conv.mt is not None:
        # A follow-up edits the current version; the linguist compares against the original MT.
        out.edits = list(word_edits(conv.mt, result.output))
    if not first:  # the agent compared with the previous version; the status is about the original MT
        if any(v.severity == "error" for v in out.violations):
            out.status = "needs_review"
        else:
            out.status, out.reason = ("unchanged" if result.output == conv.mt else "edited"), None
    return Turn(
        index=len(conv.turns),
        role="agent",
        kind=kind,  # type: ignore[arg-type]
        text=reply,
        created_at=time.time(),
        result=out,
        terms=term_hits(_matcher(ctx), conv.source, result.output),
    )


def _error_turn(conv: Conversation, exc: Exception) -> Turn:
    return Turn(
        index=len(conv.turns),
        role="agent",
        kind="error",
        text=f"The agent failed ({type(exc).__name__}); the segment is unchanged. Try again.",
        created_at=time.time(),
    )


def _user_turn(conv: Conversation, message: str) -> Turn:
    return Turn(index=len(conv.turns), role="user", kind="message", text=message, created_at=time.time())


async def first_turn(ctx: BatchContext, conv: Conversation, message: str) -> AsyncIterator[TraceStep | Turn]:
    """The first post-edit: the agent's steps as they happen, then the agent turn (appended to `conv`).

    A message sent with it becomes an instruction for this post-edit.
    """
    if message:
        conv.turns.append(_user_turn(conv, message))
        ctx.options = replace(ctx.options, instructions=(*ctx.options.instructions, message))
    try:
        async for item in ctx.editor.stream(
            await ctx.recalled(_segment(conv)),
            ctx.options,
            glossary=ctx.glossary,
            style=ctx.style,
            cache_scope=ctx.tenant,
        ):
            if isinstance(item, SegmentResult):
                turn = _agent_turn(conv, ctx, "revision", _first_reply(item), item, first=True)
                conv.turns.append(turn)
                yield turn
            else:
                yield item
    except Exception as exc:  # the agent promises not to raise; if it does, say so in the conversation
        turn = _error_turn(conv, exc)
        conv.turns.append(turn)
        yield turn


def _first_reply(result: SegmentResult) -> str:
    if result.status.value == "unchanged":
        return "The MT is fine as it is."
    if result.status.value == "needs_review":
        return f"Please review: {result.reason}." if result.reason else "Please review."
    return "Post-edited." if result.mt is not None else "Translated."


def _history(turns: Sequence[Turn]) -> list[tuple[str, str]]:
    return [("linguist" if t.role == "user" else "agent", t.text) for t in turns if t.text]


async def next_turn(ctx: BatchContext, conv: Conversation, message: str) -> Turn:
    """A follow-up: a revision or an answer from the agent; appends the user's and the agent's turns."""
    latest = conv.latest_result()
    current = latest.result.output if latest and latest.result else None
    if current is None:
        raise ApiError(
            409, "the conversation has no version yet: send an empty message first", code="conflict"
        )
    history = _history(conv.turns)
    conv.turns.append(_user_turn(conv, message))
    try:
        found = await ctx.editor.follow_up(
            _segment(conv),
            ctx.options,
            current=current,
            history=history,
            message=message,
            glossary=ctx.glossary,
            style=ctx.style,
            cache_scope=ctx.tenant,
        )
        turn = _agent_turn(conv, ctx, found.kind, found.reply, found.result)
    except Exception as exc:
        turn = _error_turn(conv, exc)
    conv.turns.append(turn)
    return turn
