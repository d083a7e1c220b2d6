"""Result cache: repeated segments skip the agent. In memory for one process, Redis for a fleet.

The key hashes everything that changes the answer, so a glossary, style guide, prompt or model change
can never serve a stale result.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from agent.types import EditOptions, Segment, SegmentResult, result_from_json

if TYPE_CHECKING:
    from redis.asyncio import Redis


class ResultCache(Protocol):
    async def get(self, key: str) -> SegmentResult | None: ...
    async def set(self, key: str, result: SegmentResult) -> None: ...


def cache_key(
    segment: Segment,
    options: EditOptions,
    *,
    resource_versions: tuple[str, ...],
    prompt_version: str,
    model: str,
    scope: str = "",
    alignment: str = "",
) -> str:
    """SHA-256 over texts, languages, options, resource versions, prompt version, model, tenant scope and
    the job's word alignment (`Lexicon.digest`, for a segment whose lost tags it may place)."""
    payload = {
        "source": segment.source,
        "mt": segment.mt,
        "context": segment.context,
        "terms": [
            [[t.text, t.status.value, t.case_sensitive] for t in e.source + e.target] for e in segment.terms
        ],
        "memory": [[m.source, m.target, m.score] for m in segment.memory],
        "langs": [options.source_lang, options.target_lang],
        "mode": options.mode.value,
        "explain": options.explain,
        "rounds": options.max_rounds,
        "instructions": list(options.instructions),
        "placeholders": list(options.placeholders),
        "resources": list(resource_versions),
        "prompt": prompt_version,
        "model": model,
        "scope": scope,
        "alignment": alignment,
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()


class InMemoryResultCache:
    """Bounded LRU in this process; the fallback when no Redis is configured."""

    def __init__(self, max_items: int = 50_000) -> None:
        self._items: OrderedDict[str, str] = OrderedDict()
        self._max = max_items

    async def get(self, key: str) -> SegmentResult | None:
        blob = self._items.get(key)
        if blob is None:
            return None
        self._items.move_to_end(key)
        return result_from_json(json.loads(blob))

    async def set(self, key: str, result: SegmentResult) -> None:
        self._items[key] = json.dumps(_cacheable(result))
        self._items.move_to_end(key)
        while len(self._items) > self._max:
            self._items.popitem(last=False)


class RedisResultCache:
    """Shared by API processes and workers; entries expire so an abandoned tenant's cache does not grow forever.

    Lookups (and writes) made in the same event-loop turn go to Redis together, as one MGET (one
    pipeline): the segments of a batch start together, so a batch of 50 costs two round trips, not 100,
    and a round trip through redis-py costs more CPU than the agent's checks.
    """

    def __init__(
        self, redis: Redis, *, prefix: str = "postedit:cache:", ttl_seconds: int = 30 * 86400
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl = ttl_seconds
        self._reads = _TurnBatch(self._get_many)
        self._writes = _TurnBatch(self._set_many)

    async def get(self, key: str) -> SegmentResult | None:
        blob = await self._reads.submit(self._prefix + key)
        return None if blob is None else result_from_json(json.loads(blob))

    async def set(self, key: str, result: SegmentResult) -> None:
        await self._writes.submit((self._prefix + key, json.dumps(_cacheable(result))))

    async def _get_many(self, keys: list[str]) -> list[bytes | None]:
        return list(await self._redis.mget(keys))

    async def _set_many(self, items: list[tuple[str, str]]) -> list[None]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, blob in items:
                pipe.set(key, blob, ex=self._ttl)
            await pipe.execute()
        return [None] * len(items)


In = TypeVar("In")
Out = TypeVar("Out")


class _TurnBatch(Generic[In, Out]):
    """Calls of `submit` made in one event-loop turn are answered by a single call of `run` with all inputs.

    `run` returns one output per input, in order; if it raises, every caller of that batch gets the error.
    """

    def __init__(self, run: Callable[[list[In]], Awaitable[list[Out]]]) -> None:
        self._run = run
        self._pending: list[tuple[In, asyncio.Future[Out]]] = []
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop the pending batch will be flushed on
        self._flushing: set[asyncio.Task[None]] = set()  # strong references until each batch is answered

    async def submit(self, item: In) -> Out:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Out] = loop.create_future()
        if not self._pending or loop is not self._loop:  # (a batch left by a closed loop has no one waiting)
            self._pending, self._loop = [], loop
            loop.call_soon(self._flush)  # after every task already scheduled for this turn has submitted
        self._pending.append((item, future))
        return await future

    def _flush(self) -> None:
        batch, self._pending = self._pending, []
        task = asyncio.ensure_future(self._answer(batch))
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def _answer(self, batch: list[tuple[In, asyncio.Future[Out]]]) -> None:
        try:
            outputs = await self._run([item for item, _ in batch])
        except Exception as exc:  # delivered to each caller, which decides what an outage means
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), output in zip(batch, outputs, strict=True):
            if not future.done():  # a caller cancelled meanwhile
                future.set_result(output)


def _cacheable(result: SegmentResult) -> dict[str, object]:
    """The wire form plus what the wire omits (entry ids, expected terms), so a cache hit fixes as well."""
    data = result.to_json()
    data["violations"] = [asdict(v) for v in result.violations]
    data["violations_before"] = [asdict(v) for v in result.violations_before]
    return data
