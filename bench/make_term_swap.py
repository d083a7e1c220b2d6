"""A post-editing set for term form agreement: correct text whose term was swapped for another noun.

Russian (tico19-refs.en-ru): each row is a correct translation holding a one-word noun term in some case and
number. The "MT" is that translation with the term's word replaced by a plainly wrong noun of the same gender,
put in the same case and number by pymorphy3 (`симптомов` → `факторов`): the error a strong MT makes when it
picks another word, with the grammar around it intact. The reference is the original text, so the
agent's output agrees with it only if the glossary term goes back in the form the sentence needs.
Rows where the term already stands in its dictionary form are kept too (the easy case). With `--adjectives`, the
one-word adjective terms (`респираторный`, `бессимптомный`) instead, swapped for `обычный` in the same gender,
case and number (`респираторных` -> `обычных`).

German (iate-refs.en-de, `--lang de`): the same, with the declension tables of the `german-nouns` package
(Wiktionary, CC BY-SA 4.0) instead of pymorphy3: `Verträgen` (dative plural, masculine) → `Faktoren`. A word
whose readings (case, number) would give the distractor different forms is left out, as are terms inside
compounds. The set is independent of the agent's own morphology, which knows German nouns by simplemma.

Run: .venv/bin/python bench/make_term_swap.py [--limit N] > eval/runs/tico19-swap.en-ru.jsonl
     .venv/bin/python bench/make_term_swap.py --adjectives --per-term 10 > eval/runs/tico19-adj.en-ru.jsonl
     .venv/bin/python bench/make_term_swap.py --lang de > eval/runs/iate-swap.en-de.jsonl
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pymorphy3

from agent.checks.input import inline_termbase
from glossaries.matcher import TermMatcher

SHARED = Path(__file__).resolve().parents[2] / "shared/data/terminology"
DATA = SHARED / "tico19-refs.en-ru.dev.jsonl"
DATA_DE = SHARED / "iate-refs.en-de.dev.jsonl"
DISTRACTORS = {"masc": "фактор", "femn": "проблема", "neut": "явление"}  # not COVID-19 glossary words
DISTRACTOR_ADJ = "обычный"  # "ordinary": no COVID-19 glossary word, agreeing as any adjective does
DISTRACTORS_DE = {"m": "Faktor", "f": "Frage", "n": "Element"}  # declension tables with distinct cells
OTHER_GENDER_DE = {"m": "Frage", "f": "Element", "n": "Frage"}  # `der Vertrag` -> `die Frage`
# The definite and indefinite article by gender and case (nominativ, genitiv, dativ, akkusativ), singular:
# the bench's own, so that the set does not depend on the agent's rules for them.
ARTICLES_DE = {
    ("der", "m"): ("der", "des", "dem", "den"),
    ("der", "f"): ("die", "der", "der", "die"),
    ("der", "n"): ("das", "des", "dem", "das"),
    ("ein", "m"): ("ein", "eines", "einem", "einen"),
    ("ein", "f"): ("eine", "einer", "einer", "eine"),
    ("ein", "n"): ("ein", "eines", "einem", "ein"),
}
CASES_DE = ("nominativ", "genitiv", "dativ", "akkusativ")


def term_span(term: dict[str, object], lang: str, target: str) -> tuple[int, int] | None:
    """Where the target holds the term, as written or inflected (the agent's own matcher finds it)."""
    tb = inline_termbase([term], "en", lang)
    matcher = TermMatcher(tb)
    return matcher.find_target(tb.entries[0], target) or matcher.find_inflected(tb.entries[0], target)


def german_tables() -> dict[str, list[tuple[str, dict[str, str]]]]:
    """Word form -> [(gender, {"dativ plural": form, ...})] for every noun in german-nouns' table."""
    path = resources.files("german_nouns") / "nouns.csv"
    out: dict[str, list[tuple[str, dict[str, str]]]] = {}
    with path.open(encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        cells = [(i, " ".join(c.split()[:2])) for i, c in enumerate(header) if c.split()[0] in CASES_DE]
        for row in rows:
            gender = row[2]
            if "Substantiv" not in row[1] or gender not in DISTRACTORS_DE:
                continue
            table: dict[str, str] = {}
            for i, cell in cells:
                if row[i] and not cell.endswith("*"):
                    table.setdefault(cell, row[i])
            for form in set(table.values()):
                out.setdefault(form, []).append((gender, table))
    return out


def _other_gender(
    target: str,
    span: tuple[int, int],
    gender: str,
    cells: set[str],
    tables: dict[str, list[tuple[str, dict[str, str]]]],
) -> str | None:
    """The target with the term's noun swapped for one of another gender, the article right before it (if
    any) put in that gender; None where the article or the cell leaves the case in doubt."""
    new_gender = tables[OTHER_GENDER_DE[gender]][0][0]
    distractor = tables[OTHER_GENDER_DE[gender]][0][1]
    before = target[: span[0]]
    article = re.search(r"(?<!\w)(\w+) $", before)
    kind = next(
        (k for k in ("der", "ein") if article and article.group(1).lower() in ARTICLES_DE[(k, gender)]), None
    )
    if kind is not None and article is not None:
        said = article.group(1).lower()
        cells = {
            c
            for c in cells
            if c.endswith("plural") or ARTICLES_DE[(kind, gender)][CASES_DE.index(c.split()[0])] == said
        }
    elif any(c.endswith("singular") for c in cells):
        return None  # no article to agree (or an adjective whose ending would change): left out
    phrases = set()
    for cell in cells:
        noun = distractor.get(cell)
        if noun is None:
            return None
        if kind is None or cell.endswith("plural"):
            phrases.add((before, noun))
            continue
        new = ARTICLES_DE[(kind, new_gender)][CASES_DE.index(cell.split()[0])]
        said = article.group(1)  # type: ignore[union-attr]
        new = new.capitalize() if said[:1].isupper() else new
        phrases.add((before[: article.start(1)] + new + " ", noun))  # type: ignore[union-attr]
    if len(phrases) != 1:
        return None
    head, noun = phrases.pop()
    return head + noun + target[span[1] :]


def german_rows(limit: int, per_term: int, other_gender: bool = False) -> Iterator[dict[str, object]]:
    tables = german_tables()
    used: dict[str, int] = {}
    for line in DATA_DE.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        inside = set(row.get("inside_a_word") or [])
        term = next(
            (t for t in row["terms"] if len(t["tgt"][0].split()) == 1 and t["tgt"][0][:1].isupper()), None
        )
        if term is None or term["tgt"][0] in inside or used.get(term["tgt"][0], 0) >= per_term:
            continue
        span = term_span(term, "de", row["target"])
        if span is None:
            continue
        word = row["target"][span[0] : span[1]]
        readings = [(g, t) for g, t in tables.get(word, []) if term["tgt"][0] in t.values()]
        if len(readings) != 1:
            continue  # not a noun of the table, or of two genders: no sure distractor
        gender, table = readings[0]
        cells = {cell for cell, form in table.items() if form == word}
        if other_gender:
            mt = _other_gender(row["target"], span, gender, cells, tables)
        else:
            distractor = tables[DISTRACTORS_DE[gender]][0][1]
            forms = {distractor[cell] for cell in cells if cell in distractor}
            mt = (
                row["target"][: span[0]] + forms.pop() + row["target"][span[1] :] if len(forms) == 1 else None
            )
        if mt is None:
            continue
        yield {"id": row["id"], "src": row["src"], "mt": mt, "ref": row["target"], "terms": [term]}
        used[term["tgt"][0]] = used.get(term["tgt"][0], 0) + 1
        limit -= 1
        if limit <= 0:
            return


def russian_rows(limit: int, per_term: int, adjectives: bool = False) -> Iterator[dict[str, object]]:
    morph = pymorphy3.MorphAnalyzer(lang="ru")
    used: dict[str, int] = {}
    for line in DATA.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        term = next((t for t in row["terms"] if len(t["tgt"][0].split()) == 1), None)
        if term is None or used.get(term["tgt"][0], 0) >= per_term:
            continue
        span = term_span(term, "ru", row["target"])
        if span is None:
            continue
        word = row["target"][span[0] : span[1]]
        parse = morph.parse(word)[0]
        if (
            adjectives
        ):  # the adjective in the same gender (singular), case and number, animacy for the accusative
            if parse.tag.POS != "ADJF" or not parse.tag.case:
                continue
            wanted = {parse.tag.case, parse.tag.number} | {
                g for g in (parse.tag.gender, parse.tag.animacy) if g
            }
            distractor = morph.parse(DISTRACTOR_ADJ)[0].inflect(wanted)
        elif parse.tag.POS != "NOUN" or parse.tag.gender not in DISTRACTORS:
            continue
        else:
            distractor = morph.parse(DISTRACTORS[parse.tag.gender])[0].inflect(
                {parse.tag.case, parse.tag.number}
            )
        if distractor is None:
            continue
        new = distractor.word.capitalize() if word[:1].isupper() else distractor.word
        mt = row["target"][: span[0]] + new + row["target"][span[1] :]
        yield {"id": row["id"], "src": row["src"], "mt": mt, "ref": row["target"], "terms": [term]}
        used[term["tgt"][0]] = used.get(term["tgt"][0], 0) + 1
        limit -= 1
        if limit <= 0:
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=150)
    parser.add_argument("--per-term", type=int, default=4, help="rows per glossary term, for variety")
    parser.add_argument("--lang", choices=("ru", "de"), default="ru")
    parser.add_argument(
        "--adjectives", action="store_true", help="Russian: adjective terms, swapped for another adjective"
    )
    parser.add_argument(
        "--other-gender",
        action="store_true",
        help="German: a distractor of another gender, its article agreeing",
    )
    args = parser.parse_args()
    if args.lang == "de":
        for out in german_rows(args.limit, args.per_term, args.other_gender):
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return
    for out in russian_rows(args.limit, args.per_term, args.adjectives):
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
