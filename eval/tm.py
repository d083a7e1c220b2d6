"""The translation memory of the `agent-minimal+tm` system, which learns as it goes.

The memory starts empty (or seeded from a TMX file) and, in dataset order, each row first looks up its
source, then the row's reference (its human post-edit, else its reference) is added as an accepted edit:
the "learning curve" setting, where every approved translation is fed back as a linguist's would be. A row
therefore sees the references of every earlier row and never its own or a later one's.

Because what is fed back is the dataset's reference, not the system's output, the matches of every row are
known before any edit: they are looked up in one ordered pass over the rows, and the edits may then run
concurrently without a row ever seeing a later reference (the same matches a strictly sequential run would
get). Matches are shaped exactly as the server shapes them for the agent (`memory.recall.Recall`: 75%+,
best three, a different glossary version never an exact match).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from agent import MemoryMatch
from eval.datasets import DatasetError, EvalRow
from formats.tmx import TmxError
from memory import MemoryInfo, MemoryStore, NewEntry, Origin, open_store
from memory.fuzzy import exact_key
from memory.recall import Recall
from memory.tmx import entries_from_tmx

__all__ = ["MEMORY_ID", "Learned", "accepted_edit", "learned_matches"]

MEMORY_ID = "eval"
Learned = Mapping[str, tuple[MemoryMatch, ...]]  # row key -> matches, best first


def accepted_edit(row: EvalRow) -> str | None:
    """What a linguist would have approved for the row: the post-edit of this MT, else the reference."""
    return row.pe or row.ref


async def learned_matches(
    rows: Sequence[EvalRow],
    *,
    source_lang: str,
    target_lang: str,
    seed_tmx: Path | None = None,
    glossary_version: str | None = None,
) -> dict[str, tuple[MemoryMatch, ...]]:
    """Each row's memory matches when the memory holds the seed and every earlier row's reference."""
    with tempfile.TemporaryDirectory(prefix="postedit-eval-tm-") as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'memory.sqlite3'}")
        try:
            info = await store.create(MemoryInfo(MEMORY_ID, MEMORY_ID, "eval", source_lang, target_lang))
            if seed_tmx is not None:
                await _seed(store, info, seed_tmx, rows)
            return await _replay(store, rows, glossary_version)
        finally:
            await store.close()


async def _replay(
    store: MemoryStore, rows: Sequence[EvalRow], glossary_version: str | None
) -> dict[str, tuple[MemoryMatch, ...]]:
    """Look up, then learn, row by row in dataset order."""
    recall = Recall(store, MEMORY_ID, glossary_version)
    out: dict[str, tuple[MemoryMatch, ...]] = {}
    for row in rows:
        out[row.key] = await recall.matches(row.src)
        target = accepted_edit(row)
        if target:
            entry = NewEntry(
                row.src, target, Origin.ACCEPTED, tuid=row.key, glossary_version=glossary_version
            )
            await store.add(MEMORY_ID, [entry])
    return out


async def _seed(store: MemoryStore, info: MemoryInfo, path: Path, rows: Sequence[EvalRow]) -> None:
    """Import a TMX file first, refusing one that already holds a test row's reference (a leaked score)."""
    try:
        entries = await asyncio.to_thread(lambda: entries_from_tmx(path.read_bytes(), info, {}))
    except (TmxError, OSError) as e:
        raise DatasetError(f"{path}: {e}") from e
    held = {(exact_key(e.source), exact_key(e.target)) for e in entries}
    leaked = [r for r in rows if (exact_key(r.src), exact_key(accepted_edit(r) or "")) in held]
    if leaked:
        raise DatasetError(
            f"{path}: holds the reference of {len(leaked)} evaluated row(s) (first: {leaked[0].id!r}); "
            "seeding it would score the memory on answers it was given. Use a memory without the test rows."
        )
    await store.add(MEMORY_ID, entries)
