"""Job records, inputs, per-segment checkpoints and results in the KV store.

Every finished segment is written to the hash `jobs:{id}:done` as soon as it finishes, so a worker that
dies loses only the segments in flight; the next one skips every key already in the hash. A lease
(`jobs:{id}:lease`, renewed by the running worker) tells live workers from dead ones.
"""

from __future__ import annotations

import time
import uuid
from typing import Literal

from pydantic import BaseModel

from agent import Mode
from server.kv import KV
from server.schemas import JobCallbackInfo, JobInfo, JobState, SegmentOut
from server.settings import Settings

__all__ = ["TERMINAL", "JobOptions", "JobRecord", "JobStore"]

TERMINAL = {"done", "failed", "cancelled"}


class JobOptions(BaseModel):
    source_lang: str
    target_lang: str
    glossary_id: str | None = None
    styleguide_id: str | None = None
    mode: Mode = Mode.MINIMAL
    max_rounds: int = 2


class JobRecord(BaseModel):
    id: str
    tenant: str
    kind: Literal["xliff", "jsonl"]
    state: JobState = "queued"
    total: int = 0
    filename: str = ""
    options: JobOptions
    attempt: int = 0
    created_at: float
    updated_at: float
    error: str | None = None
    callback_url: str | None = None
    result_url: str | None = None  # absolute, as the client reached the API: the callback names it


