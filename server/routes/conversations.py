"""/v1/conversations: the playground's chat on one segment (create, list, messages, accept, export).

Open a conversation with the segment and its options, then post messages: the first (usually empty) runs
the post-edit, later ones are follow-ups ("use the informal du", "why did you change X?").
`/messages/stream` sends the agent's steps as Server-Sent Events while it works and ends with a `turn`
event; follow-ups are not step-streamed (their steps come with the turn, in `result.trace`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from sse_starlette import EventSourceResponse

from agent import TraceStep
from memory import Origin
from server.conversation_export import to_jsonl, to_xliff
from server.conversation_schemas import (
    AcceptIn,
    Conversation,
    ConversationCreate,
    ConversationList,
    MessageIn,
    Turn,
    TurnsOut,
)
from server.conversations import ConversationStore, first_turn, next_turn
from server.deps import StateDep, TenantDep
from server.errors import ApiError, documented_errors
from server.learning import learn
from server.schemas import SegmentIn
from server.segments import BatchContext, make_context
from server.state import AppState

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])
ERRORS = documented_errors(401, 404, 409, 422, 429)
IdPath = Annotated[str, Path(pattern=r"^[0-9a-f]{1,64}$", description="the conversation id")]
ExportFormat = Annotated[Literal["jsonl", "xliff"], Query(description="`jsonl` rows or an XLIFF 1.2 file")]
MEDIA = {"jsonl": "application/x-ndjson", "xliff": "application/x-xliff+xml"}


def _store(state: StateDep) -> ConversationStore:
    return ConversationStore(state.kv, state.settings)


StoreDep = Annotated[ConversationStore, Depends(_store)]


async def _context(state: AppState, tenant: str, conv: Conversation | ConversationCreate) -> BatchContext:
    """Resources are loaded again on every turn, so a re-uploaded glossary applies from the next message."""
    return await make_context(
        state,
        tenant,
        source_lang=conv.source_lang,
        target_lang=conv.target_lang,
        glossary_id=conv.glossary_id,
        styleguide_id=conv.styleguide_id,
        memory_id=conv.memory_id,
        mode=conv.mode,
        explain=True,
    )


def _first_message_pending(conv: Conversation) -> bool:
    return conv.latest_result() is None


@router.post("", response_model=Conversation, status_code=201, responses=ERRORS)
async def create_conversation(
    body: ConversationCreate, state: StateDep, tenant: TenantDep, store: StoreDep
) -> Conversation:
    """Open a conversation on one segment (languages, glossary and style guide are checked now)."""
    ctx = await _context(state, tenant.id, body)
    problem = ctx.check(SegmentIn(id="new", source=body.source, mt=body.mt))
    if problem is not None:
        raise ApiError(422, problem, code="invalid_segment")
    return await store.create(tenant.id, body)


@router.get("", response_model=ConversationList, responses=ERRORS)
async def list_conversations(tenant: TenantDep, store: StoreDep) -> ConversationList:
    """The tenant's conversations, most recently updated first."""
    return ConversationList(items=await store.list_all(tenant.id))


@router.get("/export", responses={200: {"content": {m: {} for m in MEDIA.values()}}, **ERRORS})
async def export_all(format: ExportFormat, tenant: TenantDep, store: StoreDep) -> Response:
    """The final segment of every conversation of the tenant (accepted version, else the latest)."""
    convs = [c for s in await store.list_all(tenant.id) if (c := await store.get(tenant.id, s.id))]
    if not convs:
        raise ApiError(404, "no conversations to export", code="conversation_not_found")
    return _export(list(reversed(convs)), format, "conversations")


@router.get("/{conversation_id}", response_model=Conversation, responses=ERRORS)
async def get_conversation(conversation_id: IdPath, tenant: TenantDep, store: StoreDep) -> Conversation:
    """The conversation with all its turns."""
    return await store.require(tenant.id, conversation_id)


@router.delete("/{conversation_id}", status_code=204, responses=ERRORS)
async def delete_conversation(conversation_id: IdPath, tenant: TenantDep, store: StoreDep) -> Response:
    if not await store.delete(tenant.id, conversation_id):
        raise ApiError(404, f"conversation {conversation_id!r} not found", code="conversation_not_found")
    return Response(status_code=204)


