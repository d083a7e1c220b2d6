"""results.jsonl: appended as rows finish, resumable, never duplicated, robust to a torn last line."""

from __future__ import annotations

import json
from pathlib import Path

from eval.store import ResultStore


def test_rows_survive_reopening_and_are_never_duplicated(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    store = ResultStore(path)
    store.append({"system": "mt", "key": "a/1", "output": "x"})
    store.append({"system": "mt", "key": "a/1", "output": "again"})
    store.append({"system": "rules", "key": "a/1", "output": "y"})
    again = ResultStore(path)
    assert ("mt", "a/1") in again and ("rules", "a/1") in again and len(again) == 2
    assert len(path.read_text().splitlines()) == 2


def test_a_torn_last_line_is_dropped_and_the_next_append_starts_clean(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text(
        json.dumps({"system": "mt", "key": "k1"}) + "\n" + '{"system": "mt", "ke', encoding="utf-8"
    )
    store = ResultStore(path)
    assert len(store) == 1 and ("mt", "k1") in store
    store.append({"system": "mt", "key": "k2"})
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["key"] for r in rows] == ["k1", "k2"]
