"""Opt-in contract test: our real request shapes against a real vLLM OpenAI server.

Runs only with VLLM_CONTRACT_URL set (e.g. http://127.0.0.1:8000/v1); VLLM_CONTRACT_MODEL names the
served model (default: the first one GET /models lists). It proves vLLM accepts what the gateway sends
(the `json_schema` response_format, seed, max_tokens) and honours the schema, even with random weights:
start vLLM with `--structured-outputs-config '{"backend":"xgrammar","disable_any_whitespace":true}'`.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import jsonschema
import pytest

from agent.llm import LLMGateway

pytestmark = [
    pytest.mark.vllm,
    pytest.mark.skipif(not os.environ.get("VLLM_CONTRACT_URL"), reason="set VLLM_CONTRACT_URL to run"),
]

# Closed choices only: a random-weight model must still end the JSON within max_tokens.
CLOSED_SCHEMA: dict[str, Any] = {
    "title": "review",
    "type": "object",
    "properties": {
        "status": {"enum": ["unchanged", "edited", "needs_review"]},
        "terms_ok": {"type": "boolean"},
    },
    "required": ["status", "terms_ok"],
    "additionalProperties": False,
}
# The agent's shape: free text too; it may run out of tokens with random weights, but must be accepted.
POST_EDIT_SCHEMA: dict[str, Any] = {
    "title": "post_edit",
    "type": "object",
    "properties": {"output": {"type": "string", "maxLength": 40}, "changed": {"type": "boolean"}},
    "required": ["output", "changed"],
}
MESSAGES = [
    {"role": "system", "content": "You post-edit English to French machine translation. Answer in JSON."},
    {"role": "user", "content": "Source: Wash your hands.\nMT: Lavez vos mains."},
]


@pytest.fixture(scope="module")
def gateway() -> LLMGateway:
    url = os.environ["VLLM_CONTRACT_URL"].rstrip("/")
    model = (
        os.environ.get("VLLM_CONTRACT_MODEL")
        or httpx.get(f"{url}/models", timeout=10).json()["data"][0]["id"]
    )
    return LLMGateway.from_config(
        {
            "model": "vllm",
            "timeout": 120,
            "num_retries": 0,
            "max_tokens": 64,
            "deployments": [
                {
                    "name": "vllm",
                    "model": f"hosted_vllm/{model}",
                    "api_base": url,
                    "structured_output": "vllm",
                }
            ],
            "source": "vllm contract test",
        }
    )


async def test_ping(gateway: LLMGateway) -> None:
    assert await gateway.ping()


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_json_schema_is_honoured(gateway: LLMGateway, seed: int) -> None:
    reply = await gateway.complete_json(MESSAGES, CLOSED_SCHEMA, temperature=1.0, seed=seed, max_tokens=48)
    assert reply.data is not None, reply.text
    jsonschema.validate(reply.data, CLOSED_SCHEMA)
    assert reply.call.prompt_tokens > 0 and reply.call.completion_tokens > 0


async def test_post_edit_schema_is_accepted(gateway: LLMGateway) -> None:
    reply = await gateway.complete_json(MESSAGES, POST_EDIT_SCHEMA, seed=1, max_tokens=64)
    assert reply.text.startswith("{"), reply.text  # constrained from the first token
    if reply.data is not None:
        jsonschema.validate(reply.data, POST_EDIT_SCHEMA)


async def test_free_text_completion(gateway: LLMGateway) -> None:
    reply = await gateway.complete_text(MESSAGES, max_tokens=8)
    assert reply.call.completion_tokens > 0
