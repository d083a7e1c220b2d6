"""Typed dependencies for routes (`Annotated` aliases); tests may override `get_state`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from server.auth import Tenant, parse_authorization
from server.engine import Editor
from server.errors import ApiError, is_deepl_path
from server.ratelimit import check_rate
from server.resources import ResourceStore
from server.settings import Settings
from server.state import AppState

__all__ = ["EditorDep", "ResourcesDep", "SettingsDep", "StateDep", "TenantDep", "get_state"]


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.postedit
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def _settings(state: StateDep) -> Settings:
    return state.settings


def _editor(state: StateDep) -> Editor:
    return state.editor


def _resources(state: StateDep) -> ResourceStore:
    return state.resources


async def _throttle_guesses(request: Request, state: AppState) -> None:
    """429 once a client address has sent too many wrong keys this minute: guessing stays slow, and each
    guess would otherwise cost a Redis lookup."""
    limit = state.settings.auth_failures_per_minute
    who = request.client.host if request.client else "unknown"
    retry = await check_rate(state.kv, state.settings.redis_key("rl-badkey", ""), who, limit)
    if retry is not None:
        raise ApiError(
            429,
            f"more than {limit} wrong API keys per minute from this address",
            headers={"Retry-After": str(retry)},
        )


async def current_tenant(request: Request, state: StateDep) -> Tenant:
    """The caller's tenant from `Authorization: Bearer KEY` or `DeepL-Auth-Key KEY`; then the rate limit.

    DeepL answers a bad key with 403, so `/v2` and `/v3` do too; `/v1` answers 401.
    """
    deepl = is_deepl_path(request.url.path)
    key = parse_authorization(request.headers.get("authorization"))
    if key is None:
        raise ApiError(
            403 if deepl else 401,
            "missing API key: send 'Authorization: Bearer KEY' or 'Authorization: DeepL-Auth-Key KEY'",
            code="unauthorized",
            headers=None if deepl else {"WWW-Authenticate": "Bearer"},
        )
    tenant = await state.keys.tenant_for(key)
    if tenant is None:
        await _throttle_guesses(request, state)
        raise ApiError(403 if deepl else 401, "invalid API key", code="unauthorized")
    limit = state.settings.rate_limit_per_minute
    retry = await check_rate(state.kv, state.settings.redis_key("rl", ""), tenant.key_fingerprint[:32], limit)
    if retry is not None:
        raise ApiError(
            429, f"rate limit of {limit} requests per minute exceeded", headers={"Retry-After": str(retry)}
        )
    return tenant


SettingsDep = Annotated[Settings, Depends(_settings)]
EditorDep = Annotated[Editor, Depends(_editor)]
ResourcesDep = Annotated[ResourceStore, Depends(_resources)]
TenantDep = Annotated[Tenant, Depends(current_tenant)]
