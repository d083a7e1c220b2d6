"""The gateway's exceptions: provider errors (litellm, openai, httpx) never leak past the gateway.

LLMError                  any failure to get a usable answer from the model
├── LLMUnavailable        connection refused, HTTP 5xx or 429, after retries and fallbacks
├── LLMTimeout            no answer within the configured timeout, after retries and fallbacks
├── LLMRejected           the server refused the request (HTTP 4xx): a config or contract error
└── LLMBadOutput          an answer arrived but is unusable (no JSON where JSON was required)
"""

from __future__ import annotations

__all__ = ["LLMBadOutput", "LLMError", "LLMRejected", "LLMTimeout", "LLMUnavailable"]


class LLMError(Exception):
    """A model call failed; `model` names the model group asked."""

    def __init__(self, message: str, *, model: str = "") -> None:
        super().__init__(message)
        self.model = model


class LLMUnavailable(LLMError):
    """The model could not be reached or kept failing (5xx, 429, connection errors)."""


class LLMTimeout(LLMError):
    """The model did not answer in time."""


class LLMRejected(LLMError):
    """The server rejected the request itself (HTTP 4xx); retrying the same request will not help."""


class LLMBadOutput(LLMError):
    """The model answered, but not in the shape required."""
