"""DeepL glossary entries: the header-less TSV or CSV that DeepL's `POST /v2/glossaries` takes.

DeepL's rules, kept so that a file DeepL would refuse is refused here too, with its line: one
`source<TAB>target` pair per line, neither side empty, no source twice. The pairs are stored as our YAML
termbase, which holds any text as it is (our CSV/TSV reader would read `|` as a variant separator).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Literal

import yaml

from glossaries.model import ResourceError, Termbase, refuse_control_characters

__all__ = ["EntriesFormat", "entries_as_yaml", "read_entries", "termbase_pairs", "write_tsv"]

EntriesFormat = Literal["tsv", "csv"]


def read_entries(text: str, fmt: EntriesFormat, *, filename: str = "entries") -> list[tuple[str, str]]:
    """(source, target) pairs, in order; `ResourceError` names the first line DeepL would refuse."""
    refuse_control_characters(text, filename)
    rows: Iterable[list[str]] = (
        csv.reader(io.StringIO(text)) if fmt == "csv" else (line.split("\t") for line in text.splitlines())
    )
    pairs: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue  # DeepL skips blank lines
        if len(row) != 2:
            what = "a tab" if fmt == "tsv" else "a comma"
            raise ResourceError(filename, f"expected source and target separated by {what}", line=number)
        source, target = (cell.strip() for cell in row)
        if not source or not target:
            raise ResourceError(filename, "an entry needs both a source and a target term", line=number)
        if source in seen:
            raise ResourceError(filename, f"source {source!r} is already on line {seen[source]}", line=number)
        seen[source] = number
        pairs.append((source, target))
    if not pairs:
        raise ResourceError(filename, "no entries")
    return pairs


def entries_as_yaml(pairs: Iterable[tuple[str, str]], source_lang: str, target_lang: str) -> bytes:
    """The pairs as a YAML termbase file (see `yaml_terms.py`): what the resource store keeps."""
    doc = {
        "source_lang": source_lang,
        "target_lang": target_lang,
        "entries": [{"source": s, "target": t} for s, t in pairs],
    }
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode()


def termbase_pairs(termbase: Termbase) -> list[tuple[str, str]]:
    """DeepL's view of any termbase: each source term with the entry's preferred target."""
    pairs: list[tuple[str, str]] = []
    for entry in termbase.entries:
        target = entry.preferred_target
        if target is None:
            continue
        pairs.extend((source.text, target.text) for source in entry.source)
    return pairs


def write_tsv(pairs: Iterable[tuple[str, str]]) -> str:
    """DeepL's `GET /v2/glossaries/{id}/entries` body. Tabs and line breaks inside terms become spaces."""
    clean = (" ".join(s.split()) + "\t" + " ".join(t.split()) for s, t in pairs)
    return "".join(line + "\n" for line in clean)
