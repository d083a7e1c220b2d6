"""Evaluation sets: the shared JSONL shape and XLIFF files with reference targets, read into `EvalRow`s.

JSONL rows look like `{"id", "src", "mt", "ref"?, "pe"?, "terms"?: [{"src": str, "tgt": [str, ...]}]}`.
Per-row `terms` become glossary `Entry`s whose every `tgt` variant is an allowed rendering (the first
preferred, the rest admitted), as the WMT terminology task accepts any listed form.

In XLIFF the `<target>` is the reference (an approved translation); the MT comes from a 1.2 `<alt-trans>`
(origin="mt" preferred) or a 2.x `<mtc:match>` (no MT: the segment is translated from scratch). Inline
tags stay in the text, serialized by `formats.xliff.inline_text` so they read as the agent's filter reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from formats.jsonl import JsonlError, read_objects
from formats.xliff import inline_text
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


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _inner(el: etree._Element | None) -> str | None:
    """The element's content as markup text, serialized as the agent's XLIFF filter does it."""
    if el is None:
        return None
    return inline_text(el, etree.QName(el).namespace or "")


def _child(el: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in el if _local(c.tag) == name), None)


def _mt_12(unit: etree._Element) -> str | None:
    alts = [a for a in unit if _local(a.tag) == "alt-trans"]
    mt = [a for a in alts if (a.get("origin") or "").lower() in ("mt", "machine-translation")] or alts
    return _inner(_child(mt[0], "target")) if mt else None


def _mt_20(unit: etree._Element) -> str | None:
    for node in unit.iter():
        if _local(node.tag) == "match":
            return _inner(_child(node, "target"))
    return None


def read_xliff(path: Path) -> list[EvalRow]:
    """Units of an XLIFF 1.2 or 2.x file: source, MT (alt-trans / mtc:match) and target as reference."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as e:
        raise DatasetError(f"{path}:{e.lineno}: not well-formed XML ({e.msg})") from e
    dataset = path.name.rsplit(".", 1)[0]
    rows: list[EvalRow] = []
    for unit in root.iter():
        name = _local(unit.tag)
        if name == "trans-unit":
            segs = [(unit.get("id") or str(unit.sourceline), unit, _mt_12(unit))]
        elif name == "unit":
            found = [s for s in unit if _local(s.tag) == "segment"]
            mt = _mt_20(unit)
            base = unit.get("id") or str(unit.sourceline)
            segs = [
                (
                    base if len(found) == 1 else f"{base}.{s.get('id') or k}",
                    s,
                    mt if len(found) == 1 else None,
                )
                for k, s in enumerate(found)
            ]
        else:
            continue
        for seg_id, seg, mt in segs:
            source = _inner(_child(seg, "source"))
            if source is None:
                raise DatasetError(f"{path}:{seg.sourceline}: unit {seg_id!r} has no <source>")
            ref = _inner(_child(seg, "target"))
            rows.append(EvalRow(dataset=dataset, id=seg_id, src=source, mt=mt, ref=ref or None))
    return rows


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
