"""CSV/TSV termbases: one header row, then one row per (source, target) pair.

Columns are found by name, case-insensitively and with aliases (`source`/`src`/`sourceString`/`en`...,
`target`/`tgt`/`targetString`/`de`...), so exports from most tools load unchanged. A cell may hold
several `|`-separated variants, and rows sharing a source term form one concept: that is how a forbidden
rendering sits next to the preferred one.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from glossaries.fields import KNOWN_STATUSES, parse_bool, parse_status, resource_id
from glossaries.model import (
    Entry,
    ResourceError,
    Term,
    Termbase,
    TermStatus,
    content_version,
    refuse_control_characters,
)
from glossaries.text import primary_lang

__all__ = ["read_delimited"]

_ALIASES: dict[str, tuple[str, ...]] = {
    "source": ("source", "src", "sourcestring", "sourceterm", "term", "sourcetext", "sourcelanguageterm"),
    "target": (
        "target",
        "tgt",
        "targetstring",
        "targetterm",
        "translation",
        "targettext",
        "targetlanguageterm",
    ),
    "status": ("status", "termstatus", "usage", "usagestatus", "type"),
    "note": ("note", "notes", "comment", "comments", "definition", "description", "remark"),
    "pos": ("pos", "partofspeech", "wordclass"),
    "case_sensitive": ("casesensitive", "case", "matchcase", "casesensitivity"),
    "id": ("id", "conceptid", "entryid", "concept"),
}


@dataclass
class _Concept:
    id: str
    line: int
    source: list[Term] = field(default_factory=list)
    target: list[Term] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pos: str | None = None


def _norm(name: str) -> str:
    return "".join(c for c in name.casefold() if c.isalnum())


def _columns(header: list[str], filename: str, source_lang: str, target_lang: str) -> dict[str, int]:
    """Map field names to column indexes; language-code headers (`en`, `de-DE`) stand for source/target."""
    normalized = [_norm(h) for h in header]
    found: dict[str, int] = {}
    for name, aliases in _ALIASES.items():
        for i, col in enumerate(normalized):
            if col in aliases:
                found.setdefault(name, i)
    for name, lang in (("source", source_lang), ("target", target_lang)):
        if name not in found:
            for i, col in enumerate(header):
                if primary_lang(col) == primary_lang(lang) and i not in found.values():
                    found[name] = i
                    break
    for required in ("source", "target"):
        if required not in found:
            raise ResourceError(
                filename,
                f"missing {required} column (header has: {', '.join(header)}; "
                f"expected one of {', '.join(_ALIASES[required][:3])} or the language code)",
                1,
            )
    return found


def _split(cell: str) -> list[str]:
    return [v.strip() for v in cell.split("|") if v.strip()]


def read_delimited(
    data: bytes,
    filename: str,
    *,
    source_lang: str,
    target_lang: str,
    id: str | None = None,
    delimiter: str | None = None,
) -> Termbase:
    """Read a CSV (comma, or semicolon when the header has no comma) or TSV termbase."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResourceError(
            filename, f"not UTF-8 text ({exc.reason})", data[: exc.start].count(b"\n") + 1
        ) from None
    refuse_control_characters(text, filename)
    first_line = text.split("\n", 1)[0]
    if delimiter is None:
        delimiter = "\t" if filename.lower().endswith((".tsv", ".txt", ".tab")) else ","
        if delimiter == "," and "," not in first_line:
            delimiter = ";" if ";" in first_line else "\t" if "\t" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise ResourceError(filename, "empty file: expected a header row", 1)
        cols = _columns([h.strip() for h in header], filename, source_lang, target_lang)
        concepts: dict[str, _Concept] = {}
        line = reader.line_num + 1
        for row in reader:
            row_line, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            _add_row(concepts, row, cols, filename, row_line)
    except csv.Error as exc:
        raise ResourceError(
            filename, f"malformed {'TSV' if delimiter == chr(9) else 'CSV'}: {exc}", reader.line_num
        ) from None
    if not concepts:
        raise ResourceError(filename, "no terms: the file has a header but no rows", 2)
    entries = tuple(
        Entry(
            id=c.id,
            source=tuple(dict.fromkeys(c.source)),
            target=tuple(dict.fromkeys(c.target)),
            note="; ".join(dict.fromkeys(c.notes)) or None,
            pos=c.pos,
            line=c.line,
        )
        for c in concepts.values()
    )
    return Termbase(
        id=resource_id(filename, id),
        version=content_version(data),
        source_lang=source_lang,
        target_lang=target_lang,
        entries=entries,
    )


def _add_row(
    concepts: dict[str, _Concept], row: list[str], cols: dict[str, int], filename: str, line: int
) -> None:
    def cell(name: str) -> str:
        i = cols.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    sources = _split(cell("source"))
    if not sources:
        raise ResourceError(filename, "empty source term", line)
    status = parse_status(cell("status"))
    if status is None:
        raise ResourceError(filename, f"unknown status {cell('status')!r} (expected {KNOWN_STATUSES})", line)
    case = parse_bool(cell("case_sensitive"))
    if case is None:
        raise ResourceError(
            filename, f"case_sensitive must be yes/no/true/false, not {cell('case_sensitive')!r}", line
        )
    targets = _split(cell("target"))
    if not targets and status is not TermStatus.DNT:
        raise ResourceError(
            filename, "empty target term (use status do-not-translate to keep the source)", line
        )
    pos, note = cell("pos") or None, cell("note") or None
    key = sources[0].casefold()
    concept = concepts.get(key)
    if concept is None:
        concept = concepts[key] = _Concept(id=cell("id") or str(len(concepts) + 1), line=line, pos=pos)
    source_status = TermStatus.DNT if status is TermStatus.DNT else TermStatus.PREFERRED
    concept.source.extend(Term(s, source_status, case, pos) for s in sources)
    concept.target.extend(Term(t, status, case, pos, note) for t in targets)
    if note:
        concept.notes.append(note)
