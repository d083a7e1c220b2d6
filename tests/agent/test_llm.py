"""The LLM gateway against a scripted OpenAI-compatible server over real HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.llm import (
    DEFAULT_CONFIG_PATH,
    GatewayConfigError,
    LLMBadOutput,
    LLMGateway,
    LLMRejected,
    LLMTimeout,
    LLMUnavailable,
    extract_json_object,
    load_gateway_config,
)
from tests.support.stub_llm import Reply, StubLLM, gateway_config_for

SCHEMA: dict[str, Any] = {
    "title": "post edit",
    "type": "object",
    "properties": {"output": {"type": "string"}, "changed": {"type": "boolean"}},
    "required": ["output"],
}
MESSAGES = [
    {"role": "system", "content": "You post-edit machine translation."},
    {"role": "user", "content": "Source: Hello. MT: Bonjour."},
]


@pytest.fixture
def stub() -> Iterator[StubLLM]:
    with StubLLM() as server:
        yield server


def gateway(stub: StubLLM, **overrides: Any) -> LLMGateway:
    return LLMGateway.from_config(gateway_config_for(stub.base_url, **overrides))


@pytest.mark.parametrize("model", ["openai/stub-model", "hosted_vllm/stub-model"])
async def test_json_reply_is_parsed_and_usage_tracked(stub: StubLLM, model: str) -> None:
    """Both litellm providers we configure: the generic one (embedded) and vLLM's (production)."""
    stub.script(Reply({"output": "Bonjour.", "changed": False}, prompt_tokens=42, completion_tokens=7))
    reply = await gateway(stub, model=model).complete_json(MESSAGES, SCHEMA, seed=7)
    assert reply.data == {"output": "Bonjour.", "changed": False}
    assert (reply.call.prompt_tokens, reply.call.completion_tokens) == (42, 7)
    assert reply.call.retries == 0
    assert reply.call.model == model
    assert 0 < reply.call.latency_ms < 5000
    sent = stub.requests[0]
    assert sent["messages"] == MESSAGES
    assert sent["seed"] == 7
    assert sent["temperature"] == 0


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ('```json\n{"output": "Salut"}\n```', {"output": "Salut"}),
        ('Here you go: {"output": "Salut"} Hope it helps.', {"output": "Salut"}),
        ('```\n{"output": "a {b} c"}\n```', {"output": "a {b} c"}),
        ("Salut", None),  # prose
        ('{"output": "Salut"', None),  # truncated
        ('{"changed": true}', None),  # valid JSON, but violates the schema (no "output")
        ('{"output": 3}', None),  # wrong type
        ("[1, 2]", None),  # not an object
    ],
)
async def test_reply_text_is_read_tolerantly(stub: StubLLM, text: str, data: dict[str, Any] | None) -> None:
    stub.script(Reply(text))
    reply = await gateway(stub).complete_json(MESSAGES, SCHEMA)
    assert reply.text == text
    assert reply.data == data


async def test_require_data_raises_bad_output_on_garbage(stub: StubLLM) -> None:
    stub.script(Reply("I cannot do that."))
    reply = await gateway(stub).complete_json(MESSAGES, SCHEMA)
    with pytest.raises(LLMBadOutput, match="cannot do that"):
        reply.require_data()


@pytest.mark.parametrize(
    ("flavour", "expected"),
    [
        (
            "vllm",
            {"type": "json_schema", "json_schema": {"name": "post_edit", "schema": SCHEMA}},
        ),
        ("llama_cpp", {"type": "json_object", "schema": SCHEMA}),
        (
            "openai",
            {"type": "json_schema", "json_schema": {"name": "post_edit", "schema": SCHEMA, "strict": True}},
        ),
        ("none", None),
    ],
)
@pytest.mark.parametrize("model", ["openai/stub-model", "hosted_vllm/stub-model"])
async def test_structured_output_form_per_server(
    stub: StubLLM, flavour: str, expected: dict[str, Any] | None, model: str
) -> None:
    stub.script(Reply({"output": "x"}))
    await gateway(stub, structured_output=flavour, model=model).complete_json(MESSAGES, SCHEMA)
    assert stub.requests[0].get("response_format") == expected
    assert "guided_json" not in stub.requests[0]  # vLLM ignores it with a warning


async def test_text_completion_sends_no_schema(stub: StubLLM) -> None:
    stub.script(Reply("Bonjour à tous."))
    reply = await gateway(stub).complete_text(MESSAGES, max_tokens=20)
    assert reply.text == "Bonjour à tous."
    assert "response_format" not in stub.requests[0]
    assert stub.requests[0]["max_tokens"] == 20


async def test_http_500_is_retried_then_succeeds(stub: StubLLM) -> None:
    stub.script(Reply(status=500), Reply({"output": "ok"}))
    reply = await gateway(stub, num_retries=1).complete_json(MESSAGES, SCHEMA)
    assert reply.data == {"output": "ok"}
    assert reply.call.retries == 1
    assert len(stub.requests) == 2


async def test_http_500_after_retries_is_unavailable(stub: StubLLM) -> None:
    stub.script(Reply(status=500), Reply(status=503))
    with pytest.raises(LLMUnavailable):
        await gateway(stub, num_retries=1).complete_json(MESSAGES, SCHEMA)
    assert len(stub.requests) == 2


async def test_connection_refused_is_unavailable() -> None:
    with StubLLM() as server:
        url = server.base_url
    with pytest.raises(LLMUnavailable):
        await LLMGateway.from_config(gateway_config_for(url)).complete_json(MESSAGES, SCHEMA)


