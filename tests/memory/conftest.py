"""Both memory stores on real databases: a SQLite file per test, and a PostgreSQL database per test on
127.0.0.1:5432 (created here, dropped after)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest

from memory import MemoryStore, open_store

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    name = f"postedit_test_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"CREATE DATABASE {name}")
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL must answer on 127.0.0.1:5432 for the memory store tests: {exc}")
    yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MemoryStore]:
    if request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path / 'memory.sqlite3'}")
    else:
        opened = open_store(request.getfixturevalue("postgres_url"))
    yield opened
    await opened.close()
    await asyncio.sleep(0)
