"""Markup protection and validation on the EUR-Lex inline-tag set (Hanneman & Dinu 2020, CC BY 4.0).

Prints: rows whose protect/restore round-trip is exact (every language), reference pairs where the
validator wrongly reports a problem, and its recall on tags removed, duplicated or renumbered in the
references.  Run: .venv/bin/python bench/bench_markup.py [DATA_DIR]
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
from pathlib import Path

from agent.markup import find_markup, protect, restore, validate

DATA = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/markup")
LANGS = ("en", "de", "fr", "hu")
TARGETS = ("de", "fr", "hu")
_ID_ATTR = re.compile(r'(\sid=")([^"]*)(")')


def _tags(text: str) -> list[tuple[int, int, str]]:
    return [(u.start, u.end, u.text) for u in find_markup(text) if u.kind != "placeholder"]


def remove_tag(text: str, rng: random.Random) -> str | None:
    tags = _tags(text)
    if not tags:
        return None
    s, e, _ = rng.choice(tags)
    return text[:s] + text[e:]


def duplicate_tag(text: str, rng: random.Random) -> str | None:
    tags = [t for t in _tags(text) if not t[2].startswith("</")]
    if not tags:
        return None
    _, e, tag = rng.choice(tags)
    return text[:e] + tag + text[e:]


def renumber_tag(text: str, rng: random.Random) -> str | None:
    tags = [t for t in _tags(text) if _ID_ATTR.search(t[2])]
    if not tags:
        return None
    s, e, tag = rng.choice(tags)
    return text[:s] + _ID_ATTR.sub(r"\g<1>\g<2>99\g<3>", tag, count=1) + text[e:]


def main() -> None:
    rng = random.Random(13)
    rows = [json.loads(line) for f in sorted(DATA.glob("mt-markup-tags.*.dev.jsonl")) for line in f.open()]
    roundtrip_ok = texts = 0
    clean_pairs = false_alarms = 0
    mutated = {"remove": [0, 0], "duplicate": [0, 0], "renumber": [0, 0]}
    mutators = {"remove": remove_tag, "duplicate": duplicate_tag, "renumber": renumber_tag}
    started = time.perf_counter()
    for row in rows:
        for lang in LANGS:
            texts += 1
            p = protect(row[lang])
            roundtrip_ok += restore(p.masked, p) == row[lang]
        for lang in TARGETS:
            clean_pairs += 1
            problems = validate(row["en"], row[lang])
            if problems:
                false_alarms += 1
                if false_alarms <= 3:
                    print("false alarm:", row["id"], lang, [v.message for v in problems], file=sys.stderr)
            for name, mutate in mutators.items():
                broken = mutate(row[lang], rng)
                if broken is None:
                    continue
                mutated[name][0] += 1
                mutated[name][1] += bool(validate(row["en"], broken))
    elapsed = time.perf_counter() - started
    print(f"rows: {len(rows)}  texts: {texts}")
    print(f"round-trip exact: {roundtrip_ok}/{texts}")
    print(f"reference pairs with a false alarm: {false_alarms}/{clean_pairs}")
    for name, (n, caught) in mutated.items():
        print(f"{name} a tag: caught {caught}/{n} ({100 * caught / max(1, n):.1f}%)")
    print(f"time: {elapsed:.2f} s")


if __name__ == "__main__":
    main()
