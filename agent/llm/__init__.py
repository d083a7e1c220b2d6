"""The LLM gateway: one way to reach any OpenAI-compatible model (vLLM, the embedded llama.cpp, hosted APIs).

Only this package imports litellm, and only when a gateway is built (the import takes seconds).
"""

from agent.llm._config import (
    DEFAULT_CONFIG_PATH,
    DeploymentConfig,
    EmbeddedConfig,
    GatewayConfig,
    GatewayConfigError,
    load_gateway_config,
)
from agent.llm._errors import LLMBadOutput, LLMError, LLMRejected, LLMTimeout, LLMUnavailable
from agent.llm._gateway import LLMCall, LLMGateway, LLMReply
from agent.llm._json import extract_json_object
from agent.llm._structured import StructuredOutput, grammar_safe, response_format

__all__ = [
    "DEFAULT_CONFIG_PATH",
    "DeploymentConfig",
    "EmbeddedConfig",
    "GatewayConfig",
    "GatewayConfigError",
    "LLMBadOutput",
    "LLMCall",
    "LLMError",
    "LLMGateway",
    "LLMRejected",
    "LLMReply",
    "LLMTimeout",
    "LLMUnavailable",
    "StructuredOutput",
    "extract_json_object",
    "grammar_safe",
    "load_gateway_config",
    "response_format",
]
