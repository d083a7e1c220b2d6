"""False `term-missing` on correct human translations, per language: the checker must not cry wolf.

Every row is a correct translation (a human reference) with the glossary terms that occur in it; a
`term-missing` finding there is a false alarm that would make the agent "repair" correct MT. Prints, per
set, the share of rows with a false alarm (goal: at most 1% for German and French), how the terms were
found (verbatim, inflected, in a compound), and with `-v` every remaining false alarm.

Run: .venv/bin/python bench/bench_term_refs.py [-v] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from agent.checks import CheckInput
from agent.checks.input import asserted_matches, inline_termbase
from agent.checks.terms import term_forbidden, term_missing
from glossaries.matcher import TermMatcher

DATA = Path(__file__).resolve().parents[2] / "shared/data/terminology"
SETS = (  # file, target language, the column holding the correct translation
    ("iate-refs.en-de.dev.jsonl", "de", "target"),
    ("wmt21-tico19.en-fr.dev.jsonl", "fr", "ref"),
    ("tico19-refs.en-ru.dev.jsonl", "ru", "target"),
)


def measure(path: Path, lang: str, column: str, limit: int | None, verbose: bool) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r.get("terms") and r.get(column)][:limit]
    kinds: Counter[str] = Counter()
    false_rows = 0
    t0 = time.perf_counter()
    for row in rows:
        termbase = inline_termbase(row["terms"], "en", lang, id=str(row["id"]))
        matcher = TermMatcher(termbase)
        matches = asserted_matches(termbase, row["src"], matcher)
        inp = CheckInput(row["src"], row[column], "en", lang, matches=matches, matcher=matcher)
        found = term_missing(inp) + term_forbidden(inp)
        codes = Counter(v.code for v in found)
        kinds.update(codes)
        kinds["verbatim or plural"] += len({m.entry.id for m in matches}) - sum(codes.values())
        if codes["term-missing"] or codes["term-forbidden"]:
            false_rows += 1
            if verbose:
                missing = [v.expected for v in found if v.code == "term-missing"]
                print(f"  {row['id']}: {missing} | {row[column]}")
    ms = (time.perf_counter() - t0) * 1000 / max(len(rows), 1)
    share = false_rows / max(len(rows), 1)
    print(
        f"{path.name} ({lang}): {false_rows}/{len(rows)} rows with a false term-missing ({share:.1%}); "
        f"terms found: {dict(kinds)}; {ms:.2f} ms/row"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    for name, lang, column in SETS:
        measure(DATA / name, lang, column, args.limit, args.verbose)


if __name__ == "__main__":
    main()
