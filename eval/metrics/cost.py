"""Cost: model calls, prompt/completion tokens and per-segment latency (p50/p95) of one system."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from eval.metrics.base import Score

__all__ = ["cost_scores", "percentile"]


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default), 0 for no values."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else 0.0


def cost_scores(usages: Sequence[Mapping[str, Any]], latencies_ms: Sequence[float]) -> list[Score]:
    """Totals and means of `SegmentResult.usage` fields, and latency percentiles in milliseconds."""
    n = len(usages)
    calls = sum(int(u.get("calls", 0)) for u in usages)
    prompt = sum(int(u.get("prompt_tokens", 0)) for u in usages)
    completion = sum(int(u.get("completion_tokens", 0)) for u in usages)
    model_ms = sum(float(u.get("model_ms", 0.0)) for u in usages)
    low = {"higher_is_better": False}
    return [
        Score("model_calls", float(calls), "sum", n, **low),
        Score("calls_per_segment", calls / n if n else 0.0, "mean", n, **low),
        Score("prompt_tokens", float(prompt), "sum", n, **low),
        Score("completion_tokens", float(completion), "sum", n, **low),
        Score("model_ms", model_ms, "sum", n, **low),
        Score("latency_p50_ms", percentile(latencies_ms, 50), "per-segment|numpy-linear", n, **low),
        Score("latency_p95_ms", percentile(latencies_ms, 95), "per-segment|numpy-linear", n, **low),
    ]
