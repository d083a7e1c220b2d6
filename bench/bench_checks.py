"""The QA self-check: speed with a 50,000-entry termbase, and terminology false alarms / recall.

1. Speed: per 30-word segment, `match_source` plus the full `run_checks` (every family) against the MT,
   with the termbase of bench/bench_matcher.py (TICO-19 terms plus MLQE-PE n-grams). Goals: p50 < 1 ms,
   p99 < 5 ms.
2. Terminology on the WMT21 TICO-19 en-fr dev set, each row's `terms` as its glossary, through
   `run_checks`: false alarms = `term-missing` errors on the reference `ref` (goal <= 2% of constraints);
   recall = constraints flagged (`term-missing` error, or `term-inflected` warning when only another
   inflection is there) among those whose accepted forms the `mt` lacks by exact string match
   (goal >= 95%).

Run: .venv/bin/python bench/bench_checks.py [n_entries]
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_matcher import DATA, build_termbase, matcher_rows, segments

from agent.checks import CheckInput, run_checks
from agent.checks.input import asserted_matches, inline_termbase
from glossaries.matcher import TermMatcher


def speed(n_entries: int) -> None:
    rows = matcher_rows()
    termbase = build_termbase(n_entries)  # bench_matcher.py owns the termbase recipe
    t0 = time.perf_counter()
    matcher = TermMatcher(termbase)
    build = time.perf_counter() - t0
    # A service loads its termbases once and then serves; freezing moves the index out of the cyclic
    # GC's generations, so a gen-2 collection does not rescan millions of trie nodes mid-request.
    gc.collect()
    gc.freeze()
    segs = segments(rows)
    for source, mt in segs[:20]:  # warm caches as a running service would be
        run_checks(CheckInput(source, mt, "en", "de", matcher=matcher))
    times: list[float] = []
    cpu: list[float] = []
    n_found = 0
    for source, mt in segs:
        t, c = time.perf_counter(), time.thread_time()
        found = run_checks(CheckInput(source, mt, "en", "de", matcher=matcher))
        cpu.append((time.thread_time() - c) * 1000)
        times.append((time.perf_counter() - t) * 1000)
        n_found += len(found)
    times.sort()
    cpu.sort()
    p50 = statistics.median(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    load = os.getloadavg()[0]
    print(
        f"entries: {len(termbase)}, index build {build:.2f} s, segments: {len(segs)} x 30 words, "
        f"violations/segment: {n_found / len(segs):.1f}"
    )
    print(
        f"match + run_checks per segment: p50 {p50:.3f} ms (goal < 1 ms), p99 {p99:.3f} ms (goal < 5 ms), "
        f"max {times[-1]:.3f} ms"
    )
    print(
        f"  same, CPU time of this thread: p50 {statistics.median(cpu):.3f} ms, "
        f"p99 {cpu[min(len(cpu) - 1, int(len(cpu) * 0.99))]:.3f} ms (load average {load:.1f} on {os.cpu_count()} cores)"
    )


def terminology() -> None:
    path = DATA / "terminology/wmt21-tico19.en-fr.dev.jsonl"
    constraints = false_alarms = missed_by_mt = caught = caught_missing = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if not row.get("terms"):
            continue
        termbase = inline_termbase(row["terms"], "en", "fr", id=row["id"])
        matcher = TermMatcher(termbase)
        matches = asserted_matches(termbase, row["src"], matcher)

        def flagged(target: str, codes: tuple[str, ...]) -> set[str | None]:
            inp = CheckInput(row["src"], target, "en", "fr", matches=matches, matcher=matcher)  # noqa: B023
            return {v.entry_id for v in run_checks(inp) if v.code in codes}

        on_ref = flagged(row["ref"], ("term-missing",))
        on_mt = flagged(row["mt"], ("term-missing",))
        on_mt_any = flagged(row["mt"], ("term-missing", "term-inflected"))
        for term, entry in zip(row["terms"], termbase.entries, strict=True):
            constraints += 1
            false_alarms += entry.id in on_ref
            if not any(form in row["mt"] for form in term["tgt"]):
                missed_by_mt += 1
                caught += entry.id in on_mt_any
                caught_missing += entry.id in on_mt
    print(f"terminology constraints: {constraints}")
    print(f"false alarms on ref: {false_alarms} ({100 * false_alarms / constraints:.2f}%, goal <= 2%)")
    print(
        f"recall on mt misses (term-missing error or term-inflected warning): {caught}/{missed_by_mt} "
        f"({100 * caught / max(1, missed_by_mt):.1f}%, goal >= 95%); "
        f"as term-missing errors alone: {caught_missing} ({100 * caught_missing / max(1, missed_by_mt):.1f}%)"
    )


def main() -> None:
    speed(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
    terminology()


if __name__ == "__main__":
    main()