async def _prepare_turn(
    conversation_id: str, body: MessageIn, state: AppState, tenant: str, store: ConversationStore
) -> tuple[Conversation, str, BatchContext]:
    """The conversation, the cleaned message (empty only for the first post-edit) and the agent context."""
    conv = await store.require(tenant, conversation_id)
    message = body.message.strip()
    if not message and not _first_message_pending(conv):
        raise ApiError(422, "message: the message is empty", code="invalid_request")
    return conv, message, await _context(state, tenant, conv)


@router.post("/{conversation_id}/messages", response_model=TurnsOut, responses=ERRORS)
async def post_message(
    conversation_id: IdPath, body: MessageIn, state: StateDep, tenant: TenantDep, store: StoreDep
) -> TurnsOut:
    """Run the first post-edit (empty message) or a follow-up; returns the turns it added."""
    conv, message, ctx = await _prepare_turn(conversation_id, body, state, tenant.id, store)
    before = len(conv.turns)
    async with store.busy(tenant.id, conversation_id):
        if _first_message_pending(conv):
            async for _ in first_turn(ctx, conv, message):
                pass
        else:
            await next_turn(ctx, conv, message)
        await store.save(tenant.id, conv)
    return TurnsOut(conversation_id=conv.id, turns=conv.turns[before:])


@router.post(
    "/{conversation_id}/messages/stream",
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "`step` events while the first post-edit runs, then one `turn` event",
        },
        **ERRORS,
    },
)
async def stream_message(
    conversation_id: IdPath, body: MessageIn, state: StateDep, tenant: TenantDep, store: StoreDep
) -> EventSourceResponse:
    """Like `/messages`, as Server-Sent Events: `step` ({step, detail, ms, data}) events, then a `turn`."""
    conv, message, ctx = await _prepare_turn(conversation_id, body, state, tenant.id, store)
    lock = store.busy(tenant.id, conversation_id)
    await lock.__aenter__()  # taken before the response starts, so a concurrent message gets a 409

    async def events() -> AsyncIterator[dict[str, str]]:
        try:
            if _first_message_pending(conv):
                async for item in first_turn(ctx, conv, message):
                    if isinstance(item, TraceStep):
                        yield {"event": "step", "data": _step_json(item)}
                    else:
                        await store.save(tenant.id, conv)
                        yield _turn_event(item)
            else:
                turn = await next_turn(ctx, conv, message)
                await store.save(tenant.id, conv)
                yield _turn_event(turn)
        finally:
            await lock.__aexit__(None, None, None)

    return EventSourceResponse(events())


def _step_json(step: TraceStep) -> str:
    data = {"step": step.step, "detail": step.detail, "ms": round(step.ms, 2), "data": step.data}
    return json.dumps(data, ensure_ascii=False, default=str)


def _turn_event(turn: Turn) -> dict[str, str]:
    return {"event": "turn", "data": turn.model_dump_json()}


@router.post("/{conversation_id}/accept", response_model=Conversation, responses=ERRORS)
async def accept(
    conversation_id: IdPath, body: AcceptIn, tenant: TenantDep, store: StoreDep, state: StateDep
) -> Conversation:
    """Mark a version (default: the latest) as the linguist's final one; exports use it, and the
    conversation's memory learns it (if the memory takes accepted versions)."""
    conv = await store.require(tenant.id, conversation_id)
    latest = conv.latest_result()
    index = body.turn if body.turn is not None else (latest.index if latest else None)
    if index is None or index >= len(conv.turns) or conv.turns[index].result is None:
        raise ApiError(422, "turn: no agent version to accept there", code="invalid_request")
    conv.accepted_turn = index
    await store.save(tenant.id, conv)
    accepted = conv.turns[index].result
    if accepted is not None and accepted.output:
        await learn(
            state.memories, tenant.id, conv.memory_id, [(conv.source, accepted.output)], Origin.ACCEPTED
        )
    return conv


@router.get(
    "/{conversation_id}/export", responses={200: {"content": {m: {} for m in MEDIA.values()}}, **ERRORS}
)
async def export_one(
    conversation_id: IdPath, format: ExportFormat, tenant: TenantDep, store: StoreDep
) -> Response:
    """This conversation's final segment as JSONL or XLIFF 1.2."""
    conv = await store.require(tenant.id, conversation_id)
    return _export([conv], format, f"conversation-{conv.id}")


def _export(convs: list[Conversation], format: str, name: str) -> Response:
    body = to_jsonl(convs).encode() if format == "jsonl" else to_xliff(convs)
    ext = "jsonl" if format == "jsonl" else "xlf"
    return Response(
        body,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'},
    )
