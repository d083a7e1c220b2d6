"""The learning curve of a translation memory: `agent-minimal` against `agent-minimal+tm` on the same rows, in
dataset order, as the memory fills with each row's reference.

A memory only pays off once it holds sentences like the ones to come, so the gain is a function of the
segments seen: per row, sentence-level chrF++ (sacreBLEU's chrF2++, as the corpus score) and term success,
aggregated as the cumulative mean over the rows seen so far or per window of N rows; beside them, how many
rows have had a 75%+ memory match and how many came back `tm_exact`. The corpus-level difference is tested
with the harness's paired bootstrap, the memory system against `agent-minimal` (not the MT).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eval.datasets import EvalRow
from eval.metrics.base import Score
from eval.metrics.bootstrap import paired_bootstrap_mean
from eval.metrics.sacre import SacreMetrics, make_metrics, paired_bootstrap, segment_scores
from eval.metrics.terms import TermCheck
from eval.runner import TM_SYSTEM

__all__ = ["BASELINE", "LearningCurve", "learning_curve", "memory_score"]

BASELINE = "agent-minimal"  # the same agent without a memory
Row = Mapping[str, Any]
Checks = Sequence[Sequence[TermCheck]]  # per row, the row's constraints


@dataclass
class LearningCurve:
    """Curves over the rows seen (`x`) and the corpus-level comparison of the two systems."""

    side: str  # reference side of the chrF++ curve: `ref` or `pe`
    window: int  # 0: cumulative mean; N: mean of each window of N rows
    x: list[int]  # segments seen at each point
    chrf: dict[str, list[float | None]]  # system -> sentence chrF++ aggregated at each point
    terms: dict[str, list[float | None]]  # system -> term success at each point (None: no term yet)
    memory_hits: list[int]  # rows seen so far that had a memory match (75%+, the server's floor)
    tm_exact: list[int]  # rows seen so far that came back `tm_exact`
    scores: dict[str, dict[str, Score]] = field(default_factory=dict)  # system -> metric -> corpus score
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def has_terms(self) -> bool:
        return any(v is not None for v in self.terms.get(BASELINE, []))

    def delta(self, metric: str) -> float | None:
        """The memory system's corpus score minus `agent-minimal`'s."""
        a, b = self.scores.get(TM_SYSTEM, {}).get(metric), self.scores.get(BASELINE, {}).get(metric)
        return None if a is None or b is None else a.value - b.value

    def to_json(self) -> dict[str, Any]:
        return {
            "baseline": BASELINE,
            "system": TM_SYSTEM,
            "side": self.side,
            "window": self.window,
            "x": self.x,
            "chrf": self.chrf,
            "terms": self.terms,
            "memory_hits": self.memory_hits,
            "tm_exact": self.tm_exact,
            "scores": {s: {m: sc.to_json() for m, sc in per.items()} for s, per in self.scores.items()},
            "counts": self.counts,
        }


def memory_score(result: Row) -> float:
    """The best memory match the agent was given for a row (0: none; the memory returns only 75%+ matches),
    read from its trace."""
    for step in result.get("trace") or []:
        if step.get("step") == "memory":
            matches = (step.get("data") or {}).get("matches") or []
            return max((float(m.get("score") or 0.0) for m in matches), default=0.0)
    return 0.0


def _aggregate(values: Sequence[float | None], window: int) -> list[float | None]:
    """Cumulative mean (window 0) or mean per window of `window` rows, skipping rows without a value."""
    out: list[float | None] = []
    total, n = 0.0, 0
    for i, v in enumerate(values):
        if window and i % window == 0:
            total, n = 0.0, 0
        if v is not None:
            total, n = total + v, n + 1
        if not window or (i + 1) % window == 0 or i + 1 == len(values):
            out.append(total / n if n else None)
    return out


def _term_ratio(values: Sequence[tuple[int, int]], window: int) -> list[float | None]:
    """Term success as constraints met / constraints seen, cumulative or per window."""
    out: list[float | None] = []
    ok, seen = 0, 0
    for i, (good, total) in enumerate(values):
        if window and i % window == 0:
            ok, seen = 0, 0
        ok, seen = ok + good, seen + total
        if not window or (i + 1) % window == 0 or i + 1 == len(values):
            out.append(ok / seen if seen else None)
    return out


def _points(n: int, window: int) -> list[int]:
    if not window:
        return list(range(1, n + 1))
    return [min(k + window, n) for k in range(0, n, window)]


def _required(checks: Sequence[TermCheck]) -> tuple[int, int]:
    req = [c for c in checks if c.kind == "required"]
    return sum(c.ok for c in req), len(req)


def learning_curve(
    rows: Sequence[EvalRow],
    outputs: Mapping[str, Sequence[str]],
    results: Mapping[str, Sequence[Row]],
    term_rows: Mapping[str, Checks],
    *,
    target_lang: str,
    window: int = 0,
) -> LearningCurve | None:
    """The curve of a run that has both `agent-minimal` and `agent-minimal+tm` (else None); `rows`, outputs
    and results aligned and in dataset order. The MT's curve is drawn too when the run has it."""
    if BASELINE not in outputs or TM_SYSTEM not in outputs or not rows:
        return None
    side = "ref" if any(r.ref for r in rows) else "pe"
    systems = [s for s in ("mt", BASELINE, TM_SYSTEM) if s in outputs]
    sentence = _sentence_chrf(rows, outputs, systems, side, target_lang)
    curve = LearningCurve(
        side=side,
        window=window,
        x=_points(len(rows), window),
        chrf={s: _aggregate(sentence[s], window) for s in systems},
        terms={s: _term_ratio([_required(c) for c in term_rows[s]], window) for s in systems},
        memory_hits=_running([memory_score(r) > 0 for r in results[TM_SYSTEM]], window),
        tm_exact=_running([r.get("status") == "tm_exact" for r in results[TM_SYSTEM]], window),
    )
    _corpus(curve, rows, outputs, term_rows, side, target_lang)
    curve.counts = _counts(results)
    return curve


