"""One in-memory termbase model shared by every reader (TBX, CSV/TSV, YAML).

Readers build `Termbase`s; the matcher indexes them; the agent and the checks only ever see these types.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property


class TermStatus(StrEnum):
    """Normative status of one term, after mapping TBX `administrativeStatus`/`normativeAuthorization`."""

    PREFERRED = "preferred"
    ADMITTED = "admitted"
    FORBIDDEN = "forbidden"  # deprecated / superseded / deprecatedTerm-admn-sts
    DNT = "do-not-translate"


@dataclass(frozen=True)
class Term:
    text: str
    status: TermStatus = TermStatus.PREFERRED
    case_sensitive: bool = False
    pos: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Entry:
    """One concept: its source-language terms and target-language terms."""

    id: str
    source: tuple[Term, ...]
    target: tuple[Term, ...]
    note: str | None = None
    pos: str | None = None
    line: int | None = None  # where it was defined, for error messages

    # Cached: every check of every segment asks these of each matched entry, and entries never change.
    @cached_property
    def is_dnt(self) -> bool:
        """A do-not-translate concept: the source form must appear verbatim in the target."""
        return any(t.status is TermStatus.DNT for t in self.source) or any(
            t.status is TermStatus.DNT for t in self.target
        )

    @cached_property
    def allowed_targets(self) -> tuple[Term, ...]:
        """Renderings a translator may use (preferred first, then admitted)."""
        ok = [t for t in self.target if t.status is TermStatus.PREFERRED]
        ok += [t for t in self.target if t.status is TermStatus.ADMITTED]
        return tuple(ok)

    @cached_property
    def forbidden_targets(self) -> tuple[Term, ...]:
        return tuple(t for t in self.target if t.status is TermStatus.FORBIDDEN)

    @cached_property
    def preferred_target(self) -> Term | None:
        allowed = self.allowed_targets
        return allowed[0] if allowed else None


@dataclass(frozen=True)
class Termbase:
    """A loaded termbase. `version` is the SHA-256 of the file bytes, so caches keyed on it never go stale."""

    id: str
    version: str
    source_lang: str
    target_lang: str
    entries: tuple[Entry, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.entries)

    def merged(self, extra: Termbase) -> Termbase:
        """This termbase plus `extra`'s entries (e.g. per-segment `terms`), with a combined version."""
        version = hashlib.sha256((self.version + extra.version).encode()).hexdigest()
        return Termbase(
            id=f"{self.id}+{extra.id}",
            version=version,
            source_lang=self.source_lang,
            target_lang=self.target_lang,
            entries=self.entries + extra.entries,
        )


def content_version(data: bytes) -> str:
    """The version of a resource: SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()


class ResourceError(ValueError):
    """A termbase or style guide the user must fix. Carries file, line (when the format has one) and reason."""

    def __init__(self, file: str, reason: str, line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {reason}")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_control_characters(text: str, filename: str) -> None:
    """A NUL or other C0 control character in a term is an encoding accident, never a term: name its line.

    XML and YAML readers refuse them already; delimited text would store them and match nothing.
    """
    found = _CONTROL.search(text)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        raise ResourceError(filename, f"control character U+{ord(found.group()):04X} in the text", line)
