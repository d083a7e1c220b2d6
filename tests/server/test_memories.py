"""/v1/memories over real HTTP with the real agent and the stub model: TMX in and out, 100% matches that
need no model, fuzzy matches the model sees, and entries learned from accepted and final translations."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from formats.tmx import read_tmx
from tests.server.conftest import KEY_B, LiveServer
from tests.support.stub_llm import StubLLM

ROOT = Path(__file__).resolve().parents[2]
TICO = ROOT.parent / "shared" / "data" / "tm" / "tico19.en-ru.tmx"
TAGGED = ROOT / "tests" / "fixtures" / "tmx" / "okapi_Paragraph_TM.tmx"


def new_memory(client: httpx.Client, source: str = "en", target: str = "de", **extra: object) -> str:
    memory_id = f"tm-{uuid.uuid4().hex[:8]}"
    r = client.post(
        "/v1/memories", json={"id": memory_id, "source_lang": source, "target_lang": target, **extra}
    )
    assert r.status_code == 201, r.text
    return memory_id


def postedit(client: httpx.Client, memory_id: str, source: str, mt: str, **options: object) -> dict:
    body = {
        "source_lang": "en",
        "target_lang": "de",
        "memory_id": memory_id,
        "segments": [{"id": "s", "source": source, "mt": mt}],
        **options,
    }
    r = client.post("/v1/postedit", json=body)
    assert r.status_code == 200, r.text
    segment: dict = r.json()["segments"][0]
    return segment


def word() -> str:
    """A word no other test uses (letters only: digits would trip the number check)."""
    return "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:6])


def model_calls(stub: StubLLM) -> int:
    return len(stub.requests)


@pytest.fixture
def memory(client: httpx.Client) -> Iterator[str]:
    memory_id = new_memory(client)
    yield memory_id
    client.delete(f"/v1/memories/{memory_id}")


def test_a_tmx_imported_then_exported_gives_back_the_same_units(client: httpx.Client) -> None:
    memory_id = new_memory(client, "en", "ru")
    r = client.put(f"/v1/memories/{memory_id}/tmx", content=TICO.read_bytes())
    assert r.status_code == 200, r.text
    assert r.json() == {"added": 3071, "skipped": 0}
    exported = client.get(f"/v1/memories/{memory_id}/tmx")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith(
        "application/x-tmx+xml"
    )
    _, before = read_tmx(TICO)
    _, after = read_tmx(exported.content)
    expected = [(u.id, u.text("en"), u.text("ru")) for u in before]
    got = [(u.id, u.text("en"), u.text("ru")) for u in after]
    assert got == expected
    assert {v.lang for u in read_tmx(exported.content)[1] for v in u.variants} == {"en", "ru"}


def test_inline_codes_survive_the_round_trip(client: httpx.Client) -> None:
    memory_id = new_memory(client, "en", "fr")
    assert client.put(f"/v1/memories/{memory_id}/tmx", content=TAGGED.read_bytes()).json()["added"] == 1
    (before,) = list(read_tmx(TAGGED)[1])
    (after,) = list(read_tmx(client.get(f"/v1/memories/{memory_id}/tmx").content)[1])
    assert after.text("en") == before.text("en") and after.text("fr") == before.text("fr")
    assert after.text("en").count("<ph ") == 5  # type: ignore[union-attr]


def test_a_broken_tmx_is_a_422_naming_the_line_and_adds_nothing(client: httpx.Client, memory: str) -> None:
    broken = (
        b'<?xml version="1.0"?>\n<tmx version="1.4"><header srclang="en"/><body>\n'
        b'<tu><tuv xml:lang="en"><seg>a</tuv></tu>'
    )
    r = client.put(f"/v1/memories/{memory}/tmx", content=broken)
    assert r.status_code == 422
    assert "line 3" in r.json()["error"]["message"]
    assert client.get(f"/v1/memories/{memory}").json()["entries"] == 0


def test_a_100_percent_match_comes_back_as_stored_without_a_model_call(
    client: httpx.Client, memory: str, model_stub: StubLLM
) -> None:
    source = f"Click <b>Save</b> to keep {word()} changes."
    stored = "Klicken Sie auf <b>Speichern</b>, um die Änderungen zu behalten."
    client.post(f"/v1/memories/{memory}/entries", json={"entries": [{"source": source, "target": stored}]})
    before = model_calls(model_stub)
    out = postedit(
        client, memory, source, "Klicken Sie <b>Speichern</b> um Änderungen.", mode="full", explain=True
    )
    assert out["status"] == "tm_exact" and out["output"] == stored
    assert model_calls(model_stub) == before
    assert any(step["step"] == "memory" for step in out["trace"])


def test_an_exact_match_that_breaks_todays_checks_is_not_returned_as_is(
    client: httpx.Client, memory: str
) -> None:
    source = f"Send {word()} 3 files."
    client.post(
        f"/v1/memories/{memory}/entries",
        json={"entries": [{"source": source, "target": "Senden Sie 4 Dateien."}]},
    )
    out = postedit(client, memory, source, "Senden Sie 3 Dateien.")
    assert out["status"] != "tm_exact" and out["output"].startswith("Senden Sie 3 Dateien")


def test_fuzzy_matches_are_shown_to_the_model(client: httpx.Client, memory: str, model_stub: StubLLM) -> None:
    tag = word()
    client.post(
        f"/v1/memories/{memory}/entries",
        json={
            "entries": [
                {
                    "source": f"Open the settings menu {tag}.",
                    "target": f"Öffnen Sie das Einstellungsmenü {tag}.",
                }
            ]
        },
    )
    before = model_calls(model_stub)
    out = postedit(
        client,
        memory,
        f"Open the settings dialog {tag}.",
        f"Öffne den Einstellungsdialog {tag}.",
        mode="full",
    )
    assert out["status"] == "edited"
    prompt = model_stub.requests[before]["messages"][-1]["content"]
    assert "Translation memory" in prompt and f"Öffnen Sie das Einstellungsmenü {tag}." in prompt


def test_an_accepted_playground_version_is_learned_and_serves_the_next_request(
    client: httpx.Client, memory: str, model_stub: StubLLM
) -> None:
    source = f"Restart the {word()} service."
    conv = client.post(
        "/v1/conversations",
        json={"source_lang": "en", "target_lang": "de", "source": source, "mt": "Starten Sie den Dienst neu.",
              "memory_id": memory, "mode": "full"},
    ).json()  # fmt: skip
    client.post(f"/v1/conversations/{conv['id']}/messages", json={})
    accepted = client.post(f"/v1/conversations/{conv['id']}/accept", json={}).json()
    version = accepted["turns"][accepted["accepted_turn"]]["result"]["output"]
    entries = client.get(f"/v1/memories/{memory}/entries").json()["items"]
    assert [(e["source"], e["target"], e["origin"]) for e in entries] == [(source, version, "accepted")]
    before = model_calls(model_stub)
    out = postedit(client, memory, source, "Starten Sie den Dienst neu.", mode="full")
    assert (out["status"], out["output"]) == ("tm_exact", version) and model_calls(model_stub) == before


def test_final_xliff_targets_are_learned_and_a_memory_can_refuse_to_learn(client: httpx.Client) -> None:
    learning, closed = new_memory(client), new_memory(client, learn=[])
    tag = word()
    xliff = (
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
        '<file original="ui" source-language="en" target-language="de" datatype="plaintext"><body>'
        f'<trans-unit id="1"><source>Approved {tag}</source>'
        f'<target state="final">Freigegeben {tag}</target></trans-unit>'
        f'<trans-unit id="2"><source>Draft {tag}</source>'
        f'<target state="translated">Entwurf {tag}</target></trans-unit>'
        "</body></file></xliff>"
    )
    for memory_id in (learning, closed):
        r = client.post(
            "/v1/xliff", files={"file": ("ui.xlf", xliff.encode())}, data={"memory_id": memory_id}
        )
        assert r.status_code == 200, r.text
    learned = client.get(f"/v1/memories/{learning}/entries").json()["items"]
    assert [(e["source"], e["target"], e["origin"]) for e in learned] == [
        (f"Approved {tag}", f"Freigegeben {tag}", "xliff_final")
    ]
    assert client.get(f"/v1/memories/{closed}/entries").json()["items"] == []


def test_memories_are_private_to_their_tenant(api: LiveServer, client: httpx.Client, memory: str) -> None:
    with api.client(KEY_B) as other:
        assert other.get(f"/v1/memories/{memory}").status_code == 404
        assert memory not in [m["id"] for m in other.get("/v1/memories").json()["items"]]
        r = other.post(
            "/v1/postedit",
            json={"source_lang": "en", "target_lang": "de", "memory_id": memory,
                  "segments": [{"id": "s", "source": "Hello", "mt": "Hallo"}]},
        )  # fmt: skip
        assert r.status_code == 404 and r.json()["error"]["code"] == "memory_not_found"


def test_lookup_and_a_memory_of_another_pair(client: httpx.Client, memory: str) -> None:
    client.post(
        f"/v1/memories/{memory}/entries",
        json={"entries": [{"source": "Print the report.", "target": "Drucken Sie den Bericht."}]},
    )
    found = client.get(f"/v1/memories/{memory}/lookup", params={"text": "Print the reports."}).json()[
        "matches"
    ]
    assert found[0]["entry"]["target"] == "Drucken Sie den Bericht." and 75 < found[0]["score"] < 100
    r = client.post(
        "/v1/postedit",
        json={"source_lang": "en", "target_lang": "fr", "memory_id": memory,
              "segments": [{"id": "s", "source": "Hello", "mt": "Bonjour"}]},
    )  # fmt: skip
    assert r.status_code == 422 and "en->de" in r.json()["error"]["message"]
    assert (
        client.post("/v1/memories", json={"id": memory, "source_lang": "en", "target_lang": "de"}).status_code
        == 409
    )


def test_an_unreachable_memory_database_is_a_503_and_plain_requests_still_work(model_config: Path) -> None:
    from tests.server.conftest import make_settings, running

    settings = make_settings(None, model_config, memory_url="postgresql://postedit@127.0.0.1:9/none")
    with running(settings) as live, live.client() as c:
        r = c.get("/v1/memories")
        assert r.status_code == 503 and r.headers["retry-after"]
        assert "translation memory" in r.json()["error"]["message"]
        plain = c.post(
            "/v1/postedit",
            json={
                "source_lang": "en",
                "target_lang": "de",
                "segments": [{"id": "s", "source": "Hi", "mt": "Hallo"}],
            },
        )
        assert plain.status_code == 200 and plain.json()["segments"][0]["status"] == "unchanged"
