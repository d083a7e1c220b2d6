"""The small key-value surface the server needs, on Redis or, with no REDIS_URL, in process.

Resources, jobs, checkpoints, API keys and rate limits all go through `KV`, so the in-process fallback
serves one machine with the same code paths the Redis deployment uses.
"""

from __future__ import annotations

import builtins
import time
from typing import Protocol

import redis.asyncio as aioredis

__all__ = ["KV", "MemoryKV", "RedisKV"]


class KV(Protocol):
    async def get(self, key: str) -> bytes | None: ...
    async def set(
        self, key: str, value: bytes | str, *, ex: float | None = None, nx: bool = False, xx: bool = False
    ) -> bool: ...
    async def delete(self, *keys: str) -> int: ...
    async def expire(self, key: str, seconds: float) -> None: ...
    async def incr(self, key: str, amount: int = 1, *, ex: float | None = None) -> int: ...
    async def hset(self, key: str, mapping: dict[str, bytes | str]) -> None: ...
    async def hget(self, key: str, field: str) -> bytes | None: ...
    async def hgetall(self, key: str) -> dict[str, bytes]: ...
    async def hlen(self, key: str) -> int: ...
    async def sadd(self, key: str, member: str) -> None: ...
    async def srem(self, key: str, member: str) -> None: ...
    async def smembers(self, key: str) -> builtins.set[str]: ...
    async def zcard(self, key: str) -> int: ...
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


def _b(value: bytes | str) -> bytes:
    return value.encode() if isinstance(value, str) else value


class RedisKV:
    """`KV` over redis-py asyncio (bytes in, bytes out)."""

    def __init__(self, client: aioredis.Redis) -> None:
        self.client = client

    SOCKET_TIMEOUT = (
        5.0  # seconds: a Redis that hangs fails the call (the cache then misses) instead of the request
    )

    @classmethod
    def from_url(cls, url: str) -> RedisKV:
        return cls(
            aioredis.Redis.from_url(
                url,
                decode_responses=False,
                socket_timeout=cls.SOCKET_TIMEOUT,
                socket_connect_timeout=cls.SOCKET_TIMEOUT,
            )
        )

    async def get(self, key: str) -> bytes | None:
        value: bytes | None = await self.client.get(key)
        return value

    async def set(
        self, key: str, value: bytes | str, *, ex: float | None = None, nx: bool = False, xx: bool = False
    ) -> bool:
        px = int(ex * 1000) if ex is not None else None
        return bool(await self.client.set(key, value, px=px, nx=nx, xx=xx))

    async def delete(self, *keys: str) -> int:
        return int(await self.client.delete(*keys)) if keys else 0

    async def expire(self, key: str, seconds: float) -> None:
        await self.client.pexpire(key, int(seconds * 1000))

    async def incr(self, key: str, amount: int = 1, *, ex: float | None = None) -> int:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incrby(key, amount)
            if ex is not None:
                pipe.pexpire(key, int(ex * 1000), nx=True)
            result = await pipe.execute()
        return int(result[0])

    async def hset(self, key: str, mapping: dict[str, bytes | str]) -> None:
        await self.client.hset(key, mapping=dict(mapping))  # type: ignore[misc]

    async def hget(self, key: str, field: str) -> bytes | None:
        value: bytes | None = await self.client.hget(key, field)  # type: ignore[misc]
        return value

    async def hgetall(self, key: str) -> dict[str, bytes]:
        raw: dict[bytes, bytes] = await self.client.hgetall(key)  # type: ignore[misc]
        return {k.decode(): v for k, v in raw.items()}

    async def hlen(self, key: str) -> int:
        return int(await self.client.hlen(key))  # type: ignore[misc]

    async def sadd(self, key: str, member: str) -> None:
        await self.client.sadd(key, member)  # type: ignore[misc]

    async def srem(self, key: str, member: str) -> None:
        await self.client.srem(key, member)  # type: ignore[misc]

    async def smembers(self, key: str) -> builtins.set[str]:
        raw: builtins.set[bytes] = await self.client.smembers(key)  # type: ignore[misc]
        return {m.decode() for m in raw}

    async def zcard(self, key: str) -> int:
        return int(await self.client.zcard(key))

    async def ping(self) -> bool:
        try:
            return bool(await self.client.ping())
        except (aioredis.RedisError, OSError):
            return False

    async def close(self) -> None:
        await self.client.aclose()


class MemoryKV:
    """`KV` in a dict, for one process without Redis. Expiry is checked lazily on access."""

    def __init__(self) -> None:
        self._data: dict[str, object] = {}
        self._expiry: dict[str, float] = {}

    def _live(self, key: str) -> object | None:
        deadline = self._expiry.get(key)
        if deadline is not None and deadline <= time.monotonic():
            self._data.pop(key, None)
            self._expiry.pop(key, None)
        return self._data.get(key)

    def _hash(self, key: str) -> dict[str, bytes]:
        current = self._live(key)
        if not isinstance(current, dict):
            current = {}
            self._data[key] = current
        return current

    def _set_of(self, key: str) -> builtins.set[str]:
        current = self._live(key)
        if not isinstance(current, builtins.set):
            current = builtins.set()
            self._data[key] = current
        return current

    async def get(self, key: str) -> bytes | None:
        value = self._live(key)
        return value if isinstance(value, bytes) else None

    async def set(
        self, key: str, value: bytes | str, *, ex: float | None = None, nx: bool = False, xx: bool = False
    ) -> bool:
        if (nx and self._live(key) is not None) or (xx and self._live(key) is None):
            return False
        self._data[key] = _b(value)
        if ex is not None:
            self._expiry[key] = time.monotonic() + ex
        else:
            self._expiry.pop(key, None)
        return True

    async def delete(self, *keys: str) -> int:
        count = 0
        for key in keys:
            if self._live(key) is not None:
                count += 1
            self._data.pop(key, None)
            self._expiry.pop(key, None)
        return count

    async def expire(self, key: str, seconds: float) -> None:
        if self._live(key) is not None:
            self._expiry[key] = time.monotonic() + seconds

    async def incr(self, key: str, amount: int = 1, *, ex: float | None = None) -> int:
        current = self._live(key)
        value = (int(current) if isinstance(current, bytes) else 0) + amount
        self._data[key] = str(value).encode()
        if ex is not None and key not in self._expiry:
            self._expiry[key] = time.monotonic() + ex
        return value

    async def hset(self, key: str, mapping: dict[str, bytes | str]) -> None:
        self._hash(key).update({k: _b(v) for k, v in mapping.items()})

    async def hget(self, key: str, field: str) -> bytes | None:
        return self._hash(key).get(field)

    async def hgetall(self, key: str) -> dict[str, bytes]:
        return dict(self._hash(key))

    async def hlen(self, key: str) -> int:
        return len(self._hash(key))

    async def sadd(self, key: str, member: str) -> None:
        self._set_of(key).add(member)

    async def srem(self, key: str, member: str) -> None:
        self._set_of(key).discard(member)

    async def smembers(self, key: str) -> builtins.set[str]:
        return builtins.set(self._set_of(key))

    async def zcard(self, key: str) -> int:
        return 0

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        return None
