"""The LLM gateway: every model call of the project goes through `LLMGateway`, the only litellm user.

litellm's `Router` does the per-group work (timeouts, retries with backoff, load balancing and cooldowns
over replicas). Fallback groups are walked here rather than by the Router, because each group may need a
different structured-output form in the request (see `_structured.py`). Provider exceptions are mapped
onto `agent.llm._errors`; a reply that is not valid JSON for the schema is data, not an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import httpx
import openai

from agent.llm._config import GatewayConfig, load_gateway_config
from agent.llm._errors import LLMBadOutput, LLMError, LLMRejected, LLMTimeout, LLMUnavailable
from agent.llm._json import parse_reply
from agent.llm._structured import response_format

if TYPE_CHECKING:
    from litellm import Router

__all__ = ["LLMCall", "LLMGateway", "LLMReply"]

Messages = Sequence[Mapping[str, Any]]  # OpenAI chat messages; prompts.Message (a TypedDict) fits


@dataclass(frozen=True)
class LLMCall:
    """What one gateway call cost: the deployment that answered, tokens, wall time, extra attempts.

    `retries` counts every attempt after the first, fallback groups included.
    """

    model: str
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    retries: int


@dataclass(frozen=True)
class LLMReply:
    """The model's text; `data` is its JSON object when it validates against the schema, else None."""

    text: str
    data: dict[str, Any] | None
    call: LLMCall

    def require_data(self) -> dict[str, Any]:
        """The JSON object, or `LLMBadOutput` for callers that cannot go on without it."""
        if self.data is None:
            raise LLMBadOutput(
                f"no valid JSON object in the reply: {self.text[:200]!r}", model=self.call.model
            )
        return self.data


def _import_litellm() -> Any:
    """Import litellm quiet (it logs chattily); `server.settings.prepare_libraries` keeps it offline."""
    import litellm

    litellm.telemetry = False
    litellm.suppress_debug_info = True
    litellm.set_verbose = False
    litellm.drop_params = False
    for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "litellm"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return litellm


def _build_router(config: GatewayConfig) -> Router:
    litellm = _import_litellm()
    model_list = []
    for d in config.deployments:
        params: dict[str, Any] = {"model": d.model, **d.litellm_params}
        if d.api_base is not None:
            params["api_base"] = d.api_base
            params["api_key"] = d.api_key or "none"  # local servers take any key; litellm wants one
        elif d.api_key is not None:
            params["api_key"] = d.api_key
        model_list.append({"model_name": d.name, "litellm_params": params})
    router: Router = litellm.Router(
        model_list=model_list,
        num_retries=config.num_retries,
        timeout=config.timeout,
        retry_after=0,
        allowed_fails=config.allowed_fails,
        cooldown_time=config.cooldown_time,
        routing_strategy=config.routing_strategy,
    )
    # Every call here is async, and the Router's async success callback already counts successes for its
    # cooldowns. Its sync twin would hand litellm's whole sync logging path to a thread on every call
    # (about a tenth of a call's CPU) only to count the same success a second time.
    litellm.success_callback = [
        cb for cb in litellm.success_callback if getattr(cb, "__self__", None) is not router
    ]
    return router


def _map_error(exc: Exception, group: str) -> LLMError:
    """Our exception for a provider error (openai's classes are litellm's bases)."""
    message = f"{group}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    if isinstance(exc, openai.APITimeoutError | asyncio.TimeoutError | httpx.TimeoutException):
        return LLMTimeout(message, model=group)
    if isinstance(exc, openai.APIConnectionError | openai.RateLimitError | httpx.TransportError):
        return LLMUnavailable(message, model=group)
    if isinstance(exc, openai.APIResponseValidationError):
        return LLMBadOutput(message, model=group)
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and 400 <= status < 500 and status not in (408, 429):
        return LLMRejected(message, model=group)
    if isinstance(status, int) and status == 408:
        return LLMTimeout(message, model=group)
    return LLMUnavailable(message, model=group)


def _attempted_retries(source: object) -> int:
    """Retries litellm made inside one group: a response header on success, an attribute on failure."""
    hidden = getattr(source, "_hidden_params", None)
    if isinstance(hidden, Mapping):
        headers = hidden.get("additional_headers") or {}
        value = headers.get("x-litellm-attempted-retries") if isinstance(headers, Mapping) else None
    else:
        value = getattr(source, "num_retries", None)
    return value if isinstance(value, int) and value > 0 else 0


def _answered_by(response: object, group: str) -> str:
    hidden = getattr(response, "_hidden_params", None)
    if isinstance(hidden, Mapping) and isinstance(hidden.get("litellm_model_name"), str):
        return str(hidden["litellm_model_name"])
    return group