def _running(flags: Sequence[bool], window: int) -> list[int]:
    """How many rows so far had the flag, at each point of the curve."""
    total, out = 0, []
    for i, flag in enumerate(flags):
        total += flag
        if not window or (i + 1) % window == 0 or i + 1 == len(flags):
            out.append(total)
    return out


def _sentence_chrf(
    rows: Sequence[EvalRow],
    outputs: Mapping[str, Sequence[str]],
    systems: Sequence[str],
    side: str,
    lang: str,
) -> dict[str, list[float | None]]:
    """Sentence-level chrF++ per row and system; None where the row has no reference on `side`."""
    metric = make_metrics(lang).metrics["chrF++"]
    idx = [i for i, r in enumerate(rows) if getattr(r, side)]
    refs = [str(getattr(rows[i], side)) for i in idx]
    out: dict[str, list[float | None]] = {}
    for s in systems:
        got = segment_scores(metric, [outputs[s][i] for i in idx], refs)
        per: list[float | None] = [None] * len(rows)
        for i, v in zip(idx, got, strict=True):
            per[i] = v
        out[s] = per
    return out


def _corpus(
    curve: LearningCurve,
    rows: Sequence[EvalRow],
    outputs: Mapping[str, Sequence[str]],
    term_rows: Mapping[str, Checks],
    side: str,
    lang: str,
) -> None:
    """Corpus chrF++ and term success of both systems, the memory system paired against `agent-minimal`."""
    idx = [i for i, r in enumerate(rows) if getattr(r, side)]
    refs = [str(getattr(rows[i], side)) for i in idx]
    chrf_only = SacreMetrics({"chrF++": make_metrics(lang).metrics["chrF++"]})
    hyps = {s: [outputs[s][i] for i in idx] for s in (BASELINE, TM_SYSTEM)}
    if idx:
        for system, got in paired_bootstrap(chrf_only, hyps, refs, side, baseline=BASELINE).items():
            curve.scores.setdefault(system, {})[got[0].metric] = got[0]
    vals = {
        s: [float(c.ok) for checks in term_rows[s] for c in checks if c.kind == "required"]
        for s in (BASELINE, TM_SYSTEM)
    }
    if vals[BASELINE]:
        base, mine = vals[BASELINE], vals[TM_SYSTEM]
        mean, ci, p = paired_bootstrap_mean(mine, base)
        curve.scores.setdefault(BASELINE, {})["term_success"] = _rate(base)
        curve.scores.setdefault(TM_SYSTEM, {})["term_success"] = Score(
            "term_success", sum(mine) / len(mine), "lemma-aware", len(mine),
            mean=mean, ci=ci, p_value=p, significant=not math.isnan(p) and p < 0.05,
        )  # fmt: skip


def _rate(values: Sequence[float]) -> Score:
    return Score("term_success", sum(values) / len(values), "lemma-aware", len(values))


def _counts(results: Mapping[str, Sequence[Row]]) -> dict[str, int]:
    """Rows, memory hits, tm_exact rows and model calls: the cost side of the comparison."""
    tm = results[TM_SYSTEM]
    return {
        "rows": len(tm),
        "memory_hits": sum(memory_score(r) > 0 for r in tm),
        "tm_exact": sum(r.get("status") == "tm_exact" for r in tm),
        f"model_calls/{BASELINE}": sum(
            int((r.get("usage") or {}).get("calls") or 0) for r in results[BASELINE]
        ),
        f"model_calls/{TM_SYSTEM}": sum(int((r.get("usage") or {}).get("calls") or 0) for r in tm),
    }
