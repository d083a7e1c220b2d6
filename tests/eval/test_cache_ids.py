"""The evaluation harness files every result under the row it ran for, even when the result was cached.

A second data set repeats the first one's segments under other ids and in another order; a system whose
editor has a result cache answers those from it. Each results row must still carry its own row's key, id,
source and output, or the scores would compare one row's output with another row's reference.
"""

from __future__ import annotations

from pathlib import Path

from agent.cache import InMemoryResultCache
from agent.editor import PostEditor
from agent.types import EditOptions, SegmentResult
from eval.datasets import EvalRow
from eval.runner import RunSpec, SystemFn, open_systems, run_systems, segment_of
from eval.store import ResultStore

SEGMENTS = {
    "save": ("Click <b>Save</b> now.", "Klicken Sie jetzt auf Speichern."),
    "open": ("Open <i>the file</i>.", "Öffnen Sie die Datei."),
    "print": ("Print %s pages.", "Drucken Sie Seiten."),
}


def rows(dataset: str, order: list[str], prefix: str) -> list[EvalRow]:
    return [EvalRow(dataset, f"{prefix}-{name}", *SEGMENTS[name]) for name in order]


def cached_rules(options: EditOptions) -> SystemFn:
    """The rules system on an editor with a result cache, as a cached agent would run."""
    editor = PostEditor(None, cache=InMemoryResultCache())

    async def run(row: EvalRow) -> SegmentResult:
        return await editor.edit(segment_of(row), options)

    return run


async def test_repeated_segments_under_new_ids_are_filed_under_their_own_rows(tmp_path: Path) -> None:
    spec = RunSpec("en", "de", systems=("mt", "rules"), concurrency=3)
    store = ResultStore(tmp_path / "results.jsonl")
    first = rows("first", ["save", "open", "print"], "a")
    second = rows("second", ["print", "save", "open"], "b")
    async with open_systems(spec) as systems:
        systems = {**systems, "rules-cached": cached_rules(EditOptions("en", "de"))}
        await run_systems(first, spec, store, progress=False, systems=systems)
        await run_systems(second, spec, store, progress=False, systems=systems)
    results = {(r["system"], r["key"]): r for r in store.rows()}
    assert len(results) == 3 * 6
    for row in first + second:
        rules, cached = results["rules", row.key], results["rules-cached", row.key]
        for result in (results["mt", row.key], rules, cached):
            assert (result["id"], result["source"], result["mt"]) == (row.id, row.src, row.mt)
        assert cached["output"] == rules["output"]  # the rules' own fixes, for this row's segment
        assert cached["cached"] is (row.dataset == "second")
    outputs = {name: results["rules-cached", f"second/b-{name}"]["output"] for name in SEGMENTS}
    assert "</b>" in outputs["save"] and "</i>" in outputs["open"] and "%s" in outputs["print"]
