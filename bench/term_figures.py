"""The terminology figures of finished `postedit eval` runs, one line per run and system.

Reads each run's `summary.json` (term success, term form agreement, harm rate, chrF) and `results.jsonl`
(how many rows the system changed, and the model calls spent on rows whose MT had no term error, only
compounds or other forms of a term: the goal is none).

Run: .venv/bin/python bench/term_figures.py eval/runs/swap-en-ru eval/runs/iate-refs-de ...
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OTHER_FORM = {"term-inflected", "term-compound", "term-derived", "term-split"}


def _value(scores: dict[str, Any], name: str) -> str:
    sc = scores.get(name)
    if not sc or sc.get("value") is None:
        return "–"
    p = sc.get("p_value")
    mark = "" if p is None else f" (p={p:.3f})"
    return f"{sc['value']:.3f}{mark}" if abs(sc["value"]) < 2 else f"{sc['value']:.2f}{mark}"


def report(run: Path) -> None:
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    rows = [json.loads(line) for line in (run / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    print(f"{run} ({summary['meta'].get('target_lang')}, {summary['meta'].get('aligned_segments')} segments)")
    for system in summary["systems"]:
        scores = summary["scores"][system]
        mine = [r for r in rows if r["system"] == system]
        changed = sum(r.get("output") != r.get("mt") for r in mine if r.get("mt") is not None)
        only_forms = [
            r
            for r in mine
            if {v["code"] for v in r.get("violations_before") or []} & OTHER_FORM
            and not any(v["severity"] == "error" for v in r.get("violations_before") or [])
        ]
        calls = sum((r.get("usage") or {}).get("calls", 0) for r in only_forms)
        chrf = next((k for k in scores if k.startswith("chrF++/")), "chrF++/ref")
        print(
            f"  {system:14} term_success {_value(scores, 'term_success')}"
            f" exact {_value(scores, 'term_success_exact')}"
            f" | form agreement {_value(scores, 'term_form_agreement/ref')}"
            f" | harm {_value(scores, 'harm_rate')} (n={(scores.get('harm_rate') or {}).get('n', 0)})"
            f" | changed {changed}/{len(mine)} | {chrf} {_value(scores, chrf)}"
            f" | model calls on {len(only_forms)} rows with only other-form terms: {calls}"
        )


def main() -> None:
    for arg in sys.argv[1:]:
        report(Path(arg))


if __name__ == "__main__":
    main()
