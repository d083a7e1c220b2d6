"""Result cache: repeated segments skip the agent. In memory for one process, Redis for a fleet.

The key hashes everything that changes the answer, so a glossary, style guide, prompt or model change
can never serve a stale result.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import asdict
from typing import TYPE_CHECKING, Protocol

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
) -> str:
    """SHA-256 over texts, languages, options, resource versions, prompt version, model and tenant scope."""
    payload = {
        "source": segment.source,
        "mt": segment.mt,
        "context": segment.context,
        "terms": [
            [[t.text, t.status.value, t.case_sensitive] for t in e.source + e.target] for e in segment.terms
        ],
        "langs": [options.source_lang, options.target_lang],
        "mode": options.mode.value,
        "explain": options.explain,
        "rounds": options.max_rounds,
        "instructions": list(options.instructions),
        "resources": list(resource_versions),
        "prompt": prompt_version,
        "model": model,
        "scope": scope,
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
    """Shared by API processes and workers; entries expire so an abandoned tenant's cache does not grow forever."""

    def __init__(
        self, redis: Redis, *, prefix: str = "postedit:cache:", ttl_seconds: int = 30 * 86400
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl = ttl_seconds

    async def get(self, key: str) -> SegmentResult | None:
        blob = await self._redis.get(self._prefix + key)
        return None if blob is None else result_from_json(json.loads(blob))

    async def set(self, key: str, result: SegmentResult) -> None:
        await self._redis.set(self._prefix + key, json.dumps(_cacheable(result)), ex=self._ttl)


def _cacheable(result: SegmentResult) -> dict[str, object]:
    """The wire form plus what the wire omits (entry ids, expected terms), so a cache hit fixes as well."""
    data = result.to_json()
    data["violations"] = [asdict(v) for v in result.violations]
    data["violations_before"] = [asdict(v) for v in result.violations_before]
    return data
