"""The Redis result cache against a real Redis: batched lookups and writes, and an outage."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis
from redis.asyncio import Redis

from agent.cache import RedisResultCache
from agent.types import SegmentResult, Status
from tests.support.fixtures import SESSION
from tests.support.ports import free_port

pytestmark = pytest.mark.redis


def result(i: int) -> SegmentResult:
    return SegmentResult(
        id=str(i), source=f"source {i}", mt=f"mt {i}", output=f"output {i}", status=Status.EDITED
    )


async def test_concurrent_writes_and_reads_each_get_their_own_result(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    prefix = f"test-{SESSION}-cache-{uuid.uuid4().hex[:8]}:"
    cache = RedisResultCache(client, prefix=prefix, ttl_seconds=60)
    await asyncio.gather(*(cache.set(f"k{i}", result(i)) for i in range(0, 40, 2)))  # even keys only
    found = await asyncio.gather(*(cache.get(f"k{i}") for i in (*range(40), 4, 4)))
    for i, hit in enumerate(found[:40]):
        assert (hit is not None and hit.output == f"output {i}") if i % 2 == 0 else hit is None
    assert found[40] is not None and found[40].output == found[41].output == "output 4"  # asked twice
    assert 0 < await client.ttl(f"{prefix}k0") <= 60
    await client.aclose()


async def test_an_unreachable_redis_fails_every_waiting_lookup_instead_of_hanging() -> None:
    client = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
    cache = RedisResultCache(client)
    outcomes = await asyncio.wait_for(
        asyncio.gather(*(cache.get(f"k{i}") for i in range(5)), return_exceptions=True), timeout=10
    )
    assert all(isinstance(o, redis.ConnectionError) for o in outcomes)
    await client.aclose()
