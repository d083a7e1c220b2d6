"""JSON Lines files of segment rows: one reader, so every command reports a bad line the same way."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["JsonlError", "parse_objects", "read_objects"]


class JsonlError(ValueError):
    """JSONL that cannot be read as rows; the message names the place: `file:line:`, or `line N:` for an upload."""


def read_objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of a file; errors start with `path:line:`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise JsonlError(f"{path}: cannot read: {exc}") from None
    return parse_objects(text, str(path))


def parse_objects(text: str, name: str | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; a line that is not a JSON object is an error naming it."""
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{name}:{n}:" if name else f"line {n}:"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise JsonlError(f"{where} invalid JSON: {exc.msg}") from None
        if not isinstance(row, dict):
            raise JsonlError(f"{where} a row must be a JSON object")
        yield n, row
