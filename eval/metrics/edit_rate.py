"""HTER-style edit rate: TER of a system's output against the MT it started from (how much it changed).

0 means the MT was returned untouched; 1 means as many word edits as the MT has words. Unlike HTER in
MLQE-PE (human post-edit vs MT), this measures the *system's* edits, so a "do no harm" post-editor
should show a low rate on good MT.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eval.metrics.base import Score
from eval.metrics.sacre import make_ter, segment_stats

__all__ = ["EditRates", "edit_rates"]


@dataclass(frozen=True)
class EditRates:
    per_segment: tuple[float, ...]  # TER/100 of each output vs its MT
    corpus: Score  # total edits / total MT words
    unchanged: Score  # share of outputs identical to the MT


def edit_rates(outputs: Sequence[str], mts: Sequence[str], target_lang: str = "") -> EditRates:
    """Edit rate of `outputs` vs `mts`, per segment and over the corpus (edits summed, then divided)."""
    ter = make_ter(target_lang)
    stats = segment_stats(ter, outputs, mts)
    per = tuple(float(ter._compute_score_from_stats(s).score) / 100 for s in stats)
    edits = sum(s[0] for s in stats)
    words = sum(s[1] for s in stats)
    sig = f"hter-vs-mt|{ter.get_signature().format(short=True)}"
    n = len(outputs)
    same = sum(o == m for o, m in zip(outputs, mts, strict=True))
    return EditRates(
        per_segment=per,
        corpus=Score("edit_rate", edits / words if words else 0.0, sig, n, higher_is_better=False),
        unchanged=Score("unchanged_rate", same / n if n else 0.0, "exact-string-equality", n),
    )
