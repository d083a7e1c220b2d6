"""Bootstrap for mean-of-items metrics (term success, DNT accuracy, markup accuracy, edit rate...),
done exactly as sacreBLEU's paired bootstrap does it for BLEU: the same seeded resample indices for
system and baseline, sacreBLEU's `estimate_ci` for the 95% CI and its p-value on the centred absolute
differences (the Moses / Koehn 2004 test; `p_value` restates sacreBLEU's private `_compute_p_value`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sacrebleu.significance import estimate_ci

__all__ = ["bootstrap_ci", "paired_bootstrap_mean"]

N_SAMPLES = 1000  # as sacreBLEU's --paired-bs default


SEED = 12345  # sacreBLEU's default seed: the same resamples on every run


def _rng() -> np.random.Generator:
    return np.random.default_rng(SEED)


def p_value(stats: np.ndarray, real_difference: float) -> float:
    """Share of resampled statistics above the observed one, +1 smoothed (multeval's and sacreBLEU's rule:
    `>` so that a system scored against itself is not called different by chance)."""
    return (int(np.sum(stats > real_difference)) + 1) / (len(stats) + 1)


def bootstrap_ci(values: Sequence[float], n_samples: int = N_SAMPLES) -> tuple[float, float]:
    """(bootstrap mean, 95% half-width) of the mean of `values`."""
    if not values:
        return float("nan"), float("nan")
    arr = np.asarray(values, dtype=float)
    idx = _rng().choice(len(arr), size=(n_samples, len(arr)), replace=True)
    mean, ci = estimate_ci(arr[idx].mean(axis=1))
    return float(mean), float(ci)


def paired_bootstrap_mean(
    system: Sequence[float], baseline: Sequence[float], n_samples: int = N_SAMPLES
) -> tuple[float, float, float]:
    """(bootstrap mean, 95% half-width, p-value) of `system` vs `baseline`, paired item by item."""
    if len(system) != len(baseline):
        raise ValueError("paired bootstrap needs aligned items")
    if not system:
        return float("nan"), float("nan"), float("nan")
    sys_arr = np.asarray(system, dtype=float)
    base_arr = np.asarray(baseline, dtype=float)
    idx = _rng().choice(len(sys_arr), size=(n_samples, len(sys_arr)), replace=True)
    sys_scores = sys_arr[idx].mean(axis=1)
    base_scores = base_arr[idx].mean(axis=1)
    diffs = np.abs(sys_scores - base_scores)
    real = abs(sys_arr.mean() - base_arr.mean())
    p = p_value(diffs - diffs.mean(), real) if real > 0 else 1.0  # no difference: not significant
    mean, ci = estimate_ci(sys_scores)
    return float(mean), float(ci), float(p)
