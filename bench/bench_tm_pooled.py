"""The translation-memory gain pooled over several learning-curve runs (one per language), with one paired test.

Each `postedit eval … --learning-curve` run tests `agent-minimal+tm` against `agent-minimal` on its own rows;
on the Symfony validator catalogues (116 rows each) a gain of 2 chrF++ points is near the edge of what one run
can show. This reads the runs' `results.jsonl`, scores every row with sentence-level chrF++ (sacreBLEU's chrF2++,
as the harness does) against the reference of the run's dataset, and prints per run and pooled: the mean
sentence chrF++ of both systems, the difference, and the paired-bootstrap p-value of the harness
(`eval.metrics.bootstrap.paired_bootstrap_mean`, 1,000 resamples, seed 12345), plus the rows that had a memory
match.

Run: .venv/bin/python bench/bench_tm_pooled.py eval/runs/tm-curve-validators-de eval/runs/tm-curve-validators-fr …
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eval.datasets import load_datasets  # noqa: E402
from eval.metrics.bootstrap import paired_bootstrap_mean  # noqa: E402
from eval.metrics.sacre import make_metrics, segment_scores  # noqa: E402
from eval.runner import TM_SYSTEM  # noqa: E402

BASELINE = "agent-minimal"


def run_rows(run: Path) -> tuple[list[float], list[float], int]:
    """Per row (in dataset order) sentence chrF++ of the baseline and the memory system, and memory hits."""
    args = shlex.split(json.loads((run / "run.json").read_text(encoding="utf-8"))["command"])
    data = [Path(a) for a in args if a.endswith((".xlf", ".xliff", ".jsonl"))]
    target_lang = args[args.index("--tgt-lang") + 1]
    refs = {row.key: row.ref or "" for row in load_datasets([ROOT / p for p in data])}
    outputs: dict[str, dict[str, str]] = {BASELINE: {}, TM_SYSTEM: {}}
    hits = 0
    for line in (run / "results.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r["system"] in outputs:
            outputs[r["system"]][r["key"]] = r["output"] or ""
            hits += r["system"] == TM_SYSTEM and any(s["step"] == "memory" for s in r.get("trace", []))
    keys = [k for k in refs if k in outputs[BASELINE] and k in outputs[TM_SYSTEM]]
    chrf = make_metrics(target_lang).metrics["chrF++"]
    ref_list = [refs[k] for k in keys]
    base = segment_scores(chrf, [outputs[BASELINE][k] for k in keys], ref_list)
    tm = segment_scores(chrf, [outputs[TM_SYSTEM][k] for k in keys], ref_list)
    return base, tm, hits


def report(name: str, base: list[float], tm: list[float], hits: int) -> None:
    _, _, p = paired_bootstrap_mean(tm, base)
    b, t = sum(base) / len(base), sum(tm) / len(tm)
    verdict = "significant" if p < 0.05 else "not significant"
    print(
        f"{name:40} rows {len(base):4}  memory hits {hits:4}  agent-minimal {b:6.2f}  +tm {t:6.2f}  "
        f"diff {t - b:+5.2f}  p={p:.3f} ({verdict})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("runs", nargs="+", type=Path)
    args = ap.parse_args()
    pooled_base: list[float] = []
    pooled_tm: list[float] = []
    pooled_hits = 0
    for run in args.runs:
        base, tm, hits = run_rows(run)
        report(run.name, base, tm, hits)
        pooled_base += base
        pooled_tm += tm
        pooled_hits += hits
    report("pooled", pooled_base, pooled_tm, pooled_hits)


if __name__ == "__main__":
    main()
