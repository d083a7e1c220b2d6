"""The shared memory store, for many API processes: PostgreSQL, candidates from a full-text GIN index, ordered
by pg_trgm similarity, then scored by edit distance.

As in the SQLite store, candidates hold the query's three rarest words (`tm_words` keeps each word's entry
count per memory), else its two rarest, else any of its six rarest (`memory.store.narrowing`). A pg_trgm GIN
index alone (`plain % query`) took seconds per lookup on a million entries: long sentences share common
trigrams with most of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from typing import Any

from psycopg_pool import AsyncConnectionPool

from memory.fuzzy import plain
from memory.model import Entry, Match, MemoryInfo, NewEntry, Origin
from memory.store import CANDIDATES, ENOUGH, distinct, key_hash, narrowing, rank, search_words

__all__ = ["PostgresMemoryStore"]

SCHEMA = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE IF NOT EXISTS tm_memories (
    id text PRIMARY KEY, tenant text NOT NULL, name text NOT NULL, source_lang text NOT NULL,
    target_lang text NOT NULL, learn text[] NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS tm_entries (
    id bigserial PRIMARY KEY, memory_id text NOT NULL REFERENCES tm_memories(id) ON DELETE CASCADE,
    source text NOT NULL, target text NOT NULL, key_hash text NOT NULL, plain text NOT NULL,
    origin text NOT NULL, created_at timestamptz NOT NULL, tuid text NOT NULL, glossary_version text,
    created_by text);
ALTER TABLE tm_entries ADD COLUMN IF NOT EXISTS words tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', plain)) STORED;
CREATE UNIQUE INDEX IF NOT EXISTS tm_entries_unique ON tm_entries (memory_id, key_hash, md5(target), tuid);
CREATE INDEX IF NOT EXISTS tm_entries_key ON tm_entries (memory_id, key_hash);
CREATE INDEX IF NOT EXISTS tm_entries_words ON tm_entries USING gin (words);
CREATE TABLE IF NOT EXISTS tm_words (
    memory_id text NOT NULL REFERENCES tm_memories(id) ON DELETE CASCADE, word text NOT NULL,
    entries bigint NOT NULL, PRIMARY KEY (memory_id, word));
"""
# Counts of the words of newly added entries (a rarity estimate: deletions do not lower it).
COUNT_WORDS = """
INSERT INTO tm_words (memory_id, word, entries)
SELECT memory_id, word, count(*) FROM tm_incoming, unnest(tsvector_to_array(to_tsvector('simple', plain))) AS word
GROUP BY memory_id, word
ON CONFLICT (memory_id, word) DO UPDATE SET entries = tm_words.entries + excluded.entries
"""
# Index hits pg_trgm orders per query: on a million entries 100 keeps p99 at 14 ms, 200 at 20 ms (a 75%+ match
# for 89% vs 91% of queries, bench/bench_memory_lookup.py).
INDEX_HITS = 100
BULK = 1000  # entries in one add from which the index is settled at once (a TMX import, not a learned edit)
ENTRY_COLUMNS = "id, memory_id, source, target, origin, created_at, tuid, glossary_version, created_by"


def _entry(row: tuple[Any, ...]) -> Entry:
    return Entry(
        id=row[0], memory_id=row[1], source=row[2], target=row[3], origin=Origin(row[4]),
        created_at=row[5], tuid=row[6] or None, glossary_version=row[7], created_by=row[8],
    )  # fmt: skip


def _info(row: tuple[Any, ...]) -> MemoryInfo:
    return MemoryInfo(
        id=row[0], tenant=row[1], name=row[2], source_lang=row[3], target_lang=row[4],
        learn=frozenset(Origin(o) for o in row[5]), created_at=row[6], entries=row[7],
    )  # fmt: skip


