"""Per-tenant glossaries and style guides: raw bytes plus metadata in the KV store, parsed on demand.

The version is the SHA-256 of the uploaded bytes, so results cached under one version are never served
after a re-upload. Parsed objects are kept in a small LRU keyed by version (parsing a large TBX once).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import OrderedDict
from typing import Any, Literal

from glossaries.languages import same_pair
from glossaries.model import ResourceError, Termbase, content_version
from server.kv import KV
from server.schemas import ResourceInfo
from server.settings import Settings

__all__ = ["ID_PATTERN", "Kind", "ResourceStore"]

Kind = Literal["glossary", "styleguide"]
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
_ID_RE = re.compile(ID_PATTERN)


def _parse(
    kind: Kind, data: bytes, filename: str, rid: str, source_lang: str | None, target_lang: str | None
) -> Any:
    if kind == "glossary":
        from glossaries import parse_termbase

        if not source_lang or not target_lang:
            raise ResourceError(filename, "source_lang and target_lang are required for a glossary")
        return parse_termbase(data, filename, source_lang=source_lang, target_lang=target_lang, id=rid)
    from glossaries import parse_style_guide

    return parse_style_guide(data, filename, id=rid)


class ResourceStore:
    def __init__(self, kv: KV, settings: Settings, *, cache_size: int = 32) -> None:
        self._kv = kv
        self._settings = settings
        self._parsed: OrderedDict[tuple[str, str, str], Any] = OrderedDict()
        self._cache_size = cache_size

    def _key(self, tenant: str, kind: Kind, rid: str, part: str) -> str:
        return self._settings.redis_key("t", tenant, kind, rid, part)

    def _index(self, tenant: str, kind: Kind) -> str:
        return self._settings.redis_key("t", tenant, kind + "s")

    @staticmethod
    def valid_id(rid: str) -> bool:
        return bool(_ID_RE.match(rid))

    async def put(
        self,
        tenant: str,
        kind: Kind,
        rid: str,
        data: bytes,
        filename: str,
        *,
        source_lang: str | None = None,
        target_lang: str | None = None,
        name: str | None = None,
    ) -> ResourceInfo:
        """Validate (raises `ResourceError` with file and line) and store; replaces an earlier version."""
        parsed = await asyncio.to_thread(_parse, kind, data, filename, rid, source_lang, target_lang)
        version = getattr(parsed, "version", None) or content_version(data)
        entries = len(parsed.entries) if isinstance(parsed, Termbase) else None
        info = ResourceInfo(
            id=rid,
            kind=kind,
            filename=filename,
            version=version,
            size=len(data),
            entries=entries,
            source_lang=source_lang if kind == "glossary" else None,
            target_lang=target_lang if kind == "glossary" else None,
            created_at=time.time(),
            name=name or getattr(parsed, "name", None),  # a style guide names itself
        )
        await self._kv.set(self._key(tenant, kind, rid, "data"), data)
        await self._kv.set(self._key(tenant, kind, rid, "meta"), info.model_dump_json())
        await self._kv.sadd(self._index(tenant, kind), rid)
        self._remember((tenant, kind, version), parsed)
        return info

    async def info(self, tenant: str, kind: Kind, rid: str) -> ResourceInfo | None:
        raw = await self._kv.get(self._key(tenant, kind, rid, "meta"))
        return ResourceInfo.model_validate(json.loads(raw)) if raw else None

    async def list_all(self, tenant: str, kind: Kind) -> list[ResourceInfo]:
        items = []
        for rid in sorted(await self._kv.smembers(self._index(tenant, kind))):
            info = await self.info(tenant, kind, rid)
            if info is not None:
                items.append(info)
        return items

    async def list_for_pair(
        self, tenant: str, kind: Kind, source_lang: str, target_lang: str
    ) -> list[ResourceInfo]:
        """Only what a request in this language pair can use: glossaries of the pair (regions aside), style
        guides that cover it (one naming no language covers every pair)."""
        items = []
        for info in await self.list_all(tenant, kind):
            if kind == "glossary":
                fits = same_pair(info.source_lang or "", info.target_lang or "", source_lang, target_lang)
            else:
                guide = await self.load(tenant, kind, info.id)
                fits = guide is not None and guide.applies_to(source_lang, target_lang)
            if fits:
                items.append(info)
        return items

    async def delete(self, tenant: str, kind: Kind, rid: str) -> bool:
        removed = await self._kv.delete(
            self._key(tenant, kind, rid, "meta"), self._key(tenant, kind, rid, "data")
        )
        await self._kv.srem(self._index(tenant, kind), rid)
        return removed > 0

    async def load(self, tenant: str, kind: Kind, rid: str) -> Any | None:
        """The parsed resource (a `Termbase` or a `StyleGuide`), or None when the tenant has no such id."""
        info = await self.info(tenant, kind, rid)
        if info is None:
            return None
        cache_key = (tenant, kind, info.version)
        if cache_key in self._parsed:
            self._parsed.move_to_end(cache_key)
            return self._parsed[cache_key]
        data = await self._kv.get(self._key(tenant, kind, rid, "data"))
        if data is None:
            return None
        parsed = await asyncio.to_thread(
            _parse, kind, data, info.filename, rid, info.source_lang, info.target_lang
        )
        self._remember(cache_key, parsed)
        return parsed

    def _remember(self, key: tuple[str, str, str], parsed: Any) -> None:
        self._parsed[key] = parsed
        self._parsed.move_to_end(key)
        while len(self._parsed) > self._cache_size:
            self._parsed.popitem(last=False)
