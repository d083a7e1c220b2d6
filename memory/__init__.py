"""Translation memory: per-tenant memories of source/target pairs, fuzzy lookup the CAT way, and stores on
SQLite (embedded, one machine) or PostgreSQL with pg_trgm (many API processes)."""

import sqlite3

import psycopg

from memory.fuzzy import score
from memory.model import Entry, Match, MemoryInfo, NewEntry, Origin
from memory.store import MemoryStore

__all__ = [
    "MEMORY_UNAVAILABLE",
    "Entry",
    "Match",
    "MemoryInfo",
    "MemoryStore",
    "NewEntry",
    "Origin",
    "open_store",
    "score",
]

# What a store raises when its database cannot answer now (down, locked, out of connections): the server
# answers 503 to retry, never 500.
MEMORY_UNAVAILABLE: tuple[type[Exception], ...] = (sqlite3.OperationalError, psycopg.OperationalError)


def open_store(url: str) -> MemoryStore:
    """`sqlite:///path/to/file.sqlite3` or `postgresql://user@host/db`."""
    from pathlib import Path

    if url.startswith(("postgresql://", "postgres://")):
        from memory.postgres_store import PostgresMemoryStore

        return PostgresMemoryStore(url)
    if url.startswith("sqlite:///"):
        from memory.sqlite_store import SqliteMemoryStore

        return SqliteMemoryStore(Path(url.removeprefix("sqlite:///")))
    raise ValueError(f"memory store URL {url!r}: use sqlite:///path or postgresql://...")
