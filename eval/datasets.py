"""Evaluation sets: the shared JSONL shape and XLIFF files with reference targets, read into `EvalRow`s.

JSONL rows look like `{"id", "src", "mt", "ref"?, "pe"?, "terms"?: [{"src": str, "tgt": [str, ...]}]}`.
Per-row `terms` become glossary `Entry`s whose every `tgt` variant is an allowed rendering (the first
preferred, the rest admitted), as the WMT terminology task accepts any listed form.

In XLIFF the `<target>` is the reference (an approved translation); the MT comes from a 1.2 `<alt-trans>`
(origin="mt" preferred) or a 2.x `<mtc:match>` (no MT: the segment is translated from scratch). Inline
tags stay in the text, as the service's XLIFF filter (`formats.xliff`) reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formats.jsonl import JsonlError, read_objects
from formats.xliff import XliffError, parse_xliff
from glossaries.constraints import constraint_entries
from glossaries.model import Entry

__all__ = ["DatasetError", "EvalRow", "load_datasets", "read_jsonl", "read_xliff"]


class DatasetError(ValueError):
    """A dataset file the user must fix; the message names the file and line."""


@dataclass(frozen=True)
class EvalRow:
    """One evaluation segment. `key` is unique over all datasets of a run (`dataset/id`)."""

    dataset: str
    id: str
    src: str
    mt: str | None
    ref: str | None = None
    pe: str | None = None
    terms: tuple[Entry, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.dataset}/{self.id}"


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def read_jsonl(path: Path) -> list[EvalRow]:
    """Rows of one JSONL file; a line without `src` or with bad JSON is an error naming the line."""
    dataset = path.name.removesuffix(".jsonl")
    rows: list[EvalRow] = []
    try:
        objects = list(read_objects(path))
    except JsonlError as e:
        raise DatasetError(str(e)) from e
    for n, obj in objects:
        if not isinstance(obj.get("src"), str):
            raise DatasetError(f"{path}:{n}: a row needs a string 'src'")
        row_id = str(obj.get("id", n))
        rows.append(
            EvalRow(
                dataset=dataset,
                id=row_id,
                src=obj["src"],
                # A row of correct translations (`target`, no `mt`) is post-edited as if it were MT:
                # the harm test (correct MT must come back unchanged); it is its own reference.
                mt=_opt_str(obj.get("mt", obj.get("target"))),
                ref=_opt_str(obj.get("ref", obj.get("target"))),
                pe=_opt_str(obj.get("pe")),
                terms=constraint_entries(obj.get("terms") or [], row_id),
            )
        )
    return rows


def read_xliff(path: Path) -> list[EvalRow]:
    """Units of an XLIFF 1.x or 2.x file, read by the service's own hardened parser: source, the MT the file
    offers (1.2 `<alt-trans>`, 2.x `<mtc:match>`; none: translated from scratch) and target as reference."""
    try:
        doc = parse_xliff(path.read_bytes())
    except XliffError as e:
        raise DatasetError(f"{path}: {e}") from e
    dataset = path.name.rsplit(".", 1)[0]
    return [EvalRow(dataset=dataset, id=u.id, src=u.source, mt=u.mt, ref=u.target or None) for u in doc.units]


def load_datasets(paths: Sequence[Path], limit: int | None = None) -> list[EvalRow]:
    """All rows of the given files (JSONL or XLIFF by extension), `limit` rows per file at most."""
    rows: list[EvalRow] = []
    seen: set[str] = set()
    for path in paths:
        if not path.exists():
            raise DatasetError(f"{path}: no such file")
        suffix = path.suffix.lower()
        got = read_xliff(path) if suffix in (".xlf", ".xliff", ".sdlxliff", ".mqxliff") else read_jsonl(path)
        for row in got[:limit] if limit is not None else got:
            if row.key in seen:
                raise DatasetError(f"{path}: duplicate id {row.id!r}")
            seen.add(row.key)
            rows.append(row)
    return rows
