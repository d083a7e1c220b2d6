"""A scripted OpenAI-compatible chat server over real HTTP, for tests.

Tests drive the agent through every branch (good JSON, garbage, HTTP 500, slow or hung model) by
queueing `Reply` objects; the server answers `POST /v1/chat/completions` with them in order, then
falls back to the handler set with `set_handler`. Each HTTP attempt consumes one reply, so a gateway
that retries a 500 twice needs three replies scripted.

    with StubLLM() as stub:
        stub.script(Reply({"output": "Bonjour"}), Reply(status=500))
        gateway = LLMGateway.from_config(gateway_config_for(stub.base_url))
        ...
        assert stub.requests[0]["messages"][0]["role"] == "system"

The server runs uvicorn in a background thread with its own event loop; delays are `asyncio.sleep`,
so slow replies never block one another (64 requests delayed 300 ms finish in about 300 ms).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

__all__ = ["Reply", "StubLLM", "gateway_config_for"]

JSONDict = dict[str, Any]


@dataclass
class Reply:
    """One scripted answer: message content (a dict is JSON-encoded), HTTP status, delay in seconds.

    `raw_body` replaces the whole HTTP body verbatim (for malformed responses). Token counts default
    to a word count of the request and of the content.
    """

    content: str | JSONDict = ""
    status: int = 200
    delay: float = 0.0
    raw_body: str | None = None
    finish_reason: str = "stop"
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, dict):
            return json.dumps(self.content, ensure_ascii=False)
        return self.content


Handler = Callable[[JSONDict], "Reply | str | JSONDict"]


def _as_reply(value: Reply | str | JSONDict) -> Reply:
    return value if isinstance(value, Reply) else Reply(content=value)


def _unscripted(_body: JSONDict) -> Reply:
    return Reply(status=500, content="StubLLM: no scripted reply left and no handler set")


def _count_words(body: JSONDict) -> int:
    words = 0
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, str):
            words += len(content.split())
    return max(words, 1)


class StubLLM:
    """An OpenAI-compatible chat server on 127.0.0.1 (random free port), scripted by tests.

    Use as a context manager (`with` or `async with`). `requests` holds every chat request body
    received, in arrival order.
    """

    def __init__(self, model: str = "stub-model") -> None:
        self.model = model
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque()
        self._handler: Handler = _unscripted
        self._requests: list[JSONDict] = []
        self._models_calls = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    # -- scripting -------------------------------------------------------------------------------
    def script(self, *replies: Reply | str | JSONDict) -> None:
        """Queue replies, consumed one per chat request in order (before the handler)."""
        with self._lock:
            self._queue.extend(_as_reply(r) for r in replies)

    def set_handler(self, fn: Handler) -> None:
        """Answer every request the queue does not cover with `fn(request_body)`."""
        with self._lock:
            self._handler = fn

    @property
    def requests(self) -> list[JSONDict]:
        """A snapshot of the chat request bodies received so far."""
        with self._lock:
            return list(self._requests)

    @property
    def models_calls(self) -> int:
        """How many times GET /v1/models was called (readiness probes)."""
        with self._lock:
            return self._models_calls

    @property
    def pending(self) -> int:
        """Scripted replies not yet consumed."""
        with self._lock:
            return len(self._queue)

    @property
    def base_url(self) -> str:
        if not self._port:
            raise RuntimeError("StubLLM is not started; use it as a context manager")
        return f"http://127.0.0.1:{self._port}/v1"

    # -- HTTP ------------------------------------------------------------------------------------
    def _next_reply(self, body: JSONDict) -> Reply:
        with self._lock:
            self._requests.append(body)
            if self._queue:
                return self._queue.popleft()
            handler = self._handler
        return _as_reply(handler(body))

    async def _chat(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse(_error("request body is not JSON", 400), status_code=400)
        reply = self._next_reply(body)
        if reply.delay:
            try:
                await asyncio.sleep(reply.delay)
            except asyncio.CancelledError:  # the stub is stopping: drop the reply quietly
                return Response(status_code=499)
        if reply.raw_body is not None:
            return Response(reply.raw_body, status_code=reply.status, media_type="application/json")
        if reply.status >= 400:
            return JSONResponse(_error(reply.text or "stub error", reply.status), status_code=reply.status)
        completion = self._completion(body, reply)
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return StreamingResponse(_sse_chunks(completion, include_usage), media_type="text/event-stream")
        return JSONResponse(completion, status_code=reply.status)

    def _completion(self, body: JSONDict, reply: Reply) -> JSONDict:
        text = reply.text
        prompt_tokens = reply.prompt_tokens if reply.prompt_tokens is not None else _count_words(body)
        completion_tokens = (
            reply.completion_tokens if reply.completion_tokens is not None else max(len(text.split()), 1)
        )
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model") or self.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    async def _models(self, _request: Request) -> Response:
        with self._lock:
            self._models_calls += 1
        return JSONResponse(
            {"object": "list", "data": [{"id": self.model, "object": "model", "owned_by": "stub"}]}
        )

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> StubLLM:
        app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
            ]
        )
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only for proto 6, and
        # without it Nagle + delayed ACK add ~40 ms to every reply.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="off", backlog=2048, loop="asyncio"
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("StubLLM failed to start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Stop at once, cutting off replies still sleeping (tests that time out leave some)."""
        if self._server is not None:
            self._server.should_exit = True
            self._server.force_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> StubLLM:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> StubLLM:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)


