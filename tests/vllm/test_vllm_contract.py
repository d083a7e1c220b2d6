"""Opt-in contract test: our real request shapes against a real vLLM OpenAI server.

Runs only with VLLM_CONTRACT_URL set (e.g. http://127.0.0.1:8000/v1); VLLM_CONTRACT_MODEL names the
served model (default: the first one GET /models lists). It proves vLLM accepts what the gateway sends
(the `json_schema` response_format, seed, max_tokens) and honours the schema, even with random weights:
start vLLM with `--structured-outputs-config '{"backend":"xgrammar","disable_any_whitespace":true}'`.
The last test goes through the whole app: `POST /v1/postedit` with a gateway YAML naming that server.
`scripts/test-vllm.sh` installs vLLM's CPU build, makes a tiny model, serves it and runs these tests.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from agent import prompting
from agent.llm import LLMGateway
from tests.server.conftest import make_settings, running

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
def gateway_config() -> dict[str, Any]:
    """One `hosted_vllm` deployment on the server under test, as a gateway YAML would name it."""
    url = os.environ["VLLM_CONTRACT_URL"].rstrip("/")
    model = (
        os.environ.get("VLLM_CONTRACT_MODEL")
        or httpx.get(f"{url}/models", timeout=10).json()["data"][0]["id"]
    )
    return {
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
    }


@pytest.fixture(scope="module")
def gateway(gateway_config: dict[str, Any]) -> LLMGateway:
    return LLMGateway.from_config({**gateway_config, "source": "vllm contract test"})


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


async def test_the_span_repairs_form_choice_is_answered_from_its_enum(gateway: LLMGateway) -> None:
    """The form choice's own prompt and schema: even random weights must name one of the generated forms."""
    options = ("der Antrag", "den Antrag")
    messages = prompting.choose_form_messages(
        prompting.system_message("en", "de", None),
        source="The request is justified.",
        term="Antrag",
        versions=[f"Damit wird {o} begründet." for o in options],
        options=options,
    )
    reply = await gateway.complete_json(
        messages, prompting.choose_form_schema(options), seed=1, max_tokens=40
    )
    assert reply.data is not None, reply.text
    assert reply.data["form"] in options


async def test_free_text_completion(gateway: LLMGateway) -> None:
    reply = await gateway.complete_text(MESSAGES, max_tokens=8)
    assert reply.call.completion_tokens > 0


def test_postedit_through_the_app(gateway_config: dict[str, Any], tmp_path: Path) -> None:
    """The app in-process (uvicorn, no Redis) on a gateway YAML naming the vLLM server: a CAT tool's request
    reaches the model and the segment comes back. Random weights write nonsense, so the agent must not
    trust it: the user sees the MT kept or a segment flagged for review, never a 5xx or a lost segment."""
    config = tmp_path / "vllm.yaml"
    config.write_text(yaml.safe_dump(gateway_config))
    segment = {"id": "s1", "source": "Wash your hands.", "mt": "Lavez vos mains."}
    body = {"source_lang": "en", "target_lang": "fr", "mode": "full", "explain": True, "segments": [segment]}
    with running(make_settings(None, config)) as live, live.client() as client:
        r = client.post("/v1/postedit", json=body)
    assert r.status_code == 200, r.text
    [out] = r.json()["segments"]
    assert out["id"] == "s1"
    assert out["status"] in {"unchanged", "edited", "needs_review"}, out
    assert out["tokens"]["prompt"] > 0 and out["tokens"]["completion"] > 0, out  # vLLM answered
    assert out["output"] == segment["mt"] or out["status"] == "needs_review", out
