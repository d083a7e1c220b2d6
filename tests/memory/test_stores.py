"""The SQLite and PostgreSQL stores behave alike: the same entries give the same matches, in the same order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from memory import MemoryInfo, MemoryStore, NewEntry, Origin


async def a_memory(store: MemoryStore, tenant: str = "t1", memory_id: str = "m1") -> MemoryInfo:
    return await store.create(
        MemoryInfo(id=memory_id, tenant=tenant, name="UI", source_lang="en", target_lang="de")
    )


async def test_memories_belong_to_their_tenant(store: MemoryStore) -> None:
    await a_memory(store, "t1", "m1")
    await a_memory(store, "t2", "m2")
    assert [m.id for m in await store.memories("t1")] == ["m1"]
    assert await store.get("t2", "m1") is None
    assert not await store.delete("t2", "m1")
    assert await store.delete("t1", "m1") and await store.get("t1", "m1") is None


async def test_an_entry_added_twice_is_kept_once_with_its_latest_origin(store: MemoryStore) -> None:
    await a_memory(store)
    earlier = datetime(2025, 1, 1, tzinfo=UTC)
    await store.add("m1", [NewEntry("Save", "Speichern", Origin.IMPORT, created_at=earlier)])
    await store.add("m1", [NewEntry("Save", "Speichern", Origin.ACCEPTED)])
    await store.add("m1", [NewEntry("Save", "Sichern", Origin.API)])
    entries = await store.entries("m1")
    assert [(e.source, e.target, e.origin) for e in entries] == [
        ("Save", "Speichern", Origin.ACCEPTED),
        ("Save", "Sichern", Origin.API),
    ]
    assert (await store.get("t1", "m1")).entries == 2  # type: ignore[union-attr]
    assert [e.id async for e in store.iter_entries("m1")] == [e.id for e in entries]
    assert await store.delete_entry("m1", entries[1].id)
    assert [e.target for e in await store.entries("m1")] == ["Speichern"]


async def test_lookup_finds_exact_and_fuzzy_matches_best_first(store: MemoryStore) -> None:
    await a_memory(store)
    await store.add(
        "m1",
        [
            NewEntry("Click <b>Save</b> to keep your changes.", "Klicken Sie auf <b>Speichern</b>."),
            NewEntry("Click <b>Open</b> to see your changes.", "Klicken Sie auf <b>Öffnen</b>."),
            NewEntry("The weather is nice today.", "Das Wetter ist heute schön."),
        ],
    )
    exact = await store.lookup("m1", "Click <b>Save</b> to keep your changes.")
    assert exact[0].score == 100.0 and exact[0].entry.target == "Klicken Sie auf <b>Speichern</b>."
    fuzzy = await store.lookup("m1", "Click <b>Save</b> to keep all changes.")
    assert [m.entry.target for m in fuzzy][:2] == [
        "Klicken Sie auf <b>Speichern</b>.",
        "Klicken Sie auf <b>Öffnen</b>.",
    ]
    assert 75 < fuzzy[0].score < 100
    assert await store.lookup("m1", "Nothing like any entry at all.", min_score=50) == []


async def test_the_newest_of_equal_matches_wins(store: MemoryStore) -> None:
    await a_memory(store)
    old = datetime.now(UTC) - timedelta(days=30)
    await store.add("m1", [NewEntry("Delete the file.", "Datei löschen.", created_at=old)])
    await store.add("m1", [NewEntry("Delete the file.", "Löschen Sie die Datei.")])
    (best,) = await store.lookup("m1", "Delete the file.", limit=1)
    assert best.entry.target == "Löschen Sie die Datei."


async def test_deleting_a_memory_deletes_its_entries(store: MemoryStore) -> None:
    await a_memory(store)
    await store.add("m1", [NewEntry("Save", "Speichern")])
    await store.delete("t1", "m1")
    await a_memory(store)
    assert await store.entries("m1") == []
    assert await store.lookup("m1", "Save") == []