def _error(message: str, status: int) -> JSONDict:
    kind = "server_error" if status >= 500 else "invalid_request_error"
    return {"error": {"message": message, "type": kind, "param": None, "code": status}}


async def _sse_chunks(completion: JSONDict, include_usage: bool) -> AsyncIterator[str]:
    """The completion as OpenAI streaming chunks: role, content word by word, finish, usage, [DONE]."""
    base = {k: completion[k] for k in ("id", "created", "model")} | {"object": "chat.completion.chunk"}
    choice = completion["choices"][0]
    text: str = choice["message"]["content"]
    pieces = [p for p in _split_keep_spaces(text)] or [""]
    deltas: list[JSONDict] = [{"role": "assistant", "content": ""}] + [{"content": p} for p in pieces]
    for delta in deltas:
        chunk = base | {"choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
        yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
    final = base | {"choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}]}
    yield f"data: {json.dumps(final)}\n\n"
    if include_usage:
        yield f"data: {json.dumps(base | {'choices': [], 'usage': completion['usage']})}\n\n"
    yield "data: [DONE]\n\n"


def _split_keep_spaces(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        if ch == " " and i > start:
            pieces.append(text[start:i])
            start = i
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def gateway_config_for(
    base_url: str,
    *,
    structured_output: str = "vllm",
    model: str = "openai/stub-model",
    fallback_url: str | None = None,
    fallback_structured_output: str | None = None,
    **overrides: Any,
) -> JSONDict:
    """A gateway config (a dict `LLMGateway.from_config` takes) whose model is the stub at `base_url`.

    Tuned for tests: 5 s timeout and no retries (litellm backs off 0.5 s+ per retry); pass
    `num_retries=1` to exercise retries. `fallback_url` adds a second group, `fallback`, tried after
    the primary `stub` group fails. `model` picks litellm's provider: `hosted_vllm/stub-model` takes the
    production vLLM path, the default `openai/` the generic one the embedded model uses. Other keyword
    arguments replace top-level config keys.
    """
    deployments: list[JSONDict] = [
        {
            "name": "stub",
            "model": model,
            "api_base": base_url,
            "structured_output": structured_output,
        }
    ]
    config: JSONDict = {
        "model": "stub",
        "timeout": 5,
        "num_retries": 0,
        "max_tokens": 256,
        "cooldown_time": 0,
        "deployments": deployments,
        "source": f"stub at {base_url}",
    }
    if fallback_url is not None:
        deployments.append(
            {
                "name": "fallback",
                "model": "openai/stub-fallback",
                "api_base": fallback_url,
                "structured_output": fallback_structured_output or structured_output,
            }
        )
        config["fallbacks"] = ["fallback"]
    config.update(overrides)
    return config
