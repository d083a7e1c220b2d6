"""Structured output, in the form each server accepts (see ARCHITECTURE.md "LLM backends").

- vLLM (OpenAI server): `response_format={"type": "json_schema", "json_schema": {"name", "schema"}}`;
  the old `guided_json` field is ignored with a warning.
- llama-cpp-python 0.3.x server: rejects `json_schema`; takes `{"type": "json_object", "schema": ...}`
  and compiles the schema to a grammar.
- OpenAI: `json_schema` with `strict: true`.
- none: no constraint; the reply is parsed tolerantly.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

__all__ = ["StructuredOutput", "grammar_safe", "response_format"]


class StructuredOutput(StrEnum):
    VLLM = "vllm"
    LLAMA_CPP = "llama_cpp"
    OPENAI = "openai"
    NONE = "none"


def grammar_safe(text: str) -> bool:
    """Whether `text` can stand as a literal (an enum value, a pattern's words) in a constrained schema.

    llama-cpp-python 0.3.x writes a straight quote or a backslash into its GBNF grammar wrongly, and its
    server exits on the parse error; text with either is never put into a schema as a literal.
    """
    return '"' not in text and "\\" not in text


def _schema_name(schema: dict[str, Any]) -> str:
    title = str(schema.get("title") or "reply")
    return re.sub(r"[^A-Za-z0-9_-]", "_", title)[:64] or "reply"


def response_format(flavour: StructuredOutput, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The `response_format` request field that makes this server answer in `schema` (None: send none)."""
    match flavour:
        case StructuredOutput.VLLM:
            return {"type": "json_schema", "json_schema": {"name": _schema_name(schema), "schema": schema}}
        case StructuredOutput.LLAMA_CPP:
            return {"type": "json_object", "schema": schema}
        case StructuredOutput.OPENAI:
            return {
                "type": "json_schema",
                "json_schema": {"name": _schema_name(schema), "schema": schema, "strict": True},
            }
        case StructuredOutput.NONE:
            return None
