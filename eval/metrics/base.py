"""What every metric returns: a corpus score with its signature, and (when tested) its bootstrap CI and
significance against the MT baseline. Per-segment statistics are computed once per (system, metric);
corpus scores, CIs and tests all aggregate those same statistics."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Score", "sacrebleu_version"]


@dataclass(frozen=True)
class Score:
    """One corpus-level number. `ci` is the 95% half-width; `p_value` is vs the `mt` baseline."""

    metric: str  # e.g. "chrF++/ref", "term_success"
    value: float
    signature: str
    n: int  # segments (or constraints) it is computed over
    higher_is_better: bool = True
    mean: float | None = None
    ci: float | None = None
    p_value: float | None = None
    significant: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def sacrebleu_version() -> str:
    import sacrebleu

    return str(sacrebleu.__version__)
