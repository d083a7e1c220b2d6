"""DIR/results.jsonl: one JSON row per (system, segment), appended as each finishes, so a rerun resumes.

Rows are flushed one by one; an interrupted run may leave a torn last line, which opening the store
drops (rewriting the file) so the next append starts on a clean line. A key is never written twice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["ResultStore"]

Row = dict[str, Any]


class ResultStore:
    """Append-only JSONL keyed by (`system`, `key`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._rows: dict[tuple[str, str], Row] = {}
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            self._load()

    def _load(self) -> None:
        text = self.path.read_text(encoding="utf-8")
        kept: list[str] = []
        for line in text.splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn line from an interruption: that row is redone
            k = (str(row.get("system")), str(row.get("key")))
            if k not in self._rows:
                self._rows[k] = row
                kept.append(line)
        if len(kept) != len(text.splitlines()) or (text and not text.endswith("\n")):
            self.path.write_text("".join(x + "\n" for x in kept), encoding="utf-8")

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def append(self, row: Row) -> None:
        k = (str(row["system"]), str(row["key"]))
        if k in self._rows:
            return
        self._rows[k] = row
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")

    def rows(self) -> list[Row]:
        return list(self._rows.values())
