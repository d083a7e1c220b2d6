"""Can a draft write the term in the form a human needed? Per language, on correct human translations.

A draft that must add a glossary term is held to a pattern made of the term's forms
(`Morphology.forms`): a form missing there is a form the model cannot write, whatever the sentence needs.
For every required term a correct reference renders, this finds that rendering as the eval's form
agreement finds it (`eval.metrics.terms.reference_forms`) and asks whether the term's forms hold it.
Renderings by another word built on the term (a compound, a derivation: `коронавирусной` for
`коронавирус`) are counted apart: no form of the term is meant to reach them.

The glossary forms are the ones a client's termbase holds (every target an entry allows): TICO-19's for
Russian and French, IATE's for German (iate-refs lists each term as the reference writes it, so its citation
form comes from the IATE glossary the set was drawn from).

Run: .venv/bin/python bench/bench_term_forms.py [-v]
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from pathlib import Path

from agent.checks.input import inline_termbase
from glossaries.matcher import TermMatcher
from glossaries.morphology import morphology

SHARED = Path(__file__).resolve().parents[2] / "shared/data"
SETS = (  # file, target language, the column holding the correct translation
    ("terminology/iate-refs.en-de.dev.jsonl", "de", "target"),
    ("terminology/wmt21-tico19.en-fr.dev.jsonl", "fr", "ref"),
    ("terminology/tico19-refs.en-ru.dev.jsonl", "ru", "target"),
)
IATE = SHARED / "glossaries/iate-dinu2019.en-de.csv"


def citation_forms(lang: str) -> dict[str, str]:
    """English term -> the glossary's German form, where the set's own terms are inflected."""
    if lang != "de":
        return {}
    with IATE.open(encoding="utf-8") as f:
        return {row["en"].casefold(): row["de"] for row in csv.DictReader(f)}


def rendering(term: dict[str, object], lang: str, text: str) -> tuple[str, bool] | None:
    """How `text` renders the term, and whether by the term's own lexeme (not a word built on it)."""
    tb = inline_termbase([term], "en", lang)
    matcher, entry = TermMatcher(tb), tb.entries[0]
    span = matcher.find_target(entry, text) or matcher.find_inflected(entry, text)
    if span is not None:
        return text[span[0] : span[1]], True
    built = matcher.find_built_on(entry, text)
    return (text[built[0] : built[1]], False) if built else None


def measure(name: str, lang: str, column: str, verbose: bool) -> None:
    morph, glossary = morphology(lang), citation_forms(lang)
    rows = [json.loads(line) for line in (SHARED / name).read_text(encoding="utf-8").splitlines() if line]
    reached, built, missed = 0, 0, Counter[tuple[str, str]]()
    for row in rows:
        for term in row.get("terms") or []:
            citation = glossary.get(str(term["src"]).casefold())
            targets = [citation] if citation else [] if glossary else list(term["tgt"])
            found = rendering(term, lang, row[column]) if targets else None
            if found is None:
                continue
            form, own = found
            if not own:
                built += 1
            elif form.casefold() in {f.casefold() for t in targets for f in morph.forms(t)}:
                reached += 1
            else:
                missed[(" / ".join(targets), form)] += 1
    total = reached + sum(missed.values())
    print(
        f"{Path(name).name} ({lang}): the reference's form is among the term's forms for "
        f"{reached}/{total} renderings ({reached / max(total, 1):.3f}); {built} more by a word built on the term"
    )
    for (citation, form), n in missed.most_common(None if verbose else 8):
        print(f"  {n:3d}  {citation} -> {form}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="every form the terms' forms miss")
    args = parser.parse_args()
    for name, lang, column in SETS:
        measure(name, lang, column, args.verbose)


if __name__ == "__main__":
    main()
