"""The one settings object: environment variables with the prefix POSTEDIT_ (and REDIS_URL), or a .env file.

No other module reads or writes `os.environ`; the app, the CLI and the workers all receive a `Settings`,
and `prepare_libraries` sets what third-party libraries read from the environment at import.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Read by libraries when they are first imported: litellm then keeps its bundled cost map instead of
# fetching one from GitHub, and ragas sends no telemetry. A value the user exported wins.
LIBRARY_ENVIRONMENT = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "RAGAS_DO_NOT_TRACK": "true"}

DEV_KEY = "dev-key"  # used only when no key is configured anywhere and env == "development"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POSTEDIT_", env_file=".env", extra="ignore")

    env: Literal["development", "production"] = "development"
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("POSTEDIT_REDIS_URL", "REDIS_URL")
    )
    redis_prefix: str = "postedit:"
    model_config_path: Path | None = Field(
        default=None, description="LLM gateway YAML (agent/llm.py); None: the bundled default"
    )

    # Translation memories: sqlite:///path (one machine) or postgresql://user@host/db (many API processes).
    memory_url: str | None = Field(default=None, description="None: SQLite in ~/.local/share/postedit")
    embedded_autostart: bool = True  # start the embedded llama.cpp server when the model config uses it

    # Auth: "KEY:TENANT,KEY2:TENANT2", and/or a YAML/JSON file {"keys": {KEY: TENANT}}, and/or Redis hash.
    api_keys: str = ""
    api_keys_file: Path | None = None

    # Limits.
    max_segments: int = 100
    max_segment_chars: int = 5000
    max_body_bytes: int = 2_000_000
    max_upload_bytes: int = 50_000_000
    max_sync_xliff_units: int = 200  # larger XLIFF files must go through /v1/jobs
    rate_limit_per_minute: int = 600  # requests per API key per minute; 0 disables
    # Requests with a wrong key per client address per minute (key guessing, and a Redis lookup each); 0 disables
    auth_failures_per_minute: int = 60
    # Characters per tenant and calendar month through /v2/translate (DeepL's quota, reported by /v2/usage);
    # the default is DeepL's own figure for "no limit".
    deepl_character_limit: int = Field(default=1_000_000_000_000, ge=0)
    concurrency: int = 16  # segments edited at once per request / per job

    # Jobs.
    job_ttl_seconds: int = 7 * 24 * 3600
    job_lease_seconds: float = 15.0  # a worker that has not renewed its lease this long is presumed dead
    worker_max_jobs: int = 4
    # Job callbacks: the body is signed with HMAC-SHA256 under this secret (`X-Postedit-Signature`); without
    # it `callback_url` is refused, so a receiver never gets an unsigned call it cannot authenticate.
    webhook_secret: SecretStr = SecretStr("")
    webhook_secret_file: Path | None = (
        None  # a mounted secret (compose, Kubernetes); read into webhook_secret
    )
    webhook_attempts: int = Field(default=5, ge=1, le=20)  # deliveries tried before giving up
    webhook_backoff_seconds: float = Field(default=2.0, ge=0)  # before the 2nd attempt; doubles after each
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)  # per attempt, and the shutdown grace period

    @model_validator(mode="after")
    def _production_has_keys(self) -> Settings:
        """Production never falls back to the dev key; with Redis the keys may live there (checked at startup)."""
        if (
            self.env == "production"
            and not self.api_keys
            and self.api_keys_file is None
            and not self.redis_url
        ):
            raise ValueError("production needs API keys: set POSTEDIT_API_KEYS or POSTEDIT_API_KEYS_FILE")
        return self

    @model_validator(mode="after")
    def _read_secret_files(self) -> Settings:
        """Secrets mounted as files (Docker and Kubernetes secrets) rather than put in the environment."""
        if self.webhook_secret_file is not None:
            try:
                secret = self.webhook_secret_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ValueError(
                    f"POSTEDIT_WEBHOOK_SECRET_FILE: cannot read {self.webhook_secret_file}: {exc}"
                ) from exc
            self.webhook_secret = SecretStr(secret)
        return self

    def memory_store_url(self) -> str:
        if self.memory_url:
            return self.memory_url
        return f"sqlite:///{Path.home() / '.local' / 'share' / 'postedit' / 'memory.sqlite3'}"

    def redis_key(self, *parts: str) -> str:
        return self.redis_prefix + ":".join(parts)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def prepare_libraries() -> None:
    """Give third-party libraries their offline, telemetry-free environment before they are imported.

    Called by every entry point (`postedit`, `create_app`, the bench scripts, the test suite); a program that
    imports `agent` directly calls it first, or nothing may stop litellm from looking for a newer cost map.
    """
    for name, value in LIBRARY_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


def child_environment(overrides: Mapping[str, str]) -> dict[str, str]:
    """This process's environment with `overrides`, for a server or worker process a script starts."""
    return {**os.environ, **overrides}
