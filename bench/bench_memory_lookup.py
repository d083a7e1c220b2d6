"""Fuzzy lookup latency of the translation-memory stores, at the sizes issue #17 names.

The memory is built from the TICO-19 en-ru TMX (9,213 real units): its sentences, then variants of them with
one to three words replaced, up to `--entries`. Queries are other variants (near matches, the case a CAT
tool sees), one in ten an exact repeat. Prints p50/p95/p99 per lookup, the share of queries with a 75%+
match, the load time and the CPU.

    .venv/bin/python bench/bench_memory_lookup.py --store sqlite --entries 100000
    .venv/bin/python bench/bench_memory_lookup.py --store postgresql --entries 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_tag_placement import cpu_model  # noqa: E402

from formats.tmx import read_tmx  # noqa: E402
from memory import MemoryInfo, NewEntry, Origin, open_store  # noqa: E402

TMX = ROOT.parent / "shared" / "data" / "tm" / "tico19.en-ru.tmx"
PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def pairs() -> list[tuple[str, str]]:
    _header, units = read_tmx(TMX)
    found = [(u.text("en"), u.text("ru")) for u in units]
    return [(s, t) for s, t in found if s and t]


def variant(text: str, vocabulary: list[str], rng: random.Random) -> str:
    words = text.split()
    for _ in range(rng.randint(1, 3)):
        words[rng.randrange(len(words))] = rng.choice(vocabulary)
    return " ".join(words)


def build(n: int, base: list[tuple[str, str]], rng: random.Random) -> list[NewEntry]:
    vocabulary = [w for s, _ in base for w in s.split()]
    entries = [NewEntry(s, t, Origin.IMPORT) for s, t in base[:n]]
    while len(entries) < n:
        s, t = base[rng.randrange(len(base))]
        entries.append(NewEntry(variant(s, vocabulary, rng), t, Origin.IMPORT))
    return entries


async def postgres_database() -> str:
    """A database of its own, so the bench never touches another's tables; dropped at the end."""
    import psycopg

    name = f"postedit_bench_{uuid.uuid4().hex[:8]}"
    async with await psycopg.AsyncConnection.connect(PG_URL, autocommit=True) as conn:
        await conn.execute(f"CREATE DATABASE {name}")
    return name


async def drop_database(name: str) -> None:
    import psycopg

    async with await psycopg.AsyncConnection.connect(PG_URL, autocommit=True) as conn:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def run(store_kind: str, n: int, queries: int) -> None:
    rng = random.Random(17)
    base = pairs()
    entries = build(n, base, rng)
    database = None
    if store_kind == "postgresql":
        database = await postgres_database()
        url = PG_URL.rsplit("/", 1)[0] + "/" + database
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-memory-')}/memory.sqlite3"
    store = open_store(url)
    try:
        await store.create(
            MemoryInfo(id="bench", tenant="bench", name="bench", source_lang="en", target_lang="ru")
        )
        t0 = time.perf_counter()
        for i in range(0, len(entries), 50_000):
            await store.add("bench", entries[i : i + 50_000])
        loaded = time.perf_counter() - t0
        vocabulary = [w for s, _ in base for w in s.split()]
        asks = [
            base[rng.randrange(len(base))][0]
            if i % 10 == 0
            else variant(rng.choice(base)[0], vocabulary, rng)
            for i in range(queries)
        ]
        for q in asks[:20]:  # warm the caches as a running server has them
            await store.lookup("bench", q)
        latencies, hits = [], 0
        for q in asks:
            t = time.perf_counter()
            found = await store.lookup("bench", q, limit=3, min_score=50)
            latencies.append((time.perf_counter() - t) * 1000)
            hits += bool(found and found[0].score >= 75)
        cuts = statistics.quantiles(latencies, n=100)
        print(f"{store_kind}: {n:,} entries loaded in {loaded:.1f} s; {queries} lookups")
        print(
            f"  p50 {cuts[49]:.1f} ms  p95 {cuts[94]:.1f} ms  p99 {cuts[98]:.1f} ms  max {max(latencies):.1f} ms"
        )
        print(f"  queries with a 75%+ match: {hits / queries:.1%}")
        print(f"  CPU: {cpu_model()}")
    finally:
        await store.close()
        if database is not None:
            await drop_database(database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(run(args.store, args.entries, args.queries))


if __name__ == "__main__":
    main()
