"""The playground's app over real HTTP (conversation API and browser tests): uvicorn in a thread, the stub
model, Redis db 13.

Reuses the server suite's `LiveServer`/`make_settings`; the key prefix is this session's own and its keys
are deleted afterwards. Without Redis the app runs on its in-process store (same code paths).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import yaml

from tests.server.conftest import KEY_A, KEY_B, LiveServer, make_settings, running
from tests.support.playground_answers import playground_handler
from tests.support.stub_llm import StubLLM, gateway_config_for

__all__ = ["GLOSSARY", "KEY_A", "KEY_B", "KEY_C"]

KEY_C = "key-c-secret"  # a tenant of its own for tests that fill the resource lists

REDIS_URL = "redis://127.0.0.1:6379/13"
GLOSSARY = Path(__file__).resolve().parents[2] / "glossaries" / "examples" / "en-de" / "terms.csv"


@pytest.fixture(scope="session")
def playground_redis() -> Iterator[str | None]:
    """Redis when it runs (conversations must survive in it), else None: the in-process fallback."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        client.close()
        yield None
        return
    yield REDIS_URL
    client.close()


@pytest.fixture(scope="session")
def playground_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with StubLLM() as stub:
        stub.set_handler(playground_handler())
        path = tmp_path_factory.mktemp("model") / "stub.yaml"
        config = gateway_config_for(stub.base_url)
        config.pop("source", None)
        path.write_text(yaml.safe_dump(config))
        yield path


@pytest.fixture(scope="session")
def live(playground_redis: str | None, playground_model: Path) -> Iterator[LiveServer]:
    prefix = f"test-playground-{uuid.uuid4().hex[:8]}:"
    keys = f"{KEY_A}:tenant-a,{KEY_B}:tenant-b,{KEY_C}:tenant-c"
    settings = make_settings(playground_redis, playground_model, redis_prefix=prefix, api_keys=keys)
    with running(settings) as server:
        yield server
    if playground_redis is not None:
        client = redis.Redis.from_url(playground_redis)
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(scope="session")
def glossary_id(live: LiveServer) -> str:
    """The bundled en-de example glossary, uploaded for tenant A."""
    with live.client() as c:
        r = c.put(
            "/v1/glossaries/ui-de",
            params={"filename": GLOSSARY.name, "source_lang": "en", "target_lang": "de"},
            content=GLOSSARY.read_bytes(),
        )
        assert r.status_code == 200, r.text
    return "ui-de"
