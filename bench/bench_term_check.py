"""How trustworthy is the target-side term check? Measured on the WMT21 TICO-19 en-fr terminology dev set.

- false alarms: constraints whose allowed rendering `find_target` misses in the human reference `ref`
  (goal <= 2%);
- recall: among constraints the `mt` column misses by exact (case-insensitive) string match of every
  accepted form, the share where `find_target(mt)` also finds nothing (goal >= 95%).

Run: .venv/bin/python bench/bench_term_check.py [path/to/file.jsonl] [-v]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from glossaries.matcher import TermMatcher
from glossaries.model import Entry, Term, Termbase, TermStatus

DEFAULT = Path(__file__).resolve().parents[2] / "shared/data/terminology/wmt21-tico19.en-fr.dev.jsonl"


def row_termbase(row: dict[str, Any], index: int) -> Termbase:
    """One termbase per row: each constraint is a concept whose accepted forms are allowed variants."""
    entries = []
    terms: list[dict[str, Any]] = row.get("terms") or []
    for k, term in enumerate(terms):
        targets = tuple(
            Term(t, TermStatus.PREFERRED if i == 0 else TermStatus.ADMITTED)
            for i, t in enumerate(term["tgt"])
        )
        entries.append(Entry(id=f"{index}.{k}", source=(Term(term["src"]),), target=targets))
    return Termbase(
        id=f"row{index}", version=str(index), source_lang="en", target_lang="fr", entries=tuple(entries)
    )


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "-v" in sys.argv
    path = Path(args[0]) if args else DEFAULT
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    constraints = false_alarms = mt_misses = caught = src_found = 0
    for index, row in enumerate(rows):
        termbase = row_termbase(row, index)
        if not termbase.entries:
            continue
        matcher = TermMatcher(termbase)
        matched_ids = {m.entry.id for m in matcher.match_source(row["src"])}
        for entry in termbase.entries:
            constraints += 1
            src_found += entry.id in matched_ids
            if row.get("ref") is not None and matcher.find_target(entry, row["ref"]) is None:
                false_alarms += 1
                if verbose:
                    print("FALSE ALARM", [t.text for t in entry.target], "|", row["ref"])
            mt_low = row["mt"].casefold()
            if not any(t.text.casefold() in mt_low for t in entry.target):
                mt_misses += 1
                hit = matcher.find_target(entry, row["mt"])
                caught += hit is None
                if verbose and hit is not None:
                    print(
                        "MISSED   ",
                        [t.text for t in entry.target],
                        "|",
                        row["mt"][hit[0] : hit[1]],
                        "|",
                        row["mt"],
                    )
    print(f"rows: {len(rows)}, term constraints: {constraints}")
    print(f"source terms found by match_source: {src_found}/{constraints} ({src_found / constraints:.1%})")
    print(f"false alarms on ref: {false_alarms}/{constraints} ({false_alarms / constraints:.3%}) goal <= 2%")
    print(f"recall on mt misses: {caught}/{mt_misses} ({caught / max(mt_misses, 1):.3%}) goal >= 95%")


if __name__ == "__main__":
    main()
