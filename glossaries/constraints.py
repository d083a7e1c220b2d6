"""Per-segment term constraints (`[{"src": str, "tgt": [str, ...]}]`, the shape of the evaluation data and
of batch rows) as glossary entries: the first `tgt` is preferred, the others admitted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from glossaries.model import Entry, Term, TermStatus

__all__ = ["constraint_entries"]


def constraint_entries(terms: Iterable[Mapping[str, Any]], row_id: str) -> tuple[Entry, ...]:
    """One entry per constraint with a source and at least one target; ids are `{row_id}#t{i}`."""
    out: list[Entry] = []
    for i, term in enumerate(terms):
        src = str(term.get("src", "")).strip()
        tgt = term.get("tgt", [])
        targets = [t.strip() for t in ([tgt] if isinstance(tgt, str) else [str(x) for x in tgt]) if t.strip()]
        if not src or not targets:
            continue
        statuses = [TermStatus.PREFERRED] + [TermStatus.ADMITTED] * (len(targets) - 1)
        out.append(
            Entry(
                id=f"{row_id}#t{i}",
                source=(Term(src),),
                target=tuple(Term(t, s) for t, s in zip(targets, statuses, strict=True)),
            )
        )
    return tuple(out)
