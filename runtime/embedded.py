"""The embedded model server: llama-cpp-python's OpenAI-compatible server as a child process.

`EmbeddedServer` starts `python -m llama_cpp.server` on 127.0.0.1 when nothing answers on the
configured port yet (otherwise it reuses what is there and leaves it running), waits until
GET /v1/models answers, and on exit stops only a server it started: terminate, then kill.

llama-cpp-python serves one request at a time (a lock around the model; no parallel slots), so the
gateway's `max_concurrency: 1` queues calls in the client, where their timeout does not tick yet. It
reuses the KV cache for the prefix shared with the previous prompt, which is why prompts put the
static text first (measured on 2 cores: a 442-token prompt differing from the previous one only in
its last ~40 tokens took 2.0 s, a cold one of the same size 6.7 s, a 67-token one 1.6 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType

import httpx

from agent.llm import EmbeddedConfig, GatewayConfig, LLMGateway
from runtime.model_files import ensure_model

__all__ = ["EmbeddedServer", "EmbeddedServerError", "embedded_server_for", "server_command", "serving"]

MODEL_ALIAS = "qwen2.5-coder-1.5b-instruct"


class EmbeddedServerError(RuntimeError):
    """The embedded server could not be started; the message carries the end of its log."""


def server_command(config: EmbeddedConfig, model_file: Path, python: str = sys.executable) -> list[str]:
    """The command line that serves `model_file` as configured."""
    command = [
        python, "-m", "llama_cpp.server",
        "--model", str(model_file),
        "--model_alias", MODEL_ALIAS,
        "--host", config.host,
        "--port", str(config.port),
        "--n_ctx", str(config.n_ctx),
        "--n_batch", str(config.n_batch),
    ]  # fmt: skip
    # llama-cpp-python defaults to half the cores for generation; all of them was 2x faster on 2 cores.
    command += ["--n_threads", str(config.n_threads or os.cpu_count() or 1)]
    return command + list(config.extra_args)


_PROBE_TIMEOUT = 1.0  # seconds for one readiness probe


async def _answers(base_url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=_PROBE_TIMEOUT) as client:
            response = await client.get(f"{base_url}/models")
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def _port_taken(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


class EmbeddedServer:
    """An async context manager running (or reusing) the embedded llama.cpp server."""

    MIN_UPTIME = 5.0  # seconds a server must have run for its exit to count as a crash worth a restart
    ADOPTED_POLL = 2.0  # seconds between checks that an adopted server (another process's) still answers

    def __init__(
        self,
        config: EmbeddedConfig | None = None,
        *,
        python: str = sys.executable,
        log_path: Path | None = None,
    ) -> None:
        self.config = config or EmbeddedConfig()
        self.python = python
        self.log_path = log_path or Path(tempfile.gettempdir()) / f"postedit-llama-{self.config.port}.log"
        self.reused = False
        self.restarts = 0
        self._process: asyncio.subprocess.Process | None = None
        self._watchdog: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        return self.config.base_url

    @property
    def running(self) -> bool:
        return self.reused or (self._process is not None and self._process.returncode is None)

    async def start(self) -> None:
        """Start the server (or adopt one already answering) and wait until it answers."""
        if await _answers(self.base_url):
            self.reused = True
            self._watchdog = asyncio.create_task(self._take_over_when_gone())
            return
        if importlib.util.find_spec("llama_cpp") is None:
            raise EmbeddedServerError(
                "llama-cpp-python is not installed: install the `local` extra (pip install 'postedit[local]')"
            )
        await self._spawn()
        await self._wait_until_ready()
        if self._process is not None:
            self._watchdog = asyncio.create_task(self._restart_on_exit())

    async def _spawn(self) -> None:
        model_file = await asyncio.to_thread(self._model_file)
        with self.log_path.open("ab" if self.restarts else "wb") as log:
            self._process = await asyncio.create_subprocess_exec(
                *server_command(self.config, model_file, self.python),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )

    async def _restart_on_exit(self) -> None:
        """Start the server again when it dies under us (llama-cpp-python exits on some bad requests).

        Calls made while it is down fail and their segments come back `needs_review`; the ones after
        the restart are served again. A server that dies within seconds of starting is left down.
        """
        while self._process is not None:
            started = time.monotonic()
            code = await self._process.wait()
            if self._process is None or time.monotonic() - started < self.MIN_UPTIME:
                return
            self.restarts += 1
            with self.log_path.open("ab") as log:
                log.write(f"\n[postedit] llama.cpp server exited with code {code}; restarting\n".encode())
            await self._spawn()
            with contextlib.suppress(EmbeddedServerError):
                await self._wait_until_ready()

    async def _take_over_when_gone(self) -> None:
        """An adopted server belongs to another process, which may be stopping it (an eval started as another
        ends): once it stops answering and frees its port, start our own there, watched like any other."""
        while self.reused:
            await asyncio.sleep(self.ADOPTED_POLL)
            if await _answers(self.base_url):
                continue
            for _ in range(int(self.config.startup_timeout / 0.2)):  # until the port is free
                if not _port_taken(self.config.host, self.config.port):
                    break
                await asyncio.sleep(0.2)
            if await _answers(self.base_url):
                continue  # it came back (a restart of the other process's server)
            self.reused = False
            self.restarts += 1
            await self._spawn()
            with contextlib.suppress(EmbeddedServerError):
                await self._wait_until_ready()
        if self._process is not None:
            await self._restart_on_exit()

    def _model_file(self) -> Path:
        """The configured GGUF file, or the default one (joined and verified first if need be)."""
        if self.config.model_file is None:
            return ensure_model(self.config.models_dir, progress=False)
        if not self.config.model_file.is_file():
            raise EmbeddedServerError(f"model file not found: {self.config.model_file}")
        return self.config.model_file

    async def _wait_until_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.config.startup_timeout
        while time.monotonic() < deadline:
            if await _answers(self.base_url):
                return
            if self._process.returncode is not None:
                # Lost a race for the port to another process starting the same server? Adopt it.
                while _port_taken(self.config.host, self.config.port) and time.monotonic() < deadline:
                    if await _answers(self.base_url):
                        self._process, self.reused = None, True
                        return
                    await asyncio.sleep(0.5)
                raise EmbeddedServerError(
                    f"llama.cpp server exited with code {self._process.returncode}:\n{self._log_tail()}"
                )
            await asyncio.sleep(0.2)
        await self.stop()
        raise EmbeddedServerError(
            f"llama.cpp server did not answer within {self.config.startup_timeout:.0f} s:\n{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    async def stop(self, grace: float = 10.0) -> None:
        """Stop a server this object started (terminate, then kill); a reused one is left alone."""
        watchdog, self._watchdog = self._watchdog, None
        if watchdog is not None and watchdog is not asyncio.current_task():  # the watchdog may stop it
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout=grace)
        except TimeoutError:
            process.kill()
            await process.wait()

    async def wait(self) -> int | None:
        """Block until the server process exits (for `postedit model serve`); None for a reused one."""
        if self._process is None:
            return None
        if self._watchdog is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog  # returns once the server stays down
        return None if self._process is None else await self._process.wait()

    async def __aenter__(self) -> EmbeddedServer:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


@contextlib.asynccontextmanager
async def embedded_server_for(target: GatewayConfig | LLMGateway) -> AsyncIterator[EmbeddedServer | None]:
    """Run the embedded server for the duration of the block when the config uses it; else do nothing."""
    config = target.config if isinstance(target, LLMGateway) else target
    if not config.uses_embedded:
        yield None
        return
    async with EmbeddedServer(config.embedded) as server:
        yield server


serving = embedded_server_for  # `async with serving(gateway): ...`