class JobStore:
    def __init__(self, kv: KV, settings: Settings) -> None:
        self.kv = kv
        self.settings = settings
        self.ttl = settings.job_ttl_seconds

    def key(self, job_id: str, part: str = "") -> str:
        return (
            self.settings.redis_key("jobs", job_id, part) if part else self.settings.redis_key("jobs", job_id)
        )

    @property
    def active_key(self) -> str:
        return self.settings.redis_key("jobs-active")

    def tenant_key(self, tenant: str) -> str:
        return self.settings.redis_key("t", tenant, "jobs")

    async def create(
        self,
        tenant: str,
        kind: Literal["xliff", "jsonl"],
        data: bytes,
        filename: str,
        options: JobOptions,
        total: int,
        *,
        callback_url: str | None = None,
    ) -> JobRecord:
        now = time.time()
        record = JobRecord(
            id=uuid.uuid4().hex,
            tenant=tenant,
            kind=kind,
            filename=filename,
            options=options,
            total=total,
            created_at=now,
            updated_at=now,
            callback_url=callback_url,
        )
        await self.kv.set(self.key(record.id, "input"), data, ex=self.ttl)
        await self.save(record, new=True)
        await self.kv.sadd(self.active_key, record.id)
        await self.kv.sadd(self.tenant_key(tenant), record.id)
        return record

    async def save(self, record: JobRecord, *, new: bool = False) -> bool:
        """Write the record; an update (not `new`) is False if the job was deleted meanwhile (a running worker
        must not bring it back)."""
        record.updated_at = time.time()
        return await self.kv.set(self.key(record.id), record.model_dump_json(), ex=self.ttl, xx=not new)

    async def get(self, job_id: str, tenant: str | None = None) -> JobRecord | None:
        raw = await self.kv.get(self.key(job_id))
        if raw is None:
            return None
        record = JobRecord.model_validate_json(raw)
        return record if tenant is None or record.tenant == tenant else None

    async def list_for(self, tenant: str) -> list[JobRecord]:
        """The tenant's jobs, newest first; ids whose record expired leave the tenant's index."""
        records = []
        for job_id in await self.kv.smembers(self.tenant_key(tenant)):
            record = await self.get(job_id, tenant)
            if record is None:
                await self.kv.srem(self.tenant_key(tenant), job_id)
            else:
                records.append(record)
        return sorted(records, key=lambda r: (r.created_at, r.id), reverse=True)

    async def info(self, record: JobRecord) -> JobInfo:
        return JobInfo(
            id=record.id,
            kind=record.kind,
            state=record.state,
            total=record.total,
            done=await self.kv.hlen(self.key(record.id, "done")),
            failed=await self.kv.hlen(self.key(record.id, "failed")),
            created_at=record.created_at,
            updated_at=record.updated_at,
            error=record.error,
            callback=await self.callback(record),
        )

    async def callback(self, record: JobRecord) -> JobCallbackInfo | None:
        """The delivery state of the job's callback (pending until the job ends), None without one."""
        if record.callback_url is None:
            return None
        raw = await self.kv.get(self.key(record.id, "callback"))
        return JobCallbackInfo.model_validate_json(raw) if raw else JobCallbackInfo(url=record.callback_url)

    async def save_callback(self, job_id: str, info: JobCallbackInfo) -> None:
        await self.kv.set(self.key(job_id, "callback"), info.model_dump_json(), ex=self.ttl)

    async def input(self, job_id: str) -> bytes | None:
        return await self.kv.get(self.key(job_id, "input"))

    async def finished_ids(self, job_id: str) -> set[str]:
        return set(await self.kv.hgetall(self.key(job_id, "done")))

    async def checkpoint(self, job_id: str, out: SegmentOut) -> None:
        """Each hash expires with the job, so a segment that finishes after a delete leaves nothing behind."""
        if out.status == "error":
            await self.kv.hset(self.key(job_id, "failed"), {out.id: b"1"})
            await self.kv.expire(self.key(job_id, "failed"), self.ttl)
        await self.kv.hset(self.key(job_id, "done"), {out.id: out.model_dump_json()})
        await self.kv.expire(self.key(job_id, "done"), self.ttl)

    async def outputs(self, job_id: str) -> dict[str, SegmentOut]:
        raw = await self.kv.hgetall(self.key(job_id, "done"))
        return {k: SegmentOut.model_validate_json(v) for k, v in raw.items()}

    async def finish(self, record: JobRecord, result: bytes) -> None:
        await self.kv.set(self.key(record.id, "result"), result, ex=self.ttl)
        for part in ("done", "failed"):
            await self.kv.expire(self.key(record.id, part), self.ttl)
        record.state = "done"
        if not await self.save(record):  # deleted while it ran: its result goes too
            await self.kv.delete(self.key(record.id, "result"))
        await self.kv.srem(self.active_key, record.id)

    async def fail(self, record: JobRecord, error: str) -> None:
        record.state = "failed"
        record.error = error
        await self.save(record)
        await self.kv.srem(self.active_key, record.id)

    async def result(self, job_id: str) -> bytes | None:
        return await self.kv.get(self.key(job_id, "result"))

    async def delete(self, record: JobRecord) -> None:
        parts = ("input", "done", "failed", "result", "callback")
        await self.kv.delete(*(self.key(record.id, p) for p in parts))
        await self.kv.delete(self.key(record.id))
        await self.kv.srem(self.active_key, record.id)
        await self.kv.srem(self.tenant_key(record.tenant), record.id)

    # Leases: a worker holds one while it runs a job and renews it; an expired lease means a dead worker.

    async def acquire(self, job_id: str, token: str) -> bool:
        return await self.kv.set(
            self.key(job_id, "lease"), token, ex=self.settings.job_lease_seconds, nx=True
        )

    async def renew(self, job_id: str, token: str) -> bool:
        """Extend our lease; take it back if it lapsed (a stalled loop) and nobody else took it."""
        holder = await self.kv.get(self.key(job_id, "lease"))
        if holder is None:
            return await self.acquire(job_id, token)
        if holder != token.encode():
            return False
        await self.kv.expire(self.key(job_id, "lease"), self.settings.job_lease_seconds)
        return True

    async def release(self, job_id: str, token: str) -> None:
        if await self.kv.get(self.key(job_id, "lease")) == token.encode():
            await self.kv.delete(self.key(job_id, "lease"))

    async def orphans(self) -> list[JobRecord]:
        """Running jobs whose worker stopped renewing its lease."""
        found = []
        for job_id in await self.kv.smembers(self.active_key):
            record = await self.get(job_id)
            if record is None or record.state in TERMINAL:
                await self.kv.srem(self.active_key, job_id)
                continue
            if record.state == "running" and await self.kv.get(self.key(job_id, "lease")) is None:
                found.append(record)
        return found