class PostgresMemoryStore:
    def __init__(self, url: str, *, max_size: int = 8) -> None:
        self.url = url
        # A database that does not answer within 5 s fails the call (a 503), rather than holding a request 30 s.
        self._pool = AsyncConnectionPool(url, min_size=1, max_size=max_size, open=False, timeout=5.0)
        self._ready = False

    async def _open(self) -> AsyncConnectionPool[Any]:
        if not self._ready:
            await self._pool.open()
            async with self._pool.connection() as conn:
                await conn.execute(SCHEMA)
            self._ready = True
        return self._pool

    async def _fetch(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        pool = await self._open()
        async with pool.connection() as conn, conn.cursor() as cur:
            await cur.execute(sql, args)
            return list(await cur.fetchall()) if cur.description else []

    async def _count(self, sql: str, args: tuple[Any, ...]) -> int:
        pool = await self._open()
        async with pool.connection() as conn, conn.cursor() as cur:
            await cur.execute(sql, args)
            return int(cur.rowcount)

    async def create(self, info: MemoryInfo) -> MemoryInfo:
        await self._count(
            "INSERT INTO tm_memories VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (info.id, info.tenant, info.name, info.source_lang, info.target_lang, sorted(info.learn),
             info.created_at),
        )  # fmt: skip
        return info

    async def _infos(self, where: str, args: tuple[Any, ...]) -> list[MemoryInfo]:
        rows = await self._fetch(
            "SELECT m.id, m.tenant, m.name, m.source_lang, m.target_lang, m.learn, m.created_at,"
            " (SELECT count(*) FROM tm_entries e WHERE e.memory_id = m.id)"
            f" FROM tm_memories m WHERE {where} ORDER BY m.created_at",
            args,
        )
        return [_info(r) for r in rows]

    async def get(self, tenant: str, memory_id: str) -> MemoryInfo | None:
        found = await self._infos("m.tenant = %s AND m.id = %s", (tenant, memory_id))
        return found[0] if found else None

    async def memories(self, tenant: str) -> list[MemoryInfo]:
        return await self._infos("m.tenant = %s", (tenant,))

    async def delete(self, tenant: str, memory_id: str) -> bool:
        return (
            await self._count("DELETE FROM tm_memories WHERE tenant = %s AND id = %s", (tenant, memory_id))
            > 0
        )

    async def add(self, memory_id: str, entries: Iterable[NewEntry]) -> int:
        """COPY into a temporary table, then one upsert: as fast for a 1 GB TMX as for one entry."""
        pool = await self._open()
        added = 0
        async with pool.connection() as conn, conn.cursor() as cur:
            await cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS tm_incoming (LIKE tm_entries INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
            )
            async with cur.copy(
                "COPY tm_incoming (memory_id, source, target, key_hash, plain, origin, created_at, tuid,"
                " glossary_version, created_by) FROM STDIN"
            ) as copy:
                for e in entries:
                    await copy.write_row(
                        (memory_id, e.source, e.target, key_hash(e.source), plain(e.source), e.origin.value,
                         e.created_at, e.tuid or "", e.glossary_version, e.created_by)
                    )  # fmt: skip
                    added += 1
            await cur.execute(
                "INSERT INTO tm_entries (memory_id, source, target, key_hash, plain, origin, created_at, tuid,"
                " glossary_version, created_by) SELECT DISTINCT ON (memory_id, key_hash, md5(target), tuid) memory_id,"
                " source, target, key_hash, plain, origin, created_at, tuid, glossary_version, created_by"
                " FROM tm_incoming ORDER BY memory_id, key_hash, md5(target), tuid, created_at DESC"
                " ON CONFLICT (memory_id, key_hash, md5(target), tuid) DO UPDATE SET created_at = excluded.created_at,"
                " origin = excluded.origin, glossary_version = excluded.glossary_version"
            )
            await cur.execute(COUNT_WORDS)
        if added >= BULK:
            await self._settle(pool)
        return added

    async def _settle(self, pool: AsyncConnectionPool[Any]) -> None:
        """After a large import: move the GIN index's pending entries into the index proper (lookups scan the
        pending list linearly) and refresh the planner's statistics, as autovacuum would, but now."""
        async with pool.connection() as conn:
            await conn.execute("SELECT gin_clean_pending_list('tm_entries_words'::regclass)")
            await conn.execute("ANALYZE tm_entries")
            await conn.execute("ANALYZE tm_words")

    async def entries(self, memory_id: str, *, offset: int = 0, limit: int = 100) -> list[Entry]:
        rows = await self._fetch(
            f"SELECT {ENTRY_COLUMNS} FROM tm_entries WHERE memory_id = %s ORDER BY id LIMIT %s OFFSET %s",
            (memory_id, limit, offset),
        )
        return [_entry(r) for r in rows]

    async def iter_entries(self, memory_id: str) -> AsyncIterator[Entry]:
        last = 0
        while True:
            rows = await self._fetch(
                f"SELECT {ENTRY_COLUMNS} FROM tm_entries WHERE memory_id = %s AND id > %s ORDER BY id LIMIT 1000",
                (memory_id, last),
            )
            if not rows:
                return
            for row in rows:
                yield _entry(row)
            last = rows[-1][0]

    async def delete_entry(self, memory_id: str, entry_id: int) -> bool:
        return (
            await self._count(
                "DELETE FROM tm_entries WHERE memory_id = %s AND id = %s", (memory_id, entry_id)
            )
            > 0
        )

    async def lookup(
        self, memory_id: str, text: str, *, limit: int = 3, min_score: float = 50.0
    ) -> list[Match]:
        exact, words = await asyncio.gather(  # two connections: one round trip's wait, not two
            self._fetch(
                f"SELECT {ENTRY_COLUMNS} FROM tm_entries WHERE memory_id = %s AND key_hash = %s",
                (memory_id, key_hash(text)),
            ),
            self._rarest(memory_id, search_words(text, longest=40)),
        )
        fuzzy: list[tuple[Any, ...]] = []
        for query in narrowing(words, " & ", " | "):
            fuzzy += await self._matching(memory_id, query, text)
            if len(fuzzy) >= ENOUGH:
                break
        candidates = distinct(_entry(row) for row in [*exact, *fuzzy])
        return rank(text, candidates, limit=limit, min_score=min_score)

    async def _rarest(self, memory_id: str, words: list[str]) -> list[str]:
        if not words:
            return []
        rows = await self._fetch(
            "SELECT word, entries FROM tm_words WHERE memory_id = %s AND word = ANY(%s)", (memory_id, words)
        )
        counts = dict(rows)
        return sorted((w for w in words if counts.get(w)), key=lambda w: counts[w])

    async def _matching(self, memory_id: str, query: str, text: str) -> list[tuple[Any, ...]]:
        """Entries matching the tsquery (its words are letters and digits only, so need no quoting), nearest
        first by pg_trgm similarity among at most `INDEX_HITS` of them."""
        return await self._fetch(
            f"SELECT {ENTRY_COLUMNS} FROM (SELECT * FROM tm_entries WHERE memory_id = %s"
            " AND words @@ to_tsquery('simple', %s) LIMIT %s) hits"
            " ORDER BY similarity(plain, %s) DESC LIMIT %s",
            (memory_id, query, INDEX_HITS, plain(text), CANDIDATES),
        )

    async def close(self) -> None:
        if self._ready:
            await self._pool.close()
