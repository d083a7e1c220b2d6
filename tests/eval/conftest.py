"""Fixtures for the eval harness tests: a Typer app with `eval` registered, fixture data paths, and a
stub-model handler that answers post-edit prompts with the row's reference."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from cli.evaluate import register
from tests.support.stub_llm import Reply, StubLLM, gateway_config_for

FIXTURES = Path(__file__).parent / "fixtures"
TERMINOLOGY = FIXTURES / "wmt21-tico19.en-fr.sample.jsonl"


@pytest.fixture
def eval_app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def main() -> None:
        """postedit (test composition)."""

    return app


def reference_handler(path: Path) -> Callable[[dict[str, Any]], Reply]:
    """Answer a post-edit prompt with the reference of the row whose source it contains."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def answer(body: dict[str, Any]) -> Reply:
        prompt = str(body["messages"][-1]["content"])
        if "find the words in the translation" in prompt:
            return Reply({"spans": []})
        row = next((r for r in rows if r["src"] in prompt), None)
        return Reply({"output": row["ref"] if row else ""})

    return answer


@pytest.fixture
def stub_config(stub_llm: StubLLM, tmp_path: Path) -> Path:
    """A model config file pointing the gateway at the stub, which answers with references."""
    stub_llm.set_handler(reference_handler(TERMINOLOGY))
    path = tmp_path / "models.yaml"
    path.write_text(yaml.safe_dump(gateway_config_for(stub_llm.base_url)), encoding="utf-8")
    return path