class LLMGateway:
    """Chat completions through a litellm Router, with structured output per server and call accounting."""

    PING_TIMEOUT = 2.0  # seconds per deployment probed by `ping`

    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        self._router_instance: Router | None = None  # built on first call: importing litellm takes seconds
        self._limits: dict[int, asyncio.Semaphore] = {}

    @property
    def _router(self) -> Router:
        if self._router_instance is None:
            self._router_instance = _build_router(self.config)
        return self._router_instance

    def prepare(self) -> None:
        """Import litellm and build the router now (seconds), so that no request waits for it."""
        _ = self._router

    @classmethod
    def from_config(
        cls, path: str | Path | Mapping[str, Any] | GatewayConfig | None = None, **overrides: Any
    ) -> LLMGateway:
        """A gateway from a YAML file, a dict or a config; None is the embedded default model."""
        return cls(load_gateway_config(path, **overrides))

    @property
    def model_name(self) -> str:
        """The primary deployment's model string: what answers when nothing fails (for cache keys)."""
        return self.config.deployments_of(self.config.model)[0].model

    @property
    def needs_embedded_server(self) -> bool:
        return self.config.uses_embedded

    async def complete_json(
        self,
        messages: Messages,
        schema: dict[str, Any],
        *,
        temperature: float = 0.0,
        seed: int | None = None,
        max_tokens: int | None = None,
        accept: dict[str, Any] | None = None,
    ) -> LLMReply:
        """An answer constrained to `schema` where the server supports it; `data` is None if unusable.

        `accept` is a looser schema the reply must validate against instead of `schema`: for answers a
        server without constrained decoding may phrase loosely and the caller still knows how to read.
        """
        return await self._complete(
            messages, schema, temperature=temperature, seed=seed, max_tokens=max_tokens, accept=accept
        )

    async def complete_text(
        self,
        messages: Messages,
        *,
        temperature: float = 0.0,
        seed: int | None = None,
        max_tokens: int | None = None,
    ) -> LLMReply:
        """A free-text answer (chat); `data` holds a JSON object only if the text happens to be one."""
        return await self._complete(messages, None, temperature=temperature, seed=seed, max_tokens=max_tokens)

    async def ping(self) -> bool:
        """Whether a deployment of the primary group answers GET /models (readiness).

        A deployment without `api_base` (a hosted API) is assumed reachable: probing it needs the network.
        """
        bases = [d.api_base for d in self.config.deployments_of(self.config.model)]
        if any(base is None for base in bases):
            return True
        async with httpx.AsyncClient(timeout=self.PING_TIMEOUT) as client:
            for base in bases:
                with contextlib.suppress(httpx.HTTPError):
                    response = await client.get(f"{str(base).rstrip('/')}/models")
                    if response.status_code == 200:
                        return True
        return False

    @contextlib.asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        """At most `max_concurrency` calls in flight (per event loop), so queued calls do not time out."""
        if self.config.max_concurrency is None:
            yield
            return
        loop_id = id(asyncio.get_running_loop())
        semaphore = self._limits.get(loop_id)
        if semaphore is None:
            semaphore = self._limits[loop_id] = asyncio.Semaphore(self.config.max_concurrency)
        async with semaphore:
            yield

    async def _complete(
        self,
        messages: Messages,
        schema: dict[str, Any] | None,
        *,
        temperature: float,
        seed: int | None,
        max_tokens: int | None,
        accept: dict[str, Any] | None = None,
    ) -> LLMReply:
        started = time.perf_counter()
        retries = 0
        error: LLMError | None = None
        for position, group in enumerate(self.config.groups):
            if position:
                retries += 1  # moving to a fallback group is one more attempt
            request: dict[str, Any] = {
                "temperature": temperature,
                "max_tokens": max_tokens or self.config.max_tokens,
            }
            if seed is not None:
                request["seed"] = seed
            form = (
                None if schema is None else response_format(self.config.structured_output_of(group), schema)
            )
            if form is not None:
                request["response_format"] = form
            try:
                async with self._slot():
                    response = await self._router.acompletion(
                        model=group, messages=cast(Any, list(messages)), **request
                    )
            except Exception as exc:  # every provider error is mapped; none leaks
                retries += _attempted_retries(exc)
                error = _map_error(exc, group)
                if isinstance(error, LLMRejected):
                    raise error from exc
                continue
            retries += _attempted_retries(response)
            return self._reply(response, group, accept or schema, started, retries)
        assert error is not None
        raise error

    @staticmethod
    def _reply(
        response: Any, group: str, schema: dict[str, Any] | None, started: float, retries: int
    ) -> LLMReply:
        try:
            text = response.choices[0].message.content or ""
        except (AttributeError, IndexError) as exc:
            raise LLMBadOutput(f"{group}: a completion without choices", model=group) from exc
        usage = getattr(response, "usage", None)
        call = LLMCall(
            model=_answered_by(response, group),
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            latency_ms=(time.perf_counter() - started) * 1000,
            retries=retries,
        )
        return LLMReply(text=text, data=parse_reply(text, schema), call=call)
