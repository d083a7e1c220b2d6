"""/v1/memories: the tenant's translation memories, their entries, TMX import and export, and lookups."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from formats.tmx import TmxError
from glossaries.languages import same_pair
from memory import MemoryInfo, MemoryStore, NewEntry, Origin
from memory.tmx import entries_from_tmx, tmx_chunks
from server.deps import SettingsDep, StateDep, TenantDep
from server.errors import ApiError, documented_errors
from server.memory_schemas import (
    AddedOut,
    EntriesIn,
    EntryList,
    EntryOut,
    LookupOut,
    MatchOut,
    MemoryCreate,
    MemoryList,
    MemoryOut,
)
from server.resources import ID_PATTERN
from server.routes._resource import UPLOAD_BODY, PairLang
from server.uploads import read_upload

router = APIRouter(prefix="/v1/memories", tags=["memories"])
ERRORS = documented_errors(401, 404, 409, 413, 422, 429)
IdPath = Annotated[str, Path(pattern=ID_PATTERN, description="your id for this memory")]
EntryPath = Annotated[
    int, Path(ge=1, le=2**63 - 1, description="an entry's id, as the entries listing gives it")
]
TMX_MEDIA = "application/x-tmx+xml"


def _store(state: StateDep) -> MemoryStore:
    return state.memories


StoreDep = Annotated[MemoryStore, Depends(_store)]


async def _require(store: MemoryStore, tenant: str, memory_id: str) -> MemoryInfo:
    info = await store.get(tenant, memory_id)
    if info is None:
        raise ApiError(404, f"memory {memory_id!r} not found", code="memory_not_found")
    return info


@router.post("", response_model=MemoryOut, status_code=201, responses=ERRORS)
async def create_memory(body: MemoryCreate, tenant: TenantDep, store: StoreDep) -> MemoryOut:
    if await store.get(tenant.id, body.id) is not None:
        raise ApiError(
            409, f"memory {body.id!r} exists: delete it first, or add entries to it", code="conflict"
        )
    info = MemoryInfo(
        id=body.id, tenant=tenant.id, name=body.name or body.id, source_lang=body.source_lang,
        target_lang=body.target_lang, learn=frozenset(body.learn),
    )  # fmt: skip
    return MemoryOut.of(await store.create(info))


@router.get("", response_model=MemoryList, responses=ERRORS)
async def list_memories(
    tenant: TenantDep, store: StoreDep, source_lang: PairLang = None, target_lang: PairLang = None
) -> MemoryList:
    """The tenant's memories; with `source_lang` and `target_lang`, only those of that pair (regions aside)."""
    memories = await store.memories(tenant.id)
    if source_lang and target_lang:
        memories = [m for m in memories if same_pair(m.source_lang, m.target_lang, source_lang, target_lang)]
    return MemoryList(items=[MemoryOut.of(m) for m in memories])


@router.get("/{memory_id}", response_model=MemoryOut, responses=ERRORS)
async def get_memory(memory_id: IdPath, tenant: TenantDep, store: StoreDep) -> MemoryOut:
    return MemoryOut.of(await _require(store, tenant.id, memory_id))


@router.delete("/{memory_id}", status_code=204, responses=ERRORS)
async def delete_memory(memory_id: IdPath, tenant: TenantDep, store: StoreDep) -> Response:
    if not await store.delete(tenant.id, memory_id):
        raise ApiError(404, f"memory {memory_id!r} not found", code="memory_not_found")
    return Response(status_code=204)


@router.post("/{memory_id}/entries", response_model=AddedOut, responses=ERRORS)
async def add_entries(memory_id: IdPath, body: EntriesIn, tenant: TenantDep, store: StoreDep) -> AddedOut:
    """Add approved translations; they serve the next request at once. The same source and target again
    refreshes the entry rather than repeating it."""
    await _require(store, tenant.id, memory_id)
    entries = [
        NewEntry(e.source, e.target, Origin.API, tuid=e.tuid, created_by=tenant.id) for e in body.entries
    ]
    return AddedOut(added=await store.add(memory_id, entries))


@router.get("/{memory_id}/entries", response_model=EntryList, responses=ERRORS)
async def list_entries(
    memory_id: IdPath,
    tenant: TenantDep,
    store: StoreDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EntryList:
    await _require(store, tenant.id, memory_id)
    entries = await store.entries(memory_id, offset=offset, limit=limit)
    return EntryList(items=[EntryOut.of(e) for e in entries], offset=offset, limit=limit)


@router.delete("/{memory_id}/entries/{entry_id}", status_code=204, responses=ERRORS)
async def delete_entry(
    memory_id: IdPath, entry_id: EntryPath, tenant: TenantDep, store: StoreDep
) -> Response:
    await _require(store, tenant.id, memory_id)
    if not await store.delete_entry(memory_id, entry_id):
        raise ApiError(404, f"entry {entry_id} not found in memory {memory_id!r}", code="entry_not_found")
    return Response(status_code=204)


@router.get("/{memory_id}/lookup", response_model=LookupOut, responses=ERRORS)
async def lookup(
    memory_id: IdPath,
    tenant: TenantDep,
    store: StoreDep,
    text: Annotated[str, Query(min_length=1, max_length=5000, description="a source segment")],
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
    min_score: Annotated[float, Query(ge=0, le=100)] = 50.0,
) -> LookupOut:
    """The best matches for a source segment, scored as CAT tools show them."""
    await _require(store, tenant.id, memory_id)
    found = await store.lookup(memory_id, text, limit=limit, min_score=min_score)
    return LookupOut(matches=[MatchOut.of(m) for m in found])


@router.put("/{memory_id}/tmx", response_model=AddedOut, responses=ERRORS, openapi_extra=UPLOAD_BODY)
async def import_tmx(
    memory_id: IdPath, request: Request, tenant: TenantDep, store: StoreDep, settings: SettingsDep
) -> AddedOut:
    """Import a TMX 1.1-1.4 file (raw body or multipart `file`): every unit with both of the memory's
    languages is added. A broken file is a 422 naming its line; nothing of it is added then."""
    info = await _require(store, tenant.id, memory_id)
    upload = await read_upload(request, settings.max_upload_bytes)
    counts: dict[str, int] = {}
    try:
        entries = await asyncio.to_thread(entries_from_tmx, upload.data, info, counts)
    except TmxError as exc:
        name = upload.filename or "the TMX file"
        raise ApiError(422, f"{name}: {exc}", code="invalid_tmx") from exc
    return AddedOut(added=await store.add(memory_id, entries), skipped=counts.get("skipped", 0))


@router.get("/{memory_id}/tmx", responses={200: {"content": {TMX_MEDIA: {}}}, **ERRORS})
async def export_tmx(memory_id: IdPath, tenant: TenantDep, store: StoreDep) -> StreamingResponse:
    """The memory as TMX 1.4, streamed as it is written."""
    info = await _require(store, tenant.id, memory_id)
    return StreamingResponse(
        tmx_chunks(store.iter_entries(memory_id), info),
        media_type=TMX_MEDIA,
        headers={"Content-Disposition": f'attachment; filename="{memory_id}.tmx"'},
    )
