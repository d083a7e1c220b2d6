"""The embedded llama.cpp server's lifecycle (with a fake server), and the real model (marked `model`)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from agent.llm import EmbeddedConfig, LLMGateway, load_gateway_config
from runtime.embedded import EmbeddedServer, EmbeddedServerError, embedded_server_for, server_command
from runtime.model_files import ensure_model
from tests.support.ports import free_port
from tests.support.stub_llm import StubLLM, gateway_config_for

# Stands in for `python -m llama_cpp.server`: answers GET /v1/models, or fails when the model path says so.
FAKE_SERVER = """
import argparse, http.server, json, sys
parser = argparse.ArgumentParser()
parser.add_argument("--model"); parser.add_argument("--host"); parser.add_argument("--port", type=int)
args, _ = parser.parse_known_args()
if "broken" in args.model:
    print("error loading model: broken file", flush=True)
    sys.exit(3)
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.endswith("/crash"):
            import os; os._exit(1)
        body = json.dumps({"object": "list", "data": [{"id": "fake"}]}).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer((args.host, args.port), Handler).serve_forever()
"""


@pytest.fixture
def fake_llama(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fake `llama_cpp.server` package first on the path of this process and of its children."""
    package = tmp_path / "fake" / "llama_cpp"
    (package / "server").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "server" / "__init__.py").write_text("")
    (package / "server" / "__main__.py").write_text(FAKE_SERVER)
    monkeypatch.syspath_prepend(str(tmp_path / "fake"))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "fake"))
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    yield model


def config_for(model: Path, **changes: Any) -> EmbeddedConfig:
    return EmbeddedConfig(model_file=model, port=free_port(), startup_timeout=20, **changes)


async def test_server_starts_answers_and_stops(fake_llama: Path, tmp_path: Path) -> None:
    server = EmbeddedServer(config_for(fake_llama), log_path=tmp_path / "server.log")
    async with server:
        assert server.running and not server.reused
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{server.base_url}/models")).status_code == 200
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await client.get(f"{server.base_url}/models", timeout=2)


async def test_a_server_already_answering_is_reused_and_left_running(fake_llama: Path) -> None:
    with StubLLM() as stub:
        port = int(stub.base_url.rsplit(":", 1)[1].split("/")[0])
        async with EmbeddedServer(EmbeddedConfig(model_file=fake_llama, port=port)) as server:
            assert server.reused
        assert stub.models_calls == 1
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{stub.base_url}/models")).status_code == 200


async def test_an_adopted_server_that_goes_away_is_replaced_by_our_own(
    fake_llama: Path, tmp_path: Path
) -> None:
    """Another process's server, shutting down just after we adopted it (one eval starting as another
    ends), must not leave every later call failing: we start our own on its port."""
    config = config_for(fake_llama)
    other = await asyncio.create_subprocess_exec(
        *server_command(config, fake_llama),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{config.base_url}/models", timeout=1)).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            server = EmbeddedServer(config, log_path=tmp_path / "server.log")
            server.ADOPTED_POLL = 0.2
            async with server:
                assert server.reused
                other.terminate()
                await other.wait()
                deadline = time.monotonic() + 20
                while server.reused or not server.running:
                    assert time.monotonic() < deadline, "no server of our own was started"
                    await asyncio.sleep(0.1)
                for _ in range(100):
                    with contextlib.suppress(httpx.HTTPError):
                        if (await client.get(f"{server.base_url}/models", timeout=1)).status_code == 200:
                            break
                    await asyncio.sleep(0.1)
                assert (await client.get(f"{server.base_url}/models")).status_code == 200
            assert not server.running  # ours is stopped with us, as any server we started
    finally:
        if other.returncode is None:
            other.kill()
            await other.wait()


async def test_a_server_that_crashes_while_serving_is_started_again(fake_llama: Path, tmp_path: Path) -> None:
    server = EmbeddedServer(config_for(fake_llama), log_path=tmp_path / "server.log")
    server.MIN_UPTIME = 0.2
    async with server, httpx.AsyncClient() as client:
        await asyncio.sleep(0.3)
        with pytest.raises(httpx.HTTPError):
            await client.get(f"{server.base_url}/crash", timeout=2)
        deadline = time.monotonic() + 15
        while server.restarts == 0 or not server.running:
            assert time.monotonic() < deadline, "the server was not restarted"
            await asyncio.sleep(0.1)
        for _ in range(100):  # until the new process answers
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{server.base_url}/models", timeout=1)).status_code == 200:
                    break
            await asyncio.sleep(0.1)
        assert (await client.get(f"{server.base_url}/models")).status_code == 200
    assert "restarting" in (tmp_path / "server.log").read_text()


async def test_a_server_that_dies_reports_its_log(fake_llama: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"")
    started = time.monotonic()
    with pytest.raises(EmbeddedServerError, match="broken file"):
        async with EmbeddedServer(config_for(broken), log_path=tmp_path / "server.log"):
            pass
    assert time.monotonic() - started < 15


async def test_no_server_is_started_for_a_remote_model(stub_llm_url: str) -> None:
    async with embedded_server_for(LLMGateway.from_config(gateway_config_for(stub_llm_url))) as server:
        assert server is None


@pytest.fixture
def stub_llm_url() -> Iterator[str]:
    with StubLLM() as stub:
        yield stub.base_url


def test_server_command_serves_the_file_on_localhost() -> None:
    config = EmbeddedConfig(port=9000, n_ctx=2048, n_threads=2, extra_args=("--cache", "true"))
    command = server_command(config, Path("/m/q.gguf"), python="py")
    assert command[:3] == ["py", "-m", "llama_cpp.server"]
    pairs = dict(zip(command[3::2], command[4::2], strict=False))
    assert pairs["--model"] == "/m/q.gguf"
    assert pairs["--host"] == "127.0.0.1"
    assert (pairs["--port"], pairs["--n_ctx"], pairs["--n_threads"], pairs["--cache"]) == (
        "9000",
        "2048",
        "2",
        "true",
    )


@pytest.mark.model
@pytest.mark.slow
async def test_real_embedded_model_answers_in_the_schema() -> None:
    """Fetches the weights if needed (CI installs the `local` extra), serves them, asks for JSON."""
    ensure_model(progress=False)
    config = load_gateway_config(None, embedded={"port": free_port()}, timeout=300)
    assert config.uses_embedded
    schema = {
        "type": "object",
        "properties": {"translation": {"type": "string"}, "confidence": {"type": "number"}},
        "required": ["translation", "confidence"],
    }
    messages = [
        {
            "role": "system",
            "content": "Translate English to French. Answer in JSON: translation, confidence (0-1).",
        },
        {"role": "user", "content": "The cat sleeps."},
    ]
    gateway = LLMGateway(config)
    async with embedded_server_for(config) as server:
        assert server is not None
        reply = await gateway.complete_json(messages, schema, max_tokens=60, seed=1)
    assert reply.data is not None, reply.text
    assert isinstance(reply.data["translation"], str) and reply.data["translation"]
    assert reply.call.prompt_tokens > 10 and reply.call.completion_tokens > 3
    assert not server.running
    print(f"embedded model: {reply.call}", file=sys.stderr)
