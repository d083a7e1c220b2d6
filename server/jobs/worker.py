"""`postedit worker`: an arq worker process running jobs, plus a watchdog that re-queues orphaned jobs.

A job whose worker died (killed, crashed, machine lost) stops having its lease renewed; any live worker
notices within a lease period and queues it again under a new arq id. The new run skips every
checkpointed segment, so nothing finished is lost or repeated.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

from arq.connections import RedisSettings
from arq.worker import Worker

from server.jobs.callbacks import drain
from server.jobs.queue import TASK, ArqQueue, queue_name
from server.jobs.runner import run_job
from server.jobs.store import JobStore
from server.settings import Settings
from server.state import AppState, build_state, settle_heap

__all__ = ["make_worker", "run_worker"]

log = logging.getLogger(__name__)


async def process_job(ctx: dict[str, Any], job_id: str) -> None:
    await run_job(ctx["state"], job_id, uuid.uuid4().hex)


async def _watchdog(state: AppState, queue: ArqQueue) -> None:
    store = JobStore(state.kv, state.settings)
    interval = max(0.2, state.settings.job_lease_seconds / 2)
    while True:
        try:
            for record in await store.orphans():
                claim = store.key(record.id, f"requeue-{record.attempt + 1}")
                if await state.kv.set(claim, "1", ex=3600, nx=True):
                    record.attempt += 1
                    await store.save(record)
                    await queue.enqueue(record.id, record.attempt)
                    log.warning("job %s: worker lost, queued again (attempt %d)", record.id, record.attempt)
        except Exception:
            log.exception("watchdog pass failed")
        await asyncio.sleep(interval)


def make_worker(settings: Settings) -> Worker:
    if not settings.redis_url:
        raise RuntimeError(
            "`postedit worker` needs Redis: set REDIS_URL (without it, the API runs jobs itself)"
        )
    name = settings.redis_key("queue")

    async def startup(ctx: dict[str, Any]) -> None:
        state = build_state(settings)
        ctx["state"] = state
        try:  # warm up (the LLM client's first use imports for seconds) before taking jobs
            await asyncio.wait_for(state.editor.ready(), timeout=30)
        except Exception:
            log.warning("the model does not answer yet; jobs will mark segments for review until it does")
        queue = await ArqQueue.connect(settings.redis_url or "", queue_name(state))
        ctx["queue"] = queue
        ctx["watchdog"] = asyncio.create_task(_watchdog(state, queue))
        settle_heap()

    async def shutdown(ctx: dict[str, Any]) -> None:
        ctx["watchdog"].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ctx["watchdog"]
        await ctx["queue"].close()
        await drain(ctx["state"])  # callbacks of jobs that just ended
        await ctx["state"].close()

    return Worker(
        functions=[process_job],
        queue_name=name,
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        on_startup=startup,
        on_shutdown=shutdown,
        max_jobs=settings.worker_max_jobs,
        job_timeout=24 * 3600,
        keep_result=60,
        poll_delay=0.2,
        handle_signals=True,
    )


def run_worker(settings: Settings) -> None:
    assert process_job.__name__ == TASK
    make_worker(settings).run()
