"""What one app (or worker) process holds: settings, the KV store, the agent, keys, resources and memories."""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from memory import MemoryStore, open_store
from server.auth import KeyStore
from server.engine import Editor, build_editor
from server.kv import KV, MemoryKV, RedisKV
from server.resources import ResourceStore
from server.settings import Settings

if TYPE_CHECKING:
    from server.jobs.queue import JobQueue

__all__ = ["AppState", "build_state", "settle_heap"]


@dataclass
class AppState:
    settings: Settings
    kv: KV
    editor: Editor
    keys: KeyStore
    resources: ResourceStore
    memories: MemoryStore
    uses_redis: bool
    queue: JobQueue | None = None  # set up by `server.jobs.queue.start_queue`
    running_jobs: set[str] = field(default_factory=set)  # job ids this process is working on
    callback_tasks: set[asyncio.Task[None]] = field(default_factory=set)  # webhook deliveries in flight

    async def close(self) -> None:
        await self.kv.close()
        await self.memories.close()


def build_state(settings: Settings, *, editor: Editor | None = None) -> AppState:
    kv: KV = RedisKV.from_url(settings.redis_url) if settings.redis_url else MemoryKV()
    uses_redis = settings.redis_url is not None
    return AppState(
        settings=settings,
        kv=kv,
        editor=editor if editor is not None else build_editor(settings, kv),
        keys=KeyStore.from_settings(settings, kv, uses_redis=uses_redis),
        resources=ResourceStore(kv, settings),
        memories=open_store(settings.memory_store_url()),
        uses_redis=uses_redis,
    )


def settle_heap() -> None:
    """Exempt what startup built from garbage collection; call once a process is ready to serve.

    litellm's model tables, the app and the compiled graph are hundreds of thousands of objects that live
    as long as the process. Left in the collector's care, every full collection walks all of them: under
    load that was a sixth of the API's CPU and a 100-200 ms pause in one request of four
    (bench/bench_api.py).
    """
    gc.collect()
    gc.freeze()
