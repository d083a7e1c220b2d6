"""Running one job: parse its input, skip checkpointed segments, edit the rest, assemble the result."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from formats.xliff import XliffDocument, XliffError
from memory import Origin
from server.documents import DocumentError, jsonl_result, jsonl_segments, read_xliff, xliff_result
from server.jobs import callbacks
from server.jobs.store import TERMINAL, JobRecord, JobStore
from server.learning import finals, learn
from server.rejections import Rejected
from server.schemas import SegmentIn
from server.segments import BatchContext, make_context
from server.state import AppState

__all__ = ["run_job"]

log = logging.getLogger(__name__)


async def _keep_lease(store: JobStore, job_id: str, token: str, stop: asyncio.Event) -> None:
    """Renew the lease; set `stop` when the job is cancelled/deleted or the lease was lost."""
    interval = max(0.2, store.settings.job_lease_seconds / 3)
    while not stop.is_set():
        await asyncio.sleep(interval)
        record = await store.get(job_id)
        if record is None or record.state in TERMINAL or not await store.renew(job_id, token):
            stop.set()


async def _open(
    state: AppState, record: JobRecord, data: bytes
) -> tuple[XliffDocument | None, list[SegmentIn], BatchContext]:
    """The job's document, its segments and their context. Parsing a large file takes seconds: off the event
    loop, which may be the API's (no Redis). Signed-off XLIFF units teach the job's memory first."""
    if record.kind == "xliff":
        doc, segments = await asyncio.to_thread(read_xliff, data)
    else:
        doc, segments = None, await asyncio.to_thread(jsonl_segments, data)
    options = record.options.model_dump()
    if doc is not None and not options.get("placeholders"):
        options["placeholders"] = doc.placeholders  # the file type's, unless the job named some
    ctx = await make_context(state, record.tenant, **options)
    await ctx.learn_alignment(segments)
    if doc is not None:
        memory_id = options.get("memory_id")
        await learn(state.memories, record.tenant, memory_id, finals(doc), Origin.XLIFF_FINAL)
    return doc, segments, ctx


async def run_job(state: AppState, job_id: str, token: str) -> None:
    """Idempotent: a finished, cancelled or leased (running elsewhere) job is left alone."""
    store = JobStore(state.kv, state.settings)
    running = state.running_jobs
    if job_id in running:  # already running in this process (a re-queue after a stalled event loop)
        return
    record = await store.get(job_id)
    if record is None or record.state in TERMINAL or not await store.acquire(job_id, token):
        return
    running.add(job_id)
    stop = asyncio.Event()
    keeper = asyncio.create_task(_keep_lease(store, job_id, token, stop))
    try:
        data = await store.input(job_id)
        if data is None:
            await store.fail(record, "the job's input has expired")
            return
        doc, segments, ctx = await _open(state, record, data)
        record.state, record.total = "running", len(segments)
        if not await store.save(record):
            return  # deleted while its input was read
        finished = await store.finished_ids(job_id)
        todo = iter([s for s in segments if s.id not in finished])
        log.info("job %s: %d segments, %d already done", job_id, len(segments), len(finished))

        async def lane() -> None:
            for seg in todo:  # lanes share one iterator: each segment is taken exactly once
                if stop.is_set():
                    return
                await store.checkpoint(job_id, await ctx.run(seg))

        await asyncio.gather(*(lane() for _ in range(max(1, state.settings.concurrency))))
        if stop.is_set():
            return
        outs = await store.outputs(job_id)
        result = xliff_result(data, doc, outs) if doc is not None else jsonl_result(segments, outs)
        await store.finish(record, result)
        log.info("job %s done", job_id)
    except (XliffError, DocumentError) as exc:
        await store.fail(record, str(exc))
    except Rejected as exc:  # a resource deleted or changed since the job was queued
        await store.fail(record, exc.message)
    finally:
        if record.state in {"done", "failed"} and record.callback_url:
            callbacks.schedule(state, job_id)  # its own task: retries never hold up the next job
        running.discard(job_id)
        stop.set()
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
        await store.release(job_id, token)
