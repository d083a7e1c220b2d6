"""A Russian post-editing set for term form agreement: correct text whose term was swapped for another noun.

Each row of tico19-refs.en-ru is a correct translation holding a one-word noun term in some case and number.
The "MT" is that translation with the term's word replaced by a plainly wrong noun of the same gender, put
in the same case and number by pymorphy3 (`симптомов` → `факторов`): the error a strong MT makes when it
picks another word, with the grammar around it intact. The reference is the original text, so the
agent's output agrees with it only if the glossary term goes back in the form the sentence needs.
Rows where the term already stands in its dictionary form are kept too (the easy case).

Run: .venv/bin/python bench/make_term_swap.py [--limit N] > eval/runs/tico19-swap.en-ru.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pymorphy3

from agent.checks.input import inline_termbase
from glossaries.matcher import TermMatcher

DATA = Path(__file__).resolve().parents[2] / "shared/data/terminology/tico19-refs.en-ru.dev.jsonl"
DISTRACTORS = {"masc": "фактор", "femn": "проблема", "neut": "явление"}  # not COVID-19 glossary words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=150)
    parser.add_argument("--per-term", type=int, default=4, help="rows per glossary term, for variety")
    args = parser.parse_args()
    morph = pymorphy3.MorphAnalyzer(lang="ru")
    written = 0
    used: dict[str, int] = {}
    for line in DATA.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        term = next((t for t in row["terms"] if len(t["tgt"][0].split()) == 1), None)
        if term is None or used.get(term["tgt"][0], 0) >= args.per_term:
            continue
        tb = inline_termbase([term], "en", "ru")
        span = TermMatcher(tb).find_target(tb.entries[0], row["target"]) or TermMatcher(tb).find_inflected(
            tb.entries[0], row["target"]
        )
        if span is None:
            continue
        word = row["target"][span[0] : span[1]]
        parse = morph.parse(word)[0]
        if parse.tag.POS != "NOUN" or parse.tag.gender not in DISTRACTORS:
            continue
        distractor = morph.parse(DISTRACTORS[parse.tag.gender])[0].inflect({parse.tag.case, parse.tag.number})
        if distractor is None:
            continue
        new = distractor.word.capitalize() if word[:1].isupper() else distractor.word
        mt = row["target"][: span[0]] + new + row["target"][span[1] :]
        out = {"id": row["id"], "src": row["src"], "mt": mt, "ref": row["target"], "terms": [term]}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        written += 1
        used[term["tgt"][0]] = used.get(term["tgt"][0], 0) + 1
        if written >= args.limit:
            break


if __name__ == "__main__":
    main()
