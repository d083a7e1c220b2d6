"""Fixed-window rate limit per API key, counted in Redis (shared by all API processes) or in process."""

from __future__ import annotations

import time

from server.kv import KV

__all__ = ["check_rate"]


async def check_rate(kv: KV, key_prefix: str, who: str, limit: int, window: int = 60) -> int | None:
    """None when allowed; otherwise the seconds until the window resets (for `Retry-After`)."""
    if limit <= 0:
        return None
    now = time.time()
    slot = int(now // window)
    count = await kv.incr(f"{key_prefix}{who}:{slot}", ex=window + 1)
    if count <= limit:
        return None
    return max(1, int((slot + 1) * window - now))
