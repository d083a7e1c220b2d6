"""File formats of the documents the service reads and writes: XLIFF (1.1, 1.2, 2.x, SDLXLIFF, memoQ),
TMX (1.1-1.4) and JSON Lines. One hardened parser per format, used by the server, the CLI and the eval
harness alike."""

from formats.jsonl import JsonlError, loads, parse_objects, read_objects
from formats.xliff import (
    TargetUpdate,
    XliffDocument,
    XliffError,
    XliffUnit,
    inline_text,
    parse_xliff,
    write_xliff,
)

__all__ = [
    "JsonlError",
    "TargetUpdate",
    "XliffDocument",
    "XliffError",
    "XliffUnit",
    "inline_text",
    "loads",
    "parse_objects",
    "parse_xliff",
    "read_objects",
    "write_xliff",
]
