"""Characters translated per tenant and calendar month (UTC): what DeepL's `/v2/usage` reports.

DeepL plugins call `/v2/usage` to validate a key and show the quota, and expect HTTP 456 once a request
would go over it. Counts live in Redis when configured (shared by all API processes) and expire after
two months.
"""

from __future__ import annotations

from datetime import UTC, datetime

from server.errors import ApiError
from server.state import AppState

__all__ = ["QUOTA_EXCEEDED", "characters_used", "check_quota", "count_characters"]

QUOTA_EXCEEDED = 456  # DeepL's status for "Quota exceeded"
KEEP_SECONDS = 62 * 86400


def _key(state: AppState, tenant: str) -> str:
    return state.settings.redis_key("usage", tenant, datetime.now(UTC).strftime("%Y-%m"))


async def characters_used(state: AppState, tenant: str) -> int:
    value = await state.kv.get(_key(state, tenant))
    return int(value) if value is not None else 0


async def check_quota(state: AppState, tenant: str, characters: int) -> None:
    """A 456 when translating `characters` more would go over this month's limit."""
    used = await characters_used(state, tenant)
    if used + characters > state.settings.deepl_character_limit:
        raise ApiError(
            QUOTA_EXCEEDED,
            f"Quota exceeded. The character limit has been reached: {used} of "
            f"{state.settings.deepl_character_limit} characters used this month, this request has {characters}.",
            code="quota_exceeded",
        )


async def count_characters(state: AppState, tenant: str, characters: int) -> None:
    await state.kv.incr(_key(state, tenant), characters, ex=KEEP_SECONDS)
