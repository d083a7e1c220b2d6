"""YAML termbases: the format people write by hand.

Schema (a top-level list of entries is accepted too):

```yaml
source_lang: en            # optional; when given it must agree with the requested pair
target_lang: de
entries:
  - source: Save           # a string or a list of variants
    target: Speichern      # a string, a list, or {text, status, note, pos, case_sensitive} items
    forbidden: [Sichern]   # renderings a translator must not use
    status: preferred      # of the `target` terms: preferred | admitted | forbidden | do-not-translate
    pos: verb
    note: UI button label
    case_sensitive: false
  - source: Cloud Console
    status: do-not-translate
```
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from glossaries.fields import KNOWN_STATUSES, parse_status, resource_id
from glossaries.model import Entry, ResourceError, Term, Termbase, TermStatus, content_version
from glossaries.text import primary_lang
from glossaries.yaml_source import line_of, load_yaml, raise_validation_error

__all__ = ["read_yaml"]


def _status(value: str) -> str:
    if parse_status(value) is None:
        raise ValueError(f"unknown status {value!r} (expected {KNOWN_STATUSES})")
    return value


def _variants(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    return [v.strip() for v in items if v.strip()]


class YamlTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    status: str | None = None
    note: str | None = None
    pos: str | None = None
    case_sensitive: bool | None = None

    _check_status = field_validator("status")(lambda v: v if v is None else _status(v))


class YamlEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | int | None = None
    source: str | list[str]
    target: str | list[str | YamlTarget] | None = None
    forbidden: str | list[str] | None = None
    status: str = "preferred"
    note: str | None = None
    pos: str | None = None
    case_sensitive: bool = False

    _check_status = field_validator("status")(lambda v: _status(v))

    @field_validator("source")
    @classmethod
    def _source_not_empty(cls, value: str | list[str]) -> str | list[str]:
        if not _variants(value):
            raise ValueError("empty source term")
        return value


class YamlTermbase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    name: str | None = None
    description: str | None = None
    source_lang: str | None = None
    target_lang: str | None = None
    entries: list[YamlEntry]


def _entry(item: YamlEntry, index: int, line: int | None, filename: str) -> Entry:
    status = parse_status(item.status) or TermStatus.PREFERRED
    cs = item.case_sensitive
    source_status = TermStatus.DNT if status is TermStatus.DNT else TermStatus.PREFERRED
    source = [Term(s, source_status, cs, item.pos) for s in _variants(item.source)]
    targets: list[Term] = []
    raw = [item.target] if isinstance(item.target, str) else item.target or []
    for t in raw:
        if isinstance(t, str):
            if t.strip():
                targets.append(Term(t.strip(), status, cs, item.pos))
        else:
            t_status = parse_status(t.status) if t.status else status
            targets.append(
                Term(
                    t.text.strip(),
                    t_status or status,
                    cs if t.case_sensitive is None else t.case_sensitive,
                    t.pos or item.pos,
                    t.note,
                )
            )
    targets += [Term(f, TermStatus.FORBIDDEN, cs, item.pos) for f in _variants(item.forbidden)]
    if not any(t.status is not TermStatus.FORBIDDEN for t in targets) and status is not TermStatus.DNT:
        raise ResourceError(
            filename, "entry has no target (use status do-not-translate to keep the source)", line
        )
    return Entry(
        id=str(item.id) if item.id is not None else str(index + 1),
        source=tuple(source),
        target=tuple(targets),
        note=item.note,
        pos=item.pos,
        line=line,
    )


def read_yaml(
    data: bytes, filename: str, *, source_lang: str, target_lang: str, id: str | None = None
) -> Termbase:
    """Read a YAML termbase; validation errors name the entry's line."""
    value, node = load_yaml(data, filename)
    if value is None:
        raise ResourceError(filename, "empty file: expected a list of entries")
    doc: Any = {"entries": value} if isinstance(value, list) else value
    prefix: tuple[str, ...] = ("entries",) if isinstance(value, list) else ()
    try:
        model = YamlTermbase.model_validate(doc)
    except ValidationError as exc:  # a bare list has no "entries" key: drop that step of the path
        raise_validation_error(exc, filename, node, skip=len(prefix))
    for declared, wanted in ((model.source_lang, source_lang), (model.target_lang, target_lang)):
        if declared and primary_lang(declared) != primary_lang(wanted):
            raise ResourceError(
                filename,
                f"termbase is {model.source_lang}->{model.target_lang}, not {source_lang}->{target_lang}",
            )
    entries_loc: tuple[str, ...] = () if prefix else ("entries",)
    entries = tuple(
        _entry(item, i, line_of(node, (*entries_loc, i)), filename) for i, item in enumerate(model.entries)
    )
    return Termbase(
        id=resource_id(filename, id or model.id),
        version=content_version(data),
        source_lang=source_lang,
        target_lang=target_lang,
        entries=entries,
    )
