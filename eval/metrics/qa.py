"""QA violations by code, before (in the MT) and after (in the output), from the agent's own checker.

A code's category is its first dash-separated part (`term-missing` -> `term`, `tag-misnested` -> `tag`),
which is what the violations plot groups by.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from eval.metrics.base import Score

__all__ = ["category", "count_codes", "qa_scores"]


def category(code: str) -> str:
    return code.split("-", 1)[0].split(".", 1)[0]


def count_codes(violations: Iterable[Sequence[Mapping[str, Any]]]) -> Counter[str]:
    """How many violations of each code over many segments' violation lists."""
    return Counter(str(v["code"]) for vs in violations for v in vs)


def qa_scores(
    after: Sequence[Sequence[Mapping[str, Any]]], before: Sequence[Sequence[Mapping[str, Any]]]
) -> list[Score]:
    """Violations per segment after and before, and the share of segments left with none."""
    n = len(after)
    sig = "agent.checks"
    total_after = sum(len(v) for v in after)
    total_before = sum(len(v) for v in before)
    clean = sum(not v for v in after)
    return [
        Score("violations_per_segment", total_after / n if n else 0.0, sig, n, higher_is_better=False),
        Score(
            "violations_before_per_segment", total_before / n if n else 0.0, sig, n, higher_is_better=False
        ),
        Score("clean_rate", clean / n if n else 0.0, sig, n),
    ]
