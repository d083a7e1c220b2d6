"""Tag and placeholder accuracy: of the segments whose source carries inline markup, the share whose
output keeps exactly the source's multiset of tags/placeholders, and the share that is also well
nested. Uses the agent's own validator (`agent.markup.validate`), so the numbers mean what the QA means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agent.markup import find_markup, validate
from eval.metrics.base import Score

__all__ = ["MarkupCheck", "check_markup", "markup_scores"]

_SET_CODES = frozenset(
    f"{fam}-{what}" for fam in ("tag", "placeholder") for what in ("missing", "extra", "duplicated")
)


@dataclass(frozen=True)
class MarkupCheck:
    exact_set: bool
    nested: bool


def check_markup(source: str, output: str) -> MarkupCheck | None:
    """None when the source has no tags or placeholders (the segment does not count)."""
    if not any(m.kind != "dnt" and m.name not in ("entity", "comment") for m in find_markup(source)):
        return None
    codes = {v.code for v in validate(source, output)}
    return MarkupCheck(exact_set=not (codes & _SET_CODES), nested="tag-misnested" not in codes)


def markup_scores(checks: Sequence[MarkupCheck | None]) -> list[Score]:
    got = [c for c in checks if c is not None]
    n = len(got)

    def share(k: int) -> float:
        return k / n if n else float("nan")

    sig = "agent.markup.validate"
    return [
        Score("markup_exact_set", share(sum(c.exact_set for c in got)), f"multiset|{sig}", n),
        Score("markup_accuracy", share(sum(c.exact_set and c.nested for c in got)), f"set+nesting|{sig}", n),
    ]
