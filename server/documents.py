"""Whole documents (XLIFF, JSONL) as lists of segments, and results back into documents.

Shared by `POST /v1/xliff` (small files, inline) and the job workers (large files, checkpointed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from pydantic import ValidationError

from formats.jsonl import JsonlError, parse_objects
from formats.xliff import TargetUpdate, XliffDocument, parse_xliff, write_xliff
from server.schemas import SegmentIn, SegmentOut, TermIn

__all__ = [
    "DocumentError",
    "TooManyUnits",
    "job_input_summary",
    "jsonl_result",
    "jsonl_segments",
    "read_xliff",
    "xliff_result",
    "xliff_segments",
]

# Unit start tags (`<trans-unit`, `<unit`, any prefix) a file may have per editable unit it is allowed:
# locked, final and `translate="no"` units are not edited, so the raw count only refuses gross excess.
UNIT_TAG_SLACK = 10
_UNIT_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:trans-)?unit[\s/>]")


class DocumentError(ValueError):
    """An uploaded document the client must fix (the message says where)."""


class TooManyUnits(DocumentError):
    """More editable units than a request may carry."""


def _unit_tags(data: bytes, chunk: int = 1 << 20) -> int:
    """Unit start tags in `data`, a megabyte at a time: one regex over 30 MB would hold the GIL, and so the
    event loop, for a quarter of a second even from a thread."""
    count = 0
    for start in range(0, len(data), chunk):
        window = data[start : start + chunk + 64]  # a tag across the boundary is counted in its own chunk
        count += sum(1 for m in _UNIT_TAG.finditer(window) if m.start() < chunk)
    return count


def read_xliff(data: bytes, max_units: int | None = None) -> tuple[XliffDocument, list[SegmentIn]]:
    """The parsed file and its segments; CPU-bound, so callers run it in a thread.

    With `max_units`, a file is refused by a byte scan for unit tags before any tree is built (a 47 MB
    file costs milliseconds, not seconds and 300 MB), then exactly once its segments are known.
    Raises `XliffError` for a broken file.
    """
    if max_units is not None:
        tags = _unit_tags(data)
        if tags > max_units * UNIT_TAG_SLACK:
            raise TooManyUnits(f"{tags} units; at most {max_units} inline")
    doc = parse_xliff(data)
    segments = xliff_segments(doc)
    if max_units is not None and len(segments) > max_units:
        raise TooManyUnits(f"{len(segments)} units; at most {max_units} inline")
    return doc, segments


def xliff_segments(doc: XliffDocument) -> list[SegmentIn]:
    """One segment per editable unit; the segment id is the unit's key, the existing target is the MT."""
    return [
        SegmentIn(id=u.key, source=u.source, mt=u.target if u.target and u.target.strip() else None)
        for u in doc.editable
    ]


def _notes(out: SegmentOut) -> tuple[str, ...]:
    if out.error is not None:
        return (f"postedit error: {out.error.message}",)
    return tuple(f"{v.severity} [{v.code}]: {v.message}" for v in out.violations)


def xliff_result(data: bytes, doc: XliffDocument, outs: Mapping[str, SegmentOut]) -> bytes:
    """The XLIFF with every finished unit's target replaced (errors keep the old target, for review)."""
    targets = {u.key: u.target for u in doc.units}
    updates: dict[str, TargetUpdate] = {}
    for key, out in outs.items():
        text = out.output if out.output is not None else targets.get(key)
        if text is None:
            continue
        updates[key] = TargetUpdate(
            text=text, needs_review=out.status in {"needs_review", "error"}, notes=_notes(out)
        )
    return write_xliff(data, updates)


def _terms(raw: object) -> list[TermIn]:
    """`terms` in our shape (`source`/`target`) or the eval data's (`src`/`tgt`)."""
    terms = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and "src" in item:
            tgt = item.get("tgt", [])
            terms.append(TermIn(source=item["src"], target=tgt if isinstance(tgt, list) else [tgt]))
        else:
            terms.append(TermIn.model_validate(item))
    return terms


def jsonl_segments(data: bytes) -> list[SegmentIn]:
    """Rows `{"id", "source"|"src", "mt"?, "context"?, "terms"?}`; the segment id becomes `line:id`."""
    segments = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"JSONL is not UTF-8: {exc}") from exc
    try:
        for number, row in parse_objects(text):
            source = row.get("source", row.get("src"))
            try:
                segment = SegmentIn(
                    id=f"{number}:{row.get('id', number)}",
                    source=source if isinstance(source, str) else "",
                    mt=row.get("mt"),
                    context=row.get("context"),
                    terms=_terms(row.get("terms")),
                )
            except ValidationError as exc:
                raise DocumentError(f"line {number}: {exc.errors()[0]['msg']}") from exc
            segments.append(segment)
    except JsonlError as exc:
        raise DocumentError(str(exc)) from exc
    if not segments:
        raise DocumentError("the JSONL file has no rows")
    return segments


def job_input_summary(kind: str, data: bytes) -> tuple[int, str | None, str | None]:
    """(segments, source language, target language) of a job's file, which must be valid: what
    `POST /v1/jobs` needs before queueing, small enough to send back from the parsing process."""
    if kind == "xliff":
        doc, segments = read_xliff(data)
        return len(segments), doc.source_lang, doc.target_lang
    return len(jsonl_segments(data)), None, None


def jsonl_result(segments: Sequence[SegmentIn], outs: Mapping[str, SegmentOut]) -> bytes:
    """One result per input row, in input order; `id` is the row's own id again."""
    lines = []
    for seg in segments:
        out = outs[seg.id]
        row = out.model_dump(mode="json")
        row["id"] = seg.id.split(":", 1)[1]
        lines.append(json.dumps(row, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode()
