"""The conversation store, term highlighting and the export writers, without a server."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from formats.xliff import parse_xliff
from glossaries import load_termbase
from glossaries.matcher import TermMatcher
from server.conversation_export import to_jsonl, to_xliff
from server.conversation_schemas import Conversation, ConversationCreate, Turn
from server.conversations import ConversationStore, term_hits
from server.errors import ApiError
from server.kv import MemoryKV
from server.schemas import SegmentOut
from server.settings import Settings

GLOSSARY = Path(__file__).resolve().parents[2] / "glossaries" / "examples" / "en-de" / "terms.csv"


@pytest.fixture
def store() -> ConversationStore:
    return ConversationStore(MemoryKV(), Settings(_env_file=None))  # type: ignore[call-arg]


def conversation(source: str, output: str, mt: str | None = None) -> Conversation:
    now = time.time()
    agent = Turn(
        index=1, role="agent", kind="revision", created_at=now,
        result=SegmentOut(id="c1", output=output, status="edited"),
    )  # fmt: skip
    return Conversation(
        id="c1", source_lang="en", target_lang="de", source=source, mt=mt, created_at=now, updated_at=now,
        turns=[Turn(index=0, role="user", kind="segment", created_at=now), agent],
    )  # fmt: skip


async def test_conversations_are_per_tenant_and_listed_newest_first(store: ConversationStore) -> None:
    body = ConversationCreate(source_lang="en", target_lang="de", source="Hello")
    first = await store.create("a", body)
    second = await store.create("a", body)
    assert [s.id for s in await store.list_all("a")] == [second.id, first.id]
    assert await store.get("b", first.id) is None and await store.list_all("b") == []
    assert await store.delete("a", first.id) and [s.id for s in await store.list_all("a")] == [second.id]


async def test_a_second_message_while_the_agent_works_is_a_conflict(store: ConversationStore) -> None:
    async with store.busy("a", "c1"):
        with pytest.raises(ApiError) as refused:
            async with store.busy("a", "c1"):
                pass
        async with store.busy("b", "c1"):  # another tenant's conversation is another lock
            pass
    assert refused.value.status == 409
    async with store.busy("a", "c1"):  # released afterwards
        pass


def test_term_hits_locate_renderings_forbidden_forms_and_dnt() -> None:
    matcher = TermMatcher(load_termbase(GLOSSARY, source_lang="en", target_lang="de"))
    source = "Save the settings in the Cloud Console."
    hits = {
        h.source: h for h in term_hits(matcher, source, "Sichern Sie die Einstellungen in der Cloud Console.")
    }
    assert set(hits) == {"Save", "settings", "Cloud Console"}
    assert (hits["Save"].target, hits["Save"].target_start, hits["Save"].forbidden_spans) == (
        "Speichern",
        None,
        [(0, 7)],
    )
    assert (hits["settings"].target_start, hits["settings"].target_end) == (16, 29)
    assert hits["Cloud Console"].dnt and hits["Cloud Console"].target_start == 37
    assert term_hits(None, source, "x") == []


@pytest.mark.parametrize(
    ("source", "output", "expect_source", "expect_target"),
    [
        ('Click <g id="1">Save</g> & go', 'Klicken <g id="1">Speichern</g>', '<g id="1">Save</g> &amp; go',
         '<g id="1">'),
        ('Open <g id="1">', "Öffnen", "Open &lt;g id=", "Öffnen"),  # unbalanced: text, not a broken file
        ("Use <b>bold</b> & <i>", "Nutze <b>fett</b>", "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;", "&lt;b&gt;fett"),
    ],
)  # fmt: skip
def test_xliff_export_keeps_inline_tags_and_escapes_the_rest(
    source: str, output: str, expect_source: str, expect_target: str
) -> None:
    data = to_xliff([conversation(source, output, mt="x")])
    text = data.decode()
    assert expect_source in text and expect_target in text
    (unit,) = parse_xliff(data).units
    assert unit.target is not None and unit.target.replace("&amp;", "&").startswith(output[:5])
    assert 'target-language="de"' in text and 'state="translated"' in text


def test_jsonl_export_has_one_row_per_conversation_with_the_final_version() -> None:
    conv = conversation("Save", "Speichern", mt="Sichern")
    conv.accepted_turn = 1
    (line,) = to_jsonl([conv]).splitlines()
    assert '"src": "Save"' in line and '"output": "Speichern"' in line and '"accepted": true' in line
