"""Term matcher speed with a 50,000-entry termbase built from real words.

Entries: the TICO-19 termbases in ../shared/data/glossaries (en->de targets where known), then word
1-3-grams from the MLQE-PE en-de sources (targets: German n-grams from the MT side), until 50,000.
Every 10th entry also gets a forbidden rendering, so `find_forbidden` has work to do.

Timed per 30-word segment: `match_source`, then `find_target` and `find_forbidden` for every match
against the MT. Goals: index build < 15 s, p50 < 1 ms, p99 < 5 ms.

Run: .venv/bin/python bench/bench_matcher.py [n_entries]
"""

from __future__ import annotations

import csv
import json
import random
import statistics
import sys
import time
from pathlib import Path

from glossaries.matcher import TermMatcher
from glossaries.model import Entry, Term, Termbase, TermStatus

DATA = Path(__file__).resolve().parents[2] / "shared/data"
SEGMENT_WORDS = 30


def _rows() -> list[dict[str, str]]:
    path = DATA / "postedit/mlqe-pe.en-de.dev.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build_termbase(n_entries: int, rows: list[dict[str, str]]) -> Termbase:
    rng = random.Random(7)
    entries: list[Entry] = []
    seen: set[str] = set()

    def add(source: str, target: str) -> None:
        key = source.casefold()
        if key in seen or not source.strip() or not target.strip():
            return
        seen.add(key)
        targets = [Term(target)]
        if len(entries) % 10 == 0:
            targets.append(Term(target + "x", TermStatus.FORBIDDEN))
        entries.append(Entry(str(len(entries)), (Term(source),), tuple(targets)))

    de = {}
    with (DATA / "glossaries/tico19.en-de.csv").open(encoding="utf-8") as f:
        de = {r["sourceString"]: r["targetString"] for r in csv.DictReader(f)}
    for path in sorted((DATA / "glossaries").glob("tico19.en-*.csv")):
        with path.open(encoding="utf-8") as f:
            for r in csv.DictReader(f):
                add(r["sourceString"], de.get(r["sourceString"], r["targetString"]))
    src_words = [[w for w in r["src"].split() if w.isalpha()] for r in rows]
    tgt_words = [[w for w in r["mt"].split() if w.isalpha()] for r in rows]
    while len(entries) < n_entries:
        i = rng.randrange(len(rows))
        words, twords = src_words[i], tgt_words[i]
        if not words or not twords:
            continue
        n = rng.choice((1, 1, 2, 2, 3))
        j = rng.randrange(max(1, len(words) - n + 1))
        k = rng.randrange(max(1, len(twords) - n + 1))
        add(" ".join(words[j : j + n]), " ".join(twords[k : k + n]))
    return Termbase("bench", "0", "en", "de", tuple(entries[:n_entries]))


def segments(rows: list[dict[str, str]]) -> list[tuple[str, str]]:
    """(source, MT) pairs of about 30 source words, joining consecutive sentences."""
    out: list[tuple[str, str]] = []
    src: list[str] = []
    mt: list[str] = []
    for r in rows:
        src += r["src"].split()
        mt += r["mt"].split()
        if len(src) >= SEGMENT_WORDS:
            out.append((" ".join(src[:SEGMENT_WORDS]), " ".join(mt[: SEGMENT_WORDS + 5])))
            src, mt = [], []
    return out


def main() -> None:
    n_entries = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    rows = _rows()
    termbase = build_termbase(n_entries, rows)
    t0 = time.perf_counter()
    matcher = TermMatcher(termbase)
    build = time.perf_counter() - t0
    segs = segments(rows)
    for source, mt in segs[:20]:  # warm the lemma cache as a running service would be
        matcher.match_source(source)
    times: list[float] = []
    n_matches = 0
    for source, mt in segs:
        t = time.perf_counter()
        matches = matcher.match_source(source)
        for m in matches:
            matcher.find_target(m.entry, mt)
            matcher.find_forbidden(m.entry, mt)
        times.append((time.perf_counter() - t) * 1000)
        n_matches += len(matches)
    times.sort()
    p50 = statistics.median(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"entries: {len(termbase)}, segments: {len(segs)} x {SEGMENT_WORDS} words, matches/segment: "
          f"{n_matches / len(segs):.1f}")
    print(f"index build: {build:.2f} s (goal < 15 s)")
    print(f"match_source + find_target + find_forbidden per segment: p50 {p50:.3f} ms (goal < 1 ms), "
          f"p99 {p99:.3f} ms (goal < 5 ms), max {times[-1]:.3f} ms")


if __name__ == "__main__":
    main()