async def test_http_400_is_rejected_without_retry(stub: StubLLM) -> None:
    stub.script(Reply("unsupported response_format", status=400), Reply({"output": "never"}))
    with pytest.raises(LLMRejected, match="unsupported response_format"):
        await gateway(stub, num_retries=2).complete_json(MESSAGES, SCHEMA)
    assert len(stub.requests) == 1


async def test_slow_reply_past_timeout_is_llm_timeout(stub: StubLLM) -> None:
    stub.script(Reply({"output": "late"}, delay=3))
    started = time.perf_counter()
    with pytest.raises(LLMTimeout):
        await gateway(stub, timeout=0.5).complete_json(MESSAGES, SCHEMA)
    assert time.perf_counter() - started < 2.5


async def test_slow_reply_within_timeout_is_answered(stub: StubLLM) -> None:
    stub.script(Reply({"output": "slow"}, delay=0.4))
    reply = await gateway(stub, timeout=3).complete_json(MESSAGES, SCHEMA)
    assert reply.data == {"output": "slow"}
    assert reply.call.latency_ms >= 400


async def test_fallback_group_answers_when_primary_fails() -> None:
    with StubLLM() as primary, StubLLM() as backup:
        primary.set_handler(lambda _body: Reply(status=500))
        backup.script(Reply({"output": "from backup"}))
        config = gateway_config_for(
            primary.base_url, fallback_url=backup.base_url, fallback_structured_output="llama_cpp"
        )
        reply = await LLMGateway.from_config(config).complete_json(MESSAGES, SCHEMA)
    assert reply.data == {"output": "from backup"}
    assert reply.call.model == "openai/stub-fallback"
    assert reply.call.retries == 1
    # each server gets the structured-output form it accepts
    assert primary.requests[0]["response_format"]["type"] == "json_schema"
    assert backup.requests[0]["response_format"] == {"type": "json_object", "schema": SCHEMA}


async def test_concurrent_calls_are_not_serialized(stub: StubLLM) -> None:
    stub.set_handler(lambda body: Reply({"output": body["messages"][-1]["content"]}, delay=0.3))
    gw = gateway(stub)
    await gw.complete_json(MESSAGES, SCHEMA)  # warm up: importing litellm and building the router
    started = time.perf_counter()
    replies = await asyncio.gather(
        *(gw.complete_json([{"role": "user", "content": f"s{i}"}], SCHEMA) for i in range(64))
    )
    elapsed = time.perf_counter() - started
    assert [r.data for r in replies] == [{"output": f"s{i}"} for i in range(64)]
    assert elapsed < 1.5, f"64 calls of 300 ms took {elapsed:.2f} s"


async def test_max_concurrency_caps_calls_in_flight(stub: StubLLM) -> None:
    stub.set_handler(lambda _body: Reply({"output": "x"}, delay=0.2))
    gw = gateway(stub, max_concurrency=2)
    started = time.perf_counter()
    await asyncio.gather(*(gw.complete_json(MESSAGES, SCHEMA) for _ in range(4)))
    assert time.perf_counter() - started >= 0.4  # two waves of two


async def test_ping_reports_reachability(stub: StubLLM) -> None:
    assert await gateway(stub).ping() is True
    assert stub.models_calls == 1
    dead = StubLLM().start()
    url = dead.base_url
    dead.stop()
    assert await LLMGateway.from_config(gateway_config_for(url)).ping() is False


def test_default_config_is_the_embedded_model() -> None:
    gw = LLMGateway.from_config()
    assert gw.needs_embedded_server
    assert gw.config.source == str(DEFAULT_CONFIG_PATH)
    assert gw.model_name == "openai/qwen2.5-coder-1.5b-instruct"
    assert gw.config.deployments[0].api_base == "http://127.0.0.1:8765/v1"


def test_api_base_override_points_away_from_the_embedded_server() -> None:
    gw = LLMGateway.from_config(None, api_base="http://gpu:8000/v1", structured_output="vllm", timeout=None)
    assert not gw.needs_embedded_server
    assert gw.config.deployments[0].api_base == "http://gpu:8000/v1"
    assert gw.config.timeout == 120  # None overrides are ignored


def test_vllm_example_config_has_replicas_and_a_fallback() -> None:
    config = load_gateway_config(DEFAULT_CONFIG_PATH.parent / "vllm.example.yaml")
    assert config.groups == ("qwen-7b", "qwen-1.5b")
    assert len(config.deployments_of("qwen-7b")) == 2
    assert all(d.model.startswith("hosted_vllm/") for d in config.deployments)
    assert not config.uses_embedded


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("model: a\ndeployments: [{name: b, model: x}]\n", "model group 'a' has no deployment"),
        ("model: a\ndeployments: [{name: a, model: x}]\ntimeout: -1\n", "timeout"),
        ("model: a\ndeployments: [{name: a, model: x, structured_output: xml}]\n", "structured_output"),
        ("model: a\ndeployments: [{name: a, model: x, colour: red}]\n", "colour"),
        ("- just a list\n", "mapping"),
        ("model: [unclosed\n", "invalid YAML"),
    ],
)
def test_bad_config_names_file_and_field(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "llm.yaml"
    path.write_text(yaml_text)
    with pytest.raises(GatewayConfigError, match=message) as caught:
        load_gateway_config(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ('{"a": 1}', {"a": 1}),
        ('  \n{"a": 1}\n', {"a": 1}),
        ('```json\n{"a": [1, {"b": 2}]}\n```', {"a": [1, {"b": 2}]}),
        ('noise {not json} then {"a": "}"} end', {"a": "}"}),
        ("", None),
        ("{}", {}),
    ],
)
def test_extract_json_object(text: str, data: dict[str, Any] | None) -> None:
    assert extract_json_object(text) == data
