"""Where jobs go: the arq queue on Redis (run by `postedit worker` processes), or in process without Redis."""

from __future__ import annotations

import asyncio
import uuid
from typing import Protocol

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from server.jobs.callbacks import drain
from server.state import AppState

__all__ = ["ArqQueue", "JobQueue", "LocalQueue", "arq_job_id", "queue_name", "start_queue"]

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


async def start_queue(state: AppState) -> None:
    queue: JobQueue
    if state.settings.redis_url:
        queue = await ArqQueue.connect(state.settings.redis_url, queue_name(state))
    else:
        queue = LocalQueue(state)
    state.extras["queue"] = queue
