"""Where restored tags land: paired-tag placement on the EUR-Lex markup sets (Hanneman & Dinu 2020, CC BY 4.0).

The MT is a German, French or Hungarian reference with every inline tag removed; the ideal output is the
reference. The rules-only repair (what the agent's `fix` step does with no model) puts the tags back, and we
compare, for each paired tag of the reference, the text it encloses there and in the output (tags inside
ignored, spacing normalised). Prints the share of paired tags placed as in the reference, the rows equal to
the reference, the rows flagged because a tag went back at a guessed place (`tag-placement-unverified`, which
makes the segment needs_review), and how many came back different from the reference with no such flag.

Run: .venv/bin/python bench/bench_tag_placement.py [DATA_DIR]
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

from agent.markup import find_markup
from agent.protection import mask_segment

DATA = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data/markup")
TARGETS = ("de", "fr", "hu")
UNVERIFIED = "tag-placement-unverified"


def enclosed(text: str) -> dict[tuple[str, int], str]:
    """For each paired tag (`<g>…</g>`, `<bx/>…<ex/>` by id), the words it encloses, tags removed."""
    out: dict[tuple[str, int], str] = {}
    opened: list[tuple[str, int]] = []
    bx: dict[str, int] = {}
    seen: Counter[str] = Counter()

    def put(key: str, start: int, end: int) -> None:
        out[(key, seen[key])] = " ".join(re.sub(r"<[^>]+>", "", text[start:end]).split())
        seen[key] += 1

    for u in find_markup(text):
        if u.kind == "open":
            opened.append((f"{u.name}#{u.id}", u.end))
        elif u.kind == "close" and opened:
            key, start = opened.pop()
            put(key, start, u.start)
        elif u.kind == "empty" and u.name == "bx" and u.id:
            bx[u.id] = u.end
        elif u.kind == "empty" and u.name == "ex" and u.id in bx:
            put(f"bx#{u.id}", bx.pop(u.id), u.start)
    return out


def _tight(text: str) -> str:
    """The text with spacing around tags ignored: a space inside `<g> Text</g>` is no misplacement."""
    return " ".join(re.sub(r"\s*(<[^>]+>)\s*", r"\1", text).split())


def main() -> None:
    rows = [json.loads(line) for f in sorted(DATA.glob("mt-markup-tags.*.dev.jsonl")) for line in f.open()]
    pairs = placed = tested_rows = exact_rows = silent_wrong = flagged = 0
    for row in rows:
        for lang in TARGETS:
            ref, src = row.get(lang), row["en"]
            if not ref or not enclosed(src):
                continue
            ref_pairs = enclosed(ref)
            if not ref_pairs:
                continue
            mt = re.sub(r"<[^>]+>", "", ref)
            masks, masked_mt = mask_segment(src, mt)
            assert masked_mt is not None
            output, guessed = masks.unmask_placed(masked_mt)
            got = enclosed(output)
            tested_rows += 1
            pairs += len(ref_pairs)
            placed += sum(got.get(k) == v for k, v in ref_pairs.items())
            exact = output == ref
            exact_rows += exact
            flagged += bool(guessed)
            silent_wrong += _tight(output) != _tight(ref) and not guessed
    print(f"rows with paired tags: {tested_rows} (de, fr, hu; MT = reference with its tags removed)")
    print(
        f"paired tags placed as in the reference: {placed}/{pairs} ({placed / max(pairs, 1):.1%}) goal >= 97%"
    )
    print(f"rows equal to the reference: {exact_rows}/{tested_rows} ({exact_rows / max(tested_rows, 1):.1%})")
    print(f"rows flagged {UNVERIFIED} (a tag put back at a guessed place): {flagged}")
    print(f"rows different from the reference with no {UNVERIFIED} finding: {silent_wrong} (goal 0)")


if __name__ == "__main__":
    main()
