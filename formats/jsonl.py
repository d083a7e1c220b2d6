"""JSON Lines files of segment rows: one reader, so every command reports a bad line the same way."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["JsonlError", "loads", "parse_objects", "read_objects"]


class JsonlError(ValueError):
    """JSONL that cannot be read as rows; the message names the place: `file:line:`, or `line N:` for an upload."""


def loads(text: str | bytes) -> Any:
    """`json.loads` whose every failure is a ValueError with a reason a client can act on.

    The bounds are the interpreter's: nesting deeper than the recursion limit (~1,000 levels) and integers
    longer than `sys.get_int_max_str_digits()` (4,300 digits) raise RecursionError and ValueError, which
    callers that catch only JSONDecodeError would turn into a 500.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise ValueError("invalid JSON: nested too deeply") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"invalid JSON: not UTF-8 ({exc.reason})") from None
    except ValueError as exc:  # the integer digit limit
        raise ValueError(f"invalid JSON: {exc}") from None


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
            row = loads(line)
        except ValueError as exc:
            raise JsonlError(f"{where} {exc}") from None
        if not isinstance(row, dict):
            raise JsonlError(f"{where} a row must be a JSON object")
        yield n, row
