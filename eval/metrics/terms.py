"""Terminology: term success rate per constraint (WMT terminology-task style), forbidden-term rate and
do-not-translate accuracy.

A constraint is an entry whose source side occurs in the segment: the row's own `terms` (given as
present) plus glossary entries the matcher finds in the source. Lemma-aware success asks the term
matcher whether any allowed target form occurs in the output, any inflection included ("douleurs
thoraciques" satisfies "douleur thoracique", "contagieuse" satisfies "contagieux": the same lemmas);
a compound or derived word built on the term (`Speicherressourcen` for "Speicher") counts too, as the checks
accept it; the exact variant wants an allowed form verbatim (word boundaries, case-insensitive unless the term is
case-sensitive).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from eval.metrics.base import Score
from glossaries.model import Entry, Term

__all__ = [
    "TermCheck",
    "TermFinder",
    "check_terms",
    "exact_occurs",
    "form_agreement",
    "reference_forms",
    "term_scores",
]

Kind = Literal["required", "forbidden", "dnt"]


class TermFinder(Protocol):
    """The part of `glossaries.matcher.TermMatcher` the metrics use."""

    def match_source(self, text: str) -> Sequence[Any]: ...
    def find_target(self, entry: Entry, target: str) -> Any: ...
    def find_inflected(self, entry: Entry, target: str) -> Any: ...
    def find_forbidden(self, entry: Entry, target: str) -> Any: ...
    def find_built_on(self, entry: Entry, target: str) -> Any: ...
    def find_split(self, entry: Entry, target: str) -> Any: ...


@dataclass(frozen=True)
class TermCheck:
    """One constraint in one output. `ok` is the lemma-aware verdict, `ok_exact` the surface one.
    For `forbidden`, ok means the forbidden term is absent."""

    entry_id: str
    kind: Kind
    ok: bool
    ok_exact: bool


def exact_occurs(term: Term, text: str) -> bool:
    """`term` verbatim in `text` at word boundaries (case-insensitive unless the term says otherwise)."""
    body = re.escape(term.text.strip())
    if not body:
        return False
    left = r"(?<!\w)" if term.text.strip()[0].isalnum() else ""
    right = r"(?!\w)" if term.text.strip()[-1].isalnum() else ""
    flags = 0 if term.case_sensitive else re.IGNORECASE
    return re.search(left + body + right, text, flags) is not None


def _entry_of(match: Any) -> Entry | None:
    entry = getattr(match, "entry", match)
    return entry if isinstance(entry, Entry) else None


def applicable_entries(source: str, row_terms: Iterable[Entry], finder: TermFinder | None) -> list[Entry]:
    """The row's constraints plus glossary entries found in `source` (deduplicated by id)."""
    out: dict[str, Entry] = {e.id: e for e in row_terms}
    if finder is not None:
        for m in finder.match_source(source):
            entry = _entry_of(m)
            if entry is not None:
                out.setdefault(entry.id, entry)
    return list(out.values())


def check_terms(output: str, entries: Sequence[Entry], finder: TermFinder | None) -> list[TermCheck]:
    """Every constraint's verdict on `output`. Without a finder, lemma-aware falls back to exact."""
    checks: list[TermCheck] = []
    for e in entries:
        if e.is_dnt:
            ok = any(t.text in output for t in e.source)  # DNT: the source form, verbatim
            checks.append(TermCheck(e.id, "dnt", ok, ok))
            continue
        allowed = e.allowed_targets
        if allowed:
            exact = any(exact_occurs(t, output) for t in allowed)
            lemma = exact or (
                finder is not None
                and (
                    finder.find_target(e, output) is not None
                    or finder.find_inflected(e, output) is not None
                    or finder.find_built_on(e, output) is not None
                    or finder.find_split(e, output) is not None
                )
            )
            checks.append(TermCheck(e.id, "required", lemma, exact))
        if e.forbidden_targets:
            exact_hit = any(exact_occurs(t, output) for t in e.forbidden_targets)
            hit = bool(finder.find_forbidden(e, output)) if finder is not None else exact_hit
            checks.append(TermCheck(e.id, "forbidden", not hit, not exact_hit))
    return checks


def term_scores(checks: Sequence[TermCheck], version: str = "") -> list[Score]:
    """term_success (lemma-aware), term_success_exact, forbidden_rate and dnt_accuracy over a system."""
    sig = f"glossary:{version[:12] or 'none'}"

    def rate(kind: Kind, exact: bool = False) -> tuple[float, int]:
        sel = [c for c in checks if c.kind == kind]
        good = sum(c.ok_exact if exact else c.ok for c in sel)
        return (good / len(sel) if sel else float("nan")), len(sel)

    req, n_req = rate("required")
    req_exact, _ = rate("required", exact=True)
    forb_ok, n_forb = rate("forbidden")
    dnt, n_dnt = rate("dnt")
    return [
        Score("term_success", req, f"lemma-aware|{sig}", n_req),
        Score("term_success_exact", req_exact, f"exact|{sig}", n_req),
        Score("forbidden_rate", 1 - forb_ok, f"lemma-aware|{sig}", n_forb, higher_is_better=False),
        Score("dnt_accuracy", dnt, f"verbatim|{sig}", n_dnt),
    ]


def reference_forms(reference: str, entries: Sequence[Entry], finder: TermFinder) -> list[str]:
    """How the reference writes each required term: the words of its rendering, as written there.

    The rendering is found as the checks find it: an allowed form (plural endings included), else another
    form of the term's lexeme, else the word built on it (a compound or a derivation, taken whole). A term
    the reference does not render is left out: there is no form to agree with.
    """
    forms = []
    for e in entries:
        if e.is_dnt or not e.allowed_targets:
            continue
        span = finder.find_target(e, reference) or finder.find_inflected(e, reference)
        if span is None:
            built = finder.find_built_on(e, reference)
            span = built[:2] if built else None
        if span is not None:
            forms.append(reference[span[0] : span[1]])
    return forms


def form_agreement(output: str, forms: Sequence[str]) -> list[bool]:
    """Per reference form: does the output use the term in that same form (whole words, any case)?"""
    return [exact_occurs(Term(form), output) for form in forms]
