"""Memories to and from TMX 1.4: entries become units with the memory's two languages, and back."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast

from agent.markup import find_markup
from formats.tmx import TmxError, TmxHeader, TmxUnit, TmxVariant, read_tmx, write_tmx
from memory.model import Entry, MemoryInfo, NewEntry, Origin

__all__ = ["entries_from_tmx", "tmx_chunks"]

TMX_DATE = "%Y%m%dT%H%M%SZ"  # TMX 1.4's date form (ISO 8601 basic, UTC)
ORIGIN_PROP = "x-postedit-origin"


def entries_from_tmx(data: bytes, info: MemoryInfo, counts: dict[str, int]) -> list[NewEntry]:
    """The units that hold both of the memory's languages; `counts["skipped"]` counts the others.
    Runs in a thread (it parses the whole upload); TmxError names the line of a broken file."""
    _header, units = read_tmx(data)
    entries = []
    for unit in units:
        source, target = unit.text(info.source_lang), unit.text(info.target_lang)
        if not source or not target:
            counts["skipped"] = counts.get("skipped", 0) + 1
            continue
        entries.append(
            NewEntry(
                source=source,
                target=target,
                origin=Origin.IMPORT,
                tuid=unit.id,
                created_at=_date(unit.changedate or unit.creationdate),
                created_by=unit.creationid,
            )
        )
    return entries


def _date(value: str | None) -> datetime:
    if value:
        try:
            return datetime.strptime(value, TMX_DATE).replace(tzinfo=UTC)
        except ValueError:
            pass
    return datetime.now(UTC)


def _unit(entry: Entry, info: MemoryInfo) -> TmxUnit:
    return TmxUnit(
        id=entry.tuid or str(entry.id),
        variants=(TmxVariant(info.source_lang, entry.source), TmxVariant(info.target_lang, entry.target)),
        props=((ORIGIN_PROP, entry.origin.value),),
        creationdate=entry.created_at.astimezone(UTC).strftime(TMX_DATE),
        creationid=entry.created_by,
    )


def as_tmx_markup(text: str) -> str:
    """Text whose tags are not TMX inline elements (an XLIFF `<g>`, HTML), each kept as a `<ph>` code."""
    out, pos = [], 0
    for unit in find_markup(text):
        out.append(html.escape(text[pos : unit.start], quote=False))
        out.append(f"<ph>{html.escape(unit.text, quote=False)}</ph>")
        pos = unit.end
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def _writable(unit: TmxUnit) -> TmxUnit:
    """The unit, or with its texts' foreign tags wrapped as codes when TMX cannot carry them as they are."""
    if not any("<" in v.text or "&" in v.text for v in unit.variants):
        return unit  # plain text: nothing TMX could refuse, no trial write
    try:
        write_tmx(TmxHeader(srclang="*all*"), [unit], cast(BinaryIO, _Discard()))
        return unit
    except TmxError:
        variants = tuple(TmxVariant(v.lang, as_tmx_markup(v.text)) for v in unit.variants)
        return TmxUnit(
            unit.id, variants, unit.props, creationdate=unit.creationdate, creationid=unit.creationid
        )


class _Discard:
    def write(self, data: bytes) -> int:
        return len(data)


async def _next(entries: AsyncIterator[Entry]) -> Entry:
    return await anext(entries)


async def tmx_chunks(entries: AsyncIterator[Entry], info: MemoryInfo) -> AsyncIterator[bytes]:
    """The memory as a TMX file, produced while it is sent: the writer runs in a thread and pulls entries from
    the store a page at a time, so a million-entry memory never sits in memory."""
    loop = asyncio.get_running_loop()
    chunks: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue(maxsize=64)

    def put(item: bytes | BaseException | None) -> None:
        asyncio.run_coroutine_threadsafe(chunks.put(item), loop).result()

    class Out:
        def write(self, data: bytes) -> int:
            put(data)
            return len(data)

    def units() -> Iterator[TmxUnit]:
        while True:
            try:
                entry = asyncio.run_coroutine_threadsafe(_next(entries), loop).result()
            except StopAsyncIteration:
                return
            yield _writable(_unit(entry, info))

    def write() -> None:
        try:
            write_tmx(TmxHeader(srclang=info.source_lang, datatype="xml"), units(), cast(BinaryIO, Out()))
            put(None)
        except BaseException as exc:
            put(exc)

    writer: Any = loop.run_in_executor(None, write)
    while (chunk := await chunks.get()) is not None:
        if isinstance(chunk, BaseException):
            raise chunk
        yield chunk
    await writer
