"""A result served from the cache answers under the id, and at the position, of the segment asked for.

Each entry point gets the same texts twice, the second time under new ids and in another order (XLIFF: a
second file whose units repeat the first file's texts under other unit ids). The repeated texts must come
from the cache (no new model call) yet answer as the new segments: new ids, new positions, their own text.
Jobs are covered in test_jobs.py (they need a worker), the evaluation harness in tests/eval/test_cache_ids.py.
"""

from __future__ import annotations

import json
import uuid

import httpx
from lxml import etree

from tests.support.stub_llm import StubLLM

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"


def unique(text: str) -> str:
    """`text` with a tag of letters the cache has never seen (digits would be QA-checked as numbers)."""
    tag = "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:8])
    return f"{text} {tag}"


def model_calls(stub: StubLLM, text: str) -> int:
    """How many model requests mentioned `text`: a cached segment adds none."""
    return sum(text in json.dumps(r["messages"], ensure_ascii=False) for r in stub.requests)


def batch(*segments: dict[str, str]) -> dict[str, object]:
    return {"source_lang": "en", "target_lang": "de", "mode": "full", "segments": list(segments)}


def test_postedit_answers_cached_segments_under_the_new_ids_in_request_order(
    client: httpx.Client, model_stub: StubLLM
) -> None:
    a, b, c = unique("Open the file"), unique("Close the window"), unique("Print the page")
    first = client.post(
        "/v1/postedit",
        json=batch(
            {"id": "req1-a", "source": a, "mt": f"Datei {a}"},
            {"id": "req1-b", "source": b, "mt": f"Fenster {b}"},
        ),
    ).json()["segments"]
    second = client.post(
        "/v1/postedit",
        json=batch(
            {"id": "req2-b", "source": b, "mt": f"Fenster {b}"},
            {"id": "req2-c", "source": c, "mt": f"Seite {c}"},
            {"id": "req2-a", "source": a, "mt": f"Datei {a}"},
        ),
    ).json()["segments"]
    assert [s["id"] for s in second] == ["req2-b", "req2-c", "req2-a"]
    assert [s["cached"] for s in second] == [True, False, True]
    assert [s["output"] for s in second] == [first[1]["output"], f"Seite {c} ✓", first[0]["output"]]
    assert model_calls(model_stub, a) == 1 and model_calls(model_stub, b) == 1


def test_the_step_stream_answers_a_cached_segment_under_its_own_id(client: httpx.Client) -> None:
    text = unique("Stream this")
    seg = {"source": text, "mt": f"Strom {text}"}
    client.post("/v1/postedit", json=batch({"id": "batch-1", **seg}))
    r = client.post(
        "/v1/postedit/stream",
        json={"source_lang": "en", "target_lang": "de", "mode": "full", "segment": {"id": "stream-2", **seg}},
    )
    events = [line.removeprefix("data:").strip() for line in r.text.splitlines() if line.startswith("data:")]
    result = json.loads(events[-1])
    assert (result["id"], result["cached"], result["output"]) == ("stream-2", True, f"Strom {text} ✓")


def xliff(units: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f'<trans-unit id="{uid}"><source>{src}</source><target state="needs-translation">{mt}</target></trans-unit>'
        for uid, src, mt in units
    )
    return (
        f'<xliff version="1.2" xmlns="{XLIFF_NS}"><file source-language="en" target-language="de" '
        f'datatype="plaintext" original="ui"><body>{body}</body></file></xliff>'
    ).encode()


def targets(content: bytes) -> list[tuple[str, str]]:
    root = etree.fromstring(content)
    return [
        (str(u.get("id")), u.findtext(f"{{{XLIFF_NS}}}target") or "")
        for u in root.iter(f"{{{XLIFF_NS}}}trans-unit")
    ]


def test_a_second_xliff_repeating_units_under_other_ids_gets_every_target_in_place(
    client: httpx.Client, model_stub: StubLLM
) -> None:
    a, b, c = unique("Save the file"), unique("Delete the file"), unique("Rename the file")
    ma, mb, mc = f"Datei {a} speichern", f"Datei {b} löschen", f"Datei {c} umbenennen"
    first = client.post(
        "/v1/xliff", files={"file": ("one.xlf", xliff([("u1", a, ma), ("u2", b, mb)]))}, data={"mode": "full"}
    )
    assert targets(first.content) == [("u1", f"{ma} ✓"), ("u2", f"{mb} ✓")]
    second = client.post(
        "/v1/xliff",
        files={"file": ("two.xlf", xliff([("v1", b, mb), ("v2", c, mc), ("v3", a, ma)]))},
        data={"mode": "full"},
    )
    assert second.status_code == 200, second.text
    assert targets(second.content) == [("v1", f"{mb} ✓"), ("v2", f"{mc} ✓"), ("v3", f"{ma} ✓")]
    assert model_calls(model_stub, a) == 1 and model_calls(model_stub, b) == 1  # served from the cache


def test_deepl_translations_of_cached_texts_come_back_at_their_positions(
    client: httpx.Client, model_stub: StubLLM
) -> None:
    a, b, c = unique("Open settings"), unique("Close settings"), unique("Reset settings")
    first = client.post("/v2/translate", json={"text": [a, b], "source_lang": "EN", "target_lang": "DE"})
    assert first.status_code == 200, first.text
    ta, tb = (t["text"] for t in first.json()["translations"])
    second = client.post("/v2/translate", json={"text": [b, c, a], "source_lang": "EN", "target_lang": "DE"})
    assert second.status_code == 200, second.text
    texts = [t["text"] for t in second.json()["translations"]]
    assert texts[0] == tb and texts[2] == ta and texts[1] not in (ta, tb)
    assert model_calls(model_stub, a) == 1 and model_calls(model_stub, b) == 1


def test_a_second_conversation_on_the_same_segment_answers_as_itself(client: httpx.Client) -> None:
    text = unique("Export the report")
    seg = {"source_lang": "en", "target_lang": "de", "mode": "full", "source": text, "mt": f"Bericht {text}"}
    answers = []
    for _ in range(2):
        conv = client.post("/v1/conversations", json=seg).json()
        turns = client.post(f"/v1/conversations/{conv['id']}/messages", json={"message": ""}).json()["turns"]
        answers.append((conv["id"], turns[-1]))
    (first_id, first), (second_id, second) = answers
    assert first_id != second_id
    assert first["result"]["id"] == first_id and not first["result"]["cached"]
    assert second["result"]["id"] == second_id and second["result"]["cached"]
    assert second["index"] == first["index"] and second["result"]["output"] == first["result"]["output"]
    export = client.get(f"/v1/conversations/{second_id}/export", params={"format": "jsonl"}).json()
    assert export["id"] == second_id
