"""Where jobs go: the arq queue on Redis (run by `postedit worker` processes), or in process without Redis.

`watch_orphans` re-queues jobs whose worker stopped renewing its lease (killed, or cut off from Redis). It
runs in every worker and in every API process, so a stalled job moves again even with no worker left to
notice; a claim key taken with SET NX makes each re-queue happen once however many watchdogs see it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Protocol

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from redis.asyncio import ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from server.jobs.callbacks import drain
from server.jobs.store import JobStore
from server.state import AppState

__all__ = [
    "ArqQueue",
    "JobQueue",
    "LocalQueue",
    "arq_job_id",
    "queue_name",
    "start_queue",
    "watch_orphans",
]

log = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)

TASK = "process_job"


def queue_name(state: AppState) -> str:
    return state.settings.redis_key("queue")


def arq_job_id(job_id: str, attempt: int) -> str:
    return f"{job_id}.{attempt}"


class JobQueue(Protocol):
    async def enqueue(self, job_id: str, attempt: int = 0) -> None: ...
    async def depth(self) -> int: ...
    async def close(self) -> None: ...


class ArqQueue:
    def __init__(self, pool: ArqRedis, name: str) -> None:
        self.pool = pool
        self.name = name

    @classmethod
    async def connect(cls, url: str, name: str) -> ArqQueue:
        return cls(await create_pool(RedisSettings.from_dsn(url), default_queue_name=name), name)

    @classmethod
    def lazy(cls, url: str, name: str) -> ArqQueue:
        """Connect on first use, without arq's ping-and-give-up: a worker may start while Redis is down."""
        return cls(ArqRedis(ConnectionPool.from_url(url), default_queue_name=name), name)

    async def enqueue(self, job_id: str, attempt: int = 0) -> None:
        await self.pool.enqueue_job(TASK, job_id, _job_id=arq_job_id(job_id, attempt), _queue_name=self.name)

    async def depth(self) -> int:
        return int(await self.pool.zcard(self.name))

    async def close(self) -> None:
        await self.pool.aclose()


class LocalQueue:
    """No Redis: jobs run as tasks of this process (one machine; lost on restart)."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.tasks: set[asyncio.Task[None]] = set()

    async def enqueue(self, job_id: str, attempt: int = 0) -> None:
        from server.jobs.runner import run_job

        task = asyncio.create_task(run_job(self.state, job_id, uuid.uuid4().hex))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def depth(self) -> int:
        return sum(not t.done() for t in self.tasks)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await drain(self.state)


async def start_queue(state: AppState) -> JobQueue:
    """The process's job queue (on Redis, else in process), kept in `state.queue` for the routes."""
    queue: JobQueue
    if state.settings.redis_url:
        queue = await ArqQueue.connect(state.settings.redis_url, queue_name(state))
    else:
        queue = LocalQueue(state)
    state.queue = queue
    return queue


async def requeue_orphans(state: AppState, queue: JobQueue) -> int:
    """One pass: queue again, under a new attempt, every running job whose lease lapsed; how many."""
    store = JobStore(state.kv, state.settings)
    moved = 0
    for record in await store.orphans():
        # One re-queue per two lease periods, whichever watchdog sees it first: time for a worker to take it.
        claim = store.key(record.id, "requeued")
        if await state.kv.set(claim, "1", ex=2 * state.settings.job_lease_seconds, nx=True):
            record.attempt += 1
            await store.save(record)
            await queue.enqueue(record.id, record.attempt)
            log.warning("job %s: worker lost, queued again (attempt %d)", record.id, record.attempt)
            moved += 1
    return moved


async def watch_orphans(state: AppState, queue: JobQueue) -> None:
    """Run `requeue_orphans` every half lease until cancelled; a Redis outage only skips passes."""
    interval = max(0.2, state.settings.job_lease_seconds / 2)
    down = False  # log an outage once when it starts and once when it ends, not every pass
    while True:
        try:
            await requeue_orphans(state, queue)
            if down:
                log.warning("watchdog: Redis reachable again")
            down = False
        except REDIS_DOWN as exc:
            if not down:
                log.warning("watchdog: Redis unreachable (%s); retrying every %.1f s", exc, interval)
            down = True
        except Exception:
            log.exception("watchdog pass failed")
        await asyncio.sleep(interval)
