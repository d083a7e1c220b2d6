"""The evaluation harness runs a dataset as the service runs a job: with the word alignment learned from it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from eval.datasets import EvalRow
from eval.runner import RunSpec, open_systems, run_systems
from eval.store import ResultStore


async def test_the_rules_system_places_lost_tags_by_the_datasets_own_alignment(
    shared_data: Path, tmp_path: Path
) -> None:
    lines = (shared_data / "markup/mt-markup-tags.glossary.dev.jsonl").open(encoding="utf-8")
    pairs = [(r["en"], r["de"]) for r in map(json.loads, lines) if r.get("de")]
    rows = [
        EvalRow("eurlex", str(i), src, re.sub(r"<[^>]+>", "", ref), ref) for i, (src, ref) in enumerate(pairs)
    ]
    four = next(r for r in rows if '<g id="1">four</g>' in r.src)
    spec = RunSpec("en", "de", systems=("rules",), concurrency=4)
    store = ResultStore(tmp_path / "results.jsonl")
    async with open_systems(spec, rows) as systems:
        await run_systems(rows, spec, store, progress=False, systems=systems)
    result = next(r for r in store.rows() if r["key"] == four.key)
    assert result["output"] == four.ref  # around `vier`, as the reference: a segment alone guesses wrong
    assert result["status"] == "edited"
