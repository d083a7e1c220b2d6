"""API keys mapped to tenants: from settings (`KEY:TENANT,...`), a YAML/JSON keys file, or a Redis hash.

Redis holds `HSET {prefix}apikeys <sha256(key)> <tenant>` so keys can be added without a restart and are
never stored in clear there. With nothing configured in development, the documented `dev-key` maps to
tenant `default` so `postedit serve` works out of the box; production refuses to start instead.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import yaml

from server.kv import KV
from server.settings import DEV_KEY, Settings

__all__ = ["KeyStore", "Tenant", "fingerprint", "parse_authorization"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tenant:
    id: str
    key_fingerprint: str


def fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def parse_authorization(header: str | None) -> str | None:
    """The key from `Bearer KEY` or `DeepL-Auth-Key KEY`; None when absent or of another scheme."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() in {"bearer", "deepl-auth-key"} and value.strip():
        return value.strip()
    return None


def _parse_pairs(text: str) -> dict[str, str]:
    keys: dict[str, str] = {}
    for item in text.split(","):
        key, sep, tenant = item.strip().rpartition(":")
        if sep and key and tenant:
            keys[key] = tenant
    return keys


def _load_file(path: Path) -> dict[str, str]:
    data = (json.loads if path.suffix == ".json" else yaml.safe_load)(path.read_text(encoding="utf-8"))
    keys = data.get("keys", data) if isinstance(data, dict) else {}
    if isinstance(keys, list):  # [{key: ..., tenant: ...}, ...]
        return {str(k["key"]): str(k["tenant"]) for k in keys}
    return {str(k): str(v) for k, v in keys.items()}


class KeyStore:
    def __init__(self, static: dict[str, str], kv: KV, redis_hash: str | None) -> None:
        self._static = {fingerprint(k): t for k, t in static.items()}
        self._kv = kv
        self._redis_hash = redis_hash

    @classmethod
    def from_settings(cls, settings: Settings, kv: KV, *, uses_redis: bool) -> KeyStore:
        static = _parse_pairs(settings.api_keys)
        if settings.api_keys_file is not None:
            static.update(_load_file(settings.api_keys_file))
        if not static and not uses_redis:
            if settings.env == "production":
                raise RuntimeError("no API keys configured: set POSTEDIT_API_KEYS or POSTEDIT_API_KEYS_FILE")
            log.warning("no API keys configured: development key %r maps to tenant 'default'", DEV_KEY)
            static = {DEV_KEY: "default"}
        elif not static and settings.env == "development":
            static = {DEV_KEY: "default"}
        return cls(static, kv, settings.redis_key("apikeys") if uses_redis else None)

    async def ensure_keys(self, settings: Settings) -> None:
        """Refuse to serve production with no key anywhere (none configured, none in the Redis hash): every
        request would be rejected, which looks like a running server but is an outage."""
        if settings.env != "production" or self._static:
            return
        if self._redis_hash is None or not await self._kv.hlen(self._redis_hash):
            raise RuntimeError(
                "no API keys configured: set POSTEDIT_API_KEYS or POSTEDIT_API_KEYS_FILE, "
                f"or add keys to the Redis hash {self._redis_hash}"
            )

    async def tenant_for(self, key: str) -> Tenant | None:
        fp = fingerprint(key)
        tenant = self._static.get(fp)
        if tenant is None and self._redis_hash is not None:
            raw = await self._kv.hget(self._redis_hash, fp)
            tenant = raw.decode() if raw else None
        return Tenant(tenant, fp) if tenant else None
