"""Tolerant reading of a model's JSON answer: small models wrap JSON in fences or prose.

Pure functions; `None` means "no usable JSON object", never an exception.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import jsonschema

__all__ = ["extract_json_object", "parse_reply"]

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
_DECODER = json.JSONDecoder()


def extract_json_object(text: str) -> dict[str, Any] | None:
    """The first JSON object in `text`: the whole text, a fenced block, or the first `{...}` that parses."""
    stripped = text.strip()
    candidates = [stripped, *(m.group(1).strip() for m in _FENCE.finditer(text))]
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    for start in (i for i, ch in enumerate(text) if ch == "{"):
        try:
            value, _end = _DECODER.raw_decode(text, start)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def parse_reply(text: str, schema: dict[str, Any] | None) -> dict[str, Any] | None:
    """The reply's JSON object if it validates against `schema` (when given), else `None`."""
    data = extract_json_object(text)
    if data is None or schema is None:
        return data
    return data if _validator(json.dumps(schema, sort_keys=True)).is_valid(data) else None


@functools.lru_cache(maxsize=64)
def _validator(schema_json: str) -> Any:
    """A checked, compiled validator per schema (checking a schema costs milliseconds; do it once)."""
    schema = json.loads(schema_json)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)  # a broken schema is the caller's bug: SchemaError
    return cls(schema)
