"""Shared pytest fixtures, loaded by `tests/conftest.py`: `pytest_plugins = ["tests.support.fixtures"]`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from tests.support.stub_llm import StubLLM

__all__ = ["REDIS_URL", "SESSION", "redis_url", "stub_llm"]

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def stub_llm() -> Iterator[StubLLM]:
    """A fresh scripted OpenAI-compatible server on 127.0.0.1 for one test."""
    with StubLLM() as stub:
        yield stub


SESSION = uuid.uuid4().hex[:8]  # every key this test session writes starts with f"test-{SESSION}-"


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """Redis db 15; at the end only this session's keys go, so concurrent sessions never wipe each other."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    yield REDIS_URL
    keys = list(client.scan_iter(f"test-{SESSION}-*", count=1000))
    for i in range(0, len(keys), 500):
        client.delete(*keys[i : i + 500])
    client.close()
