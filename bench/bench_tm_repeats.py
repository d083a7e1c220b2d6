"""How much a translation memory that learns as it goes can help on each public set: the rows that have an
EARLIER row whose source is a 75%+ fuzzy match (`memory.fuzzy.score`, the CAT score the agent sees).

A memory fed each reference after its row only pays off on repeated or near-repeated sentences, so this
picks the set for the `agent-minimal+tm` learning curve. For each set (the shared ones, those built from
../shared/data, and the real UI catalogues of tests/fixtures/keybased, which repeat themselves) it prints
the rows, whether the set has MT, the rows with an earlier exact repeat (score 100),
with an earlier 85%+ and 75%+ match (and how many of those are sentences of five words or more, not table
cells such as `<g id="1">105,0</g>`), and, with `--store`, the rows for which the SQLite memory store, fed
the earlier rows in order, really returns a 75%+ match (its word index proposes the candidates).

    .venv/bin/python bench/bench_tm_repeats.py [--data ../shared/data] [--store]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.types import MEMORY_CLOSE, MEMORY_FLOOR  # noqa: E402
from eval.datasets import read_xliff  # noqa: E402
from formats.tmx import read_tmx  # noqa: E402
from memory import MemoryInfo, NewEntry, Origin, open_store  # noqa: E402
from memory.fuzzy import exact_key, masked, plain, score  # noqa: E402

FLOOR = MEMORY_FLOOR  # below it a match is never retrieved nor shown to the model
CLOSE = MEMORY_CLOSE


@dataclass(frozen=True)
class Pairs:
    """One set in dataset order: its sources and references, and whether it has MT to post-edit."""

    name: str
    has_mt: str  # "yes", "no", or how a stand-in MT is made
    sources: list[str]
    targets: list[str]


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _from_rows(
    name: str, path: Path, target: str, *, keep: Callable[[dict[str, object]], bool] | None = None
) -> Pairs:
    rows = [r for r in _jsonl(path) if keep is None or keep(r)]
    has_mt = "yes" if rows and "mt" in rows[0] else "no"
    return Pairs(name, has_mt, [str(r["src"]) for r in rows], [str(r.get(target) or "") for r in rows])


def _markup(name: str, path: Path, lang: str) -> Pairs:
    rows = _jsonl(path)
    return Pairs(name, "reference without tags", [str(r["en"]) for r in rows], [str(r[lang]) for r in rows])


def _tmx(path: Path) -> Pairs:
    _header, units = read_tmx(path)
    pairs = [(u.text("en"), u.text("ru")) for u in units]
    kept = [(s, t) for s, t in pairs if s and t]
    return Pairs("tm/tico19.en-ru.tmx (units)", "no", [s for s, _ in kept], [t for _, t in kept])


KEYBASED = ROOT / "tests" / "fixtures" / "keybased"  # real UI catalogues (licenses in its README)


def _catalogue(path: Path) -> Pairs:
    """A key-based file as the harness reads it (`eval.datasets.read_xliff`): no MT, translated from scratch."""
    rows = [r for r in read_xliff(path) if r.ref]
    name = f"keybased/{path.relative_to(KEYBASED)}"
    return Pairs(name, "no (translation)", [r.src for r in rows], [r.ref or "" for r in rows])


def sets(data: Path) -> list[Pairs]:
    """Every public set with references, in its file order (the order a learning run sees it)."""
    wmt = data / "terminology" / "wmt21-tico19.en-fr.dev.jsonl"
    return [
        _from_rows("terminology/wmt21-tico19.en-fr.dev", wmt, "ref"),
        _from_rows("  the same, rows with terms only", wmt, "ref", keep=lambda r: bool(r.get("terms"))),
        _from_rows("postedit/mlqe-pe.en-de.dev", data / "postedit" / "mlqe-pe.en-de.dev.jsonl", "pe"),
        _from_rows("postedit/mlqe-pe.en-zh.dev", data / "postedit" / "mlqe-pe.en-zh.dev.jsonl", "pe"),
        _from_rows(
            "terminology/tico19-refs.en-ru.dev",
            data / "terminology" / "tico19-refs.en-ru.dev.jsonl",
            "target",
        ),
        _from_rows(
            "terminology/iate-refs.en-de.dev", data / "terminology" / "iate-refs.en-de.dev.jsonl", "target"
        ),
        _markup(
            "markup/mt-markup-tags.eurlex.dev", data / "markup" / "mt-markup-tags.eurlex.dev.jsonl", "de"
        ),
        _markup(
            "markup/mt-markup-tags.glossary.dev", data / "markup" / "mt-markup-tags.glossary.dev.jsonl", "de"
        ),
        _tmx(data / "tm" / "tico19.en-ru.tmx"),
        *(_catalogue(p) for p in sorted(KEYBASED.rglob("*.de.xlf")) + sorted(KEYBASED.rglob("de.xlf"))),
        *(_catalogue(KEYBASED / "symfony-validator" / f"validators.{lang}.xlf") for lang in ("fr", "ru")),
    ]


def earlier_best(sources: Sequence[str]) -> list[float]:
    """For each row, the best `memory.fuzzy.score` of any earlier row's source (0 when none reaches 75).

    rapidfuzz finds the nearest earlier masked text (what `score` compares), and `score` itself rescores
    it, so the figure is the one the memory would show; an exact repeat is looked up by its exact key."""
    seen: set[str] = set()
    texts: list[str] = []
    best: list[float] = []
    for src in sources:
        text = masked(src)
        if exact_key(src) in seen:
            best.append(100.0)
        else:
            hit = process.extractOne(
                text, texts, scorer=Levenshtein.normalized_similarity, score_cutoff=FLOOR / 100
            )
            best.append(score(src, sources[hit[2]]) if hit else 0.0)
        seen.add(exact_key(src))
        texts.append(text)
    return best


async def store_hits(pairs: Pairs) -> int:
    """Rows for which the SQLite store, holding every earlier row's reference, returns a 75%+ match."""
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/tm.sqlite3")
        await store.create(MemoryInfo("bench", "bench", "bench", "en", "xx"))
        hits = 0
        for src, tgt in zip(pairs.sources, pairs.targets, strict=True):
            hits += bool(await store.lookup("bench", src, limit=1, min_score=FLOOR))
            if tgt:
                await store.add("bench", [NewEntry(src, tgt, Origin.ACCEPTED)])
        await store.close()
    return hits


def _words(text: str) -> int:
    return len(plain(text).split())


def _pct(n: int, total: int) -> str:
    return f"{n} ({100 * n / total:.1f}%)" if total else "0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--store", action="store_true", help="also replay each set through the SQLite store")
    args = parser.parse_args()
    header = ["set", "rows", "MT", "earlier exact", "earlier 85%+", "earlier 75%+", "75%+, 5+ words"]
    header += ["store returns 75%+"] if args.store else []
    print(" | ".join(header))
    print("|".join("---" for _ in header))
    for pairs in sets(args.data):
        best = earlier_best(pairs.sources)
        n = len(best)
        cells = [pairs.name, str(n), pairs.has_mt]
        cells += [_pct(sum(b >= t for b in best), n) for t in (100.0, CLOSE, FLOOR)]
        cells.append(
            _pct(sum(b >= FLOOR and _words(s) >= 5 for b, s in zip(best, pairs.sources, strict=True)), n)
        )
        if args.store:
            cells.append(_pct(asyncio.run(store_hits(pairs)), n))
        print(" | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
