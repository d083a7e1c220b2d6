"""The gateway's YAML config: deployments (model groups), retries, timeouts, fallbacks, the embedded server.

    model: qwen                 # the model group the agent asks for
    fallbacks: [small]          # groups tried in order when `model` fails after its retries
    timeout: 30                 # seconds per attempt
    num_retries: 2              # per group, on connection errors, 5xx, 429 and timeouts
    max_tokens: 512
    max_concurrency: null       # cap on in-flight calls (the embedded server serializes anyway)
    deployments:                # several deployments sharing a name are replicas, load-balanced
      - {name: qwen, model: hosted_vllm/Qwen/Qwen2.5-7B-Instruct, api_base: http://vllm:8000/v1,
         structured_output: vllm}

Validation errors name the file and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agent.llm._structured import StructuredOutput

__all__ = [
    "DEFAULT_CONFIG_PATH",
    "DeploymentConfig",
    "EmbeddedConfig",
    "GatewayConfig",
    "GatewayConfigError",
    "load_gateway_config",
]

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parents[1] / "config" / "embedded.yaml"

# Keys of `load_gateway_config(**overrides)` that change the primary group's deployments, not the top level.
_DEPLOYMENT_OVERRIDES = ("api_base", "api_key", "structured_output")


class GatewayConfigError(ValueError):
    """A gateway config file (or dict) is invalid; the message names the source and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmbeddedConfig(_Strict):
    """How to run the embedded llama.cpp server (`python -m llama_cpp.server`)."""

    model_file: Path | None = None  # None: the file `postedit model fetch` puts in the models dir
    models_dir: Path | None = None  # None: ~/.cache/postedit/models
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=1, le=65535)
    n_ctx: int = Field(default=4096, ge=256)
    n_threads: int | None = Field(default=None, ge=1)  # None: all cores
    n_batch: int = Field(default=512, ge=1)
    startup_timeout: float = Field(default=120.0, gt=0)
    extra_args: tuple[str, ...] = ()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"


class DeploymentConfig(_Strict):
    """One OpenAI-compatible endpoint; `name` is its model group, `model` the litellm model string."""

    name: str = Field(min_length=1)
    model: str = Field(min_length=1)
    api_base: str | None = None  # for an embedded deployment: derived from `embedded.host/port` when unset
    api_key: str | None = None
    structured_output: StructuredOutput = StructuredOutput.NONE
    embedded: bool = False  # served by the embedded llama.cpp server, which callers start on demand
    litellm_params: dict[str, Any] = Field(default_factory=dict)  # passed through (rpm, tpm, weight, ...)


class GatewayConfig(_Strict):
    """A validated gateway config; build it with `load_gateway_config`."""

    model: str = Field(min_length=1)
    fallbacks: tuple[str, ...] = ()
    timeout: float = Field(default=60.0, gt=0)
    num_retries: int = Field(default=2, ge=0)
    max_tokens: int = Field(default=512, ge=1)
    max_concurrency: int | None = Field(default=None, ge=1)
    routing_strategy: str = "simple-shuffle"
    allowed_fails: int = Field(default=3, ge=0)
    cooldown_time: float = Field(default=5.0, ge=0)
    deployments: tuple[DeploymentConfig, ...] = Field(min_length=1)
    embedded: EmbeddedConfig = EmbeddedConfig()
    source: str = "<dict>"  # where the config came from, for messages

    @model_validator(mode="after")
    def _check_groups(self) -> GatewayConfig:
        names = {d.name for d in self.deployments}
        for group in (self.model, *self.fallbacks):
            if group not in names:
                raise ValueError(f"model group {group!r} has no deployment (known: {sorted(names)})")
        for group in names:
            flavours = {d.structured_output for d in self.deployments if d.name == group}
            if len(flavours) > 1:
                raise ValueError(
                    f"deployments of group {group!r} mix structured_output forms {sorted(flavours)}"
                )
        return self

    @model_validator(mode="before")
    @classmethod
    def _embedded_api_base(cls, data: Any) -> Any:
        """An embedded deployment without `api_base` points at the embedded server's host and port."""
        if not isinstance(data, dict) or not isinstance(data.get("deployments"), list | tuple):
            return data
        embedded = EmbeddedConfig.model_validate(data.get("embedded") or {})
        deployments = [
            {**d, "api_base": embedded.base_url}
            if isinstance(d, dict) and d.get("embedded") and not d.get("api_base")
            else d
            for d in data["deployments"]
        ]
        return {**data, "deployments": deployments}

    @property
    def groups(self) -> tuple[str, ...]:
        """The groups a call walks: the primary model, then the fallbacks in order."""
        return (self.model, *self.fallbacks)

    def deployments_of(self, group: str) -> tuple[DeploymentConfig, ...]:
        return tuple(d for d in self.deployments if d.name == group)

    def structured_output_of(self, group: str) -> StructuredOutput:
        return self.deployments_of(group)[0].structured_output

    @property
    def uses_embedded(self) -> bool:
        return any(d.embedded for group in self.groups for d in self.deployments_of(group))


def _read(source: str | Path) -> dict[str, Any]:
    path = Path(source)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GatewayConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise GatewayConfigError(f"{path}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise GatewayConfigError(f"{path}: expected a mapping at the top level")
    return data


def _apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    merged = {k: v for k, v in data.items()}
    merged.update({k: v for k, v in overrides.items() if k not in _DEPLOYMENT_OVERRIDES and v is not None})
    deployment_overrides = {k: overrides[k] for k in _DEPLOYMENT_OVERRIDES if overrides.get(k) is not None}
    if deployment_overrides:
        primary = merged.get("model")
        deployments = []
        for entry in merged.get("deployments") or []:
            if isinstance(entry, dict) and entry.get("name") == primary:
                entry = {**entry, **deployment_overrides}
                if "api_base" in deployment_overrides:  # pointed elsewhere: nothing to start locally
                    entry["embedded"] = False
            deployments.append(entry)
        merged["deployments"] = deployments
    return merged


def load_gateway_config(
    source: str | Path | Mapping[str, Any] | GatewayConfig | None = None, **overrides: Any
) -> GatewayConfig:
    """Read and validate a config; `None` is the bundled embedded default.

    Overrides (None values are ignored, so a settings object can pass its fields straight through)
    replace top-level keys; `api_base`, `api_key` and `structured_output` apply to the primary
    group's deployments (an `api_base` override also means the embedded server is not needed).
    """
    if isinstance(source, GatewayConfig):
        if not overrides:
            return source
        source = source.model_dump(mode="json")
    if source is None:
        source = DEFAULT_CONFIG_PATH
    if isinstance(source, Mapping):
        data, name = dict(source), str(source.get("source", "<dict>"))
    else:
        data, name = _read(source), str(source)
    data["source"] = name
    try:
        return GatewayConfig.model_validate(_apply_overrides(data, overrides))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
        )
        raise GatewayConfigError(f"{name}: {problems}") from exc
