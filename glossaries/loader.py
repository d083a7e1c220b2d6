"""Load a termbase from a file or bytes, picking the reader by extension."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from glossaries.delimited import read_delimited
from glossaries.model import ResourceError, Termbase
from glossaries.tbx import read_tbx
from glossaries.yaml_terms import read_yaml

__all__ = ["READERS", "load_termbase", "parse_termbase"]

Reader = Callable[..., Termbase]

READERS: dict[str, Reader] = {
    ".tbx": read_tbx,
    ".xml": read_tbx,
    ".csv": read_delimited,
    ".tsv": read_delimited,
    ".txt": read_delimited,
    ".tab": read_delimited,
    ".yaml": read_yaml,
    ".yml": read_yaml,
}


def parse_termbase(
    data: bytes, filename: str, *, source_lang: str, target_lang: str, id: str | None = None
) -> Termbase:
    """Parse termbase bytes; `filename`'s extension picks the format. Bad input raises ResourceError."""
    reader = READERS.get(Path(filename).suffix.lower())
    if reader is None:
        raise ResourceError(
            filename, f"unknown termbase format (expected one of {', '.join(sorted(set(READERS)))})"
        )
    return reader(data, filename, source_lang=source_lang, target_lang=target_lang, id=id)


def load_termbase(path: str | Path, *, source_lang: str, target_lang: str, id: str | None = None) -> Termbase:
    """Read and parse a termbase file."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ResourceError(str(path), f"cannot read: {exc.strerror or exc}") from None
    return parse_termbase(data, str(path), source_lang=source_lang, target_lang=target_lang, id=id)
