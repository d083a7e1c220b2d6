"""Fixed-window rate limit per API key, counted in Redis (shared by all API processes) or in process.

The limit fails open: with Redis unreachable a request is let through (counted in
`postedit_rate_limit_fail_open_total`, logged at most every 10 seconds) rather than refused, so
an outage of the counter store does not take the whole API down with it.
"""

from __future__ import annotations

import logging
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from server import metrics
from server.kv import KV

__all__ = ["check_rate"]

log = logging.getLogger(__name__)

_warn = metrics.LogEvery(10.0)


def _fail_open(exc: Exception) -> None:
    metrics.RATE_LIMIT_FAIL_OPEN.inc()
    if _warn.due():
        log.warning("rate limit not enforced: its store is unreachable (%s); letting requests through", exc)


async def check_rate(kv: KV, key_prefix: str, who: str, limit: int, window: int = 60) -> int | None:
    """None when allowed (or when the counter cannot be reached); otherwise the seconds until the window
    resets (for `Retry-After`)."""
    if limit <= 0:
        return None
    now = time.time()
    slot = int(now // window)
    try:
        count = await kv.incr(f"{key_prefix}{who}:{slot}", ex=window + 1)
    except (RedisConnectionError, RedisTimeoutError) as exc:
        _fail_open(exc)
        return None
    if count <= limit:
        return None
    return max(1, int((slot + 1) * window - now))
