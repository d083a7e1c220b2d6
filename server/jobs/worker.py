"""`postedit worker`: arq workers running jobs, plus a watchdog that re-queues orphaned jobs.

A job whose worker died (killed, crashed, machine lost) stops having its lease renewed; a watchdog (in
every worker and every API process) notices within a lease period and queues it again under a new arq
id. The new run skips every checkpointed segment, so nothing finished is lost or repeated.

When Redis goes away the process stays up: the arq worker it was running is dropped (its jobs cancelled,
their leases left to lapse) and a new one is started with exponential backoff until Redis answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import uuid
from typing import Any

from arq.connections import RedisSettings
from arq.worker import Worker

from server.jobs.callbacks import drain
from server.jobs.queue import REDIS_DOWN, TASK, ArqQueue, queue_name, watch_orphans
from server.jobs.runner import run_job
from server.settings import Settings
from server.state import AppState, build_state, settle_heap

__all__ = ["make_worker", "run_worker", "serve"]

log = logging.getLogger(__name__)

RECONNECT_FIRST = 0.5  # seconds before the first reconnection attempt; doubles after each failure
RECONNECT_MAX = 30.0  # cap on the wait, and how long a worker must have run to reset the backoff


async def process_job(ctx: dict[str, Any], job_id: str) -> None:
    await run_job(ctx["state"], job_id, uuid.uuid4().hex)


def make_worker(settings: Settings, state: AppState) -> Worker:
    """One arq worker on the queue, sharing `state`; signals are the supervisor's (`serve`)."""
    if not settings.redis_url:
        raise RuntimeError(
            "`postedit worker` needs Redis: set REDIS_URL (without it, the API runs jobs itself)"
        )
    return Worker(
        functions=[process_job],
        queue_name=queue_name(state),
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        ctx={"state": state},
        max_jobs=settings.worker_max_jobs,
        job_timeout=24 * 3600,
        keep_result=60,
        poll_delay=0.2,
        handle_signals=False,
    )


async def _abandon(worker: Worker) -> None:
    """Stop a worker without Redis' help: cancel its jobs (the watchdog re-queues them), drop its pool."""
    tasks = [*worker.tasks.values(), *([worker.main_task] if worker.main_task else [])]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    if worker._pool is not None:
        with contextlib.suppress(*REDIS_DOWN):
            await worker._pool.aclose(close_connection_pool=True)


async def _run_once(worker: Worker) -> None:
    """Run `worker` until it stops; a lost Redis ends the run with a log line instead of the process."""
    try:
        await worker.async_run()
    except REDIS_DOWN as exc:
        log.warning("Redis unreachable (%s): worker stopped, reconnecting", exc)
    except asyncio.CancelledError:
        this = asyncio.current_task()
        if this is not None and this.cancelling():  # we were cancelled, not just the worker (a signal)
            raise
    finally:
        await _abandon(worker)


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Take jobs until `stop` is set (SIGINT/SIGTERM), surviving Redis outages with backoff."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    state = build_state(settings)
    try:  # warm up (the LLM client's first use imports for seconds) before taking jobs
        await asyncio.wait_for(state.editor.ready(), timeout=30)
    except Exception:
        log.warning("the model does not answer yet; jobs will mark segments for review until it does")
    queue = ArqQueue.lazy(settings.redis_url or "", queue_name(state))
    watchdog = asyncio.create_task(watch_orphans(state, queue))
    current: list[Worker] = []

    def on_signal() -> None:
        stop.set()
        for worker in current:
            if worker.main_task is not None:
                worker.main_task.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    settle_heap()
    delay = RECONNECT_FIRST
    try:
        while not stop.is_set():
            started = loop.time()
            current[:] = [make_worker(settings, state)]
            await _run_once(current[0])
            if loop.time() - started > RECONNECT_MAX:
                delay = RECONNECT_FIRST
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, RECONNECT_MAX)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        watchdog.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watchdog
        with contextlib.suppress(*REDIS_DOWN):
            await queue.close()
        await drain(state)  # callbacks of jobs that just ended
        with contextlib.suppress(*REDIS_DOWN):
            await state.close()


def run_worker(settings: Settings) -> None:
    assert process_job.__name__ == TASK
    asyncio.run(serve(settings))
