"""A real server over real HTTP: uvicorn on a free port (in a thread), the stub model, Redis db 15.

Clients are plain `httpx` as a CAT tool would use. Each test session uses its own Redis key prefix on
db 15 and flushes that db before and after.
"""

from __future__ import annotations

import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import yaml

from server.main import create_app
from server.settings import Settings
from tests.server.stub_answers import echo_handler
from tests.support.fixtures import SESSION
from tests.support.ports import free_port
from tests.support.stub_llm import StubLLM, gateway_config_for

KEY_A = "key-a-secret"
KEY_B = "key-b-secret"


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def client(self, key: str | None = KEY_A, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=60, **kwargs)


@pytest.fixture(scope="session")
def model_stub() -> Iterator[StubLLM]:
    with StubLLM() as stub:
        stub.set_handler(echo_handler())
        yield stub


@pytest.fixture(scope="session")
def model_config(model_stub: StubLLM, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "stub.yaml"
    config = gateway_config_for(model_stub.base_url)
    config.pop("source", None)
    path.write_text(yaml.safe_dump(config))
    return path


def make_settings(redis_url: str | None, model_config: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "redis_url": redis_url,
        "redis_prefix": f"test-{SESSION}-{uuid.uuid4().hex[:8]}:",
        "api_keys": f"{KEY_A}:tenant-a,{KEY_B}:tenant-b",
        "model_config_path": model_config,
        "embedded_autostart": False,
        "rate_limit_per_minute": 0,
        "max_sync_xliff_units": 50,
        "job_lease_seconds": 1.5,
        # a memory store of this server's own, never the user's ~/.local/share one
        "memory_url": f"sqlite:///{tempfile.mkdtemp(prefix='postedit-memory-')}/memory.sqlite3",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@contextmanager
def running(settings: Settings) -> Iterator[LiveServer]:
    live = LiveServer(settings).start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="session")
def api(redis_url: str, model_config: Path) -> Iterator[LiveServer]:
    """The app on Redis, shared by the tests of a session (each test uses its own resource ids)."""
    with running(make_settings(redis_url, model_config)) as live:
        yield live


@pytest.fixture
def client(api: LiveServer) -> Iterator[httpx.Client]:
    with api.client() as c:
        yield c
