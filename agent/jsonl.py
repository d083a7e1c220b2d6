"""JSON Lines files of segment rows: one reader, so every command reports a bad line the same way."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["JsonlError", "read_objects"]


class JsonlError(ValueError):
    """A JSONL file that cannot be read as rows; the message starts with `file:line:` where there is a line."""


def read_objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; a line that is not a JSON object is an error naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise JsonlError(f"{path}: cannot read: {exc}") from None
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise JsonlError(f"{path}:{n}: invalid JSON: {exc.msg}") from None
        if not isinstance(row, dict):
            raise JsonlError(f"{path}:{n}: a row must be a JSON object")
        yield n, row
