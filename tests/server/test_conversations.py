"""/v1/conversations over real HTTP with the real agent and the stub model: turns, persistence, isolation."""

from __future__ import annotations

import json
import random
import string
from collections.abc import Iterator

import httpx
import pytest

from formats.xliff import parse_xliff
from tests.server.conftest import LiveServer
from tests.support.playground import KEY_B
from tests.support.playground_answers import ANSWER

SOURCE = "Save the settings in the Cloud Console."
MT = "Sichern Sie die Optionen in der Cloud-Konsole."


@pytest.fixture
def client(live: LiveServer) -> Iterator[httpx.Client]:
    """Tenant A on the playground's server (the stub answers follow-ups), not the server suite's `api`."""
    with live.client() as c:
        yield c


def unique(text: str) -> str:
    """A source the result cache has never seen (letters only: digits would trip the number check)."""
    return f"{text} {''.join(random.choices(string.ascii_lowercase, k=8))}"


def open_conversation(client: httpx.Client, glossary_id: str | None = None, **extra: object) -> dict:
    body = {"source_lang": "en", "target_lang": "de", "source": SOURCE, "mt": MT, **extra}
    if glossary_id:
        body["glossary_id"] = glossary_id
    r = client.post("/v1/conversations", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def sse(response: httpx.Response) -> list[tuple[str, dict]]:
    events, event = [], "message"
    for line in response.iter_lines():
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            events.append((event, json.loads(line[5:].strip())))
    return events


def test_first_message_post_edits_with_diff_terms_and_violations(
    client: httpx.Client, glossary_id: str
) -> None:
    conv = open_conversation(client, glossary_id, source=unique(SOURCE))
    assert [t["kind"] for t in conv["turns"]] == ["segment"]
    r = client.post(f"/v1/conversations/{conv['id']}/messages", json={})
    assert r.status_code == 200, r.text
    (turn,) = r.json()["turns"]
    result = turn["result"]
    assert turn["role"] == "agent" and result["output"].startswith("Speichern Sie die Einstellungen")
    assert {(e["before"], e["after"]) for e in result["edits"]} >= {
        ("Sichern", "Speichern"),
        ("Optionen", "Einstellungen"),
    }
    # The translated DNT term (Cloud-Konsole) is put back as "Cloud Console" by the term repair.
    assert result["status"] == "edited"
    assert not [v for v in result["violations"] if v["severity"] == "error"]
    assert result["output"].count("Cloud Console") == 1
    assert result["trace"][0]["step"] == "retrieve"
    terms = {t["source"]: t for t in turn["terms"]}
    assert terms["Save"]["target"] == "Speichern" and terms["Save"]["forbidden"] == ["Sichern"]
    save = terms["Save"]
    assert result["output"][save["target_start"] : save["target_end"]] == "Speichern"
    cloud = terms["Cloud Console"]
    assert (
        cloud["dnt"] is True
        and result["output"][cloud["target_start"] : cloud["target_end"]] == "Cloud Console"
    )


def test_stream_sends_steps_then_the_stored_turn(client: httpx.Client, glossary_id: str) -> None:
    conv = open_conversation(client, glossary_id, source=unique(SOURCE))
    with client.stream("POST", f"/v1/conversations/{conv['id']}/messages/stream", json={"message": ""}) as r:
        assert r.status_code == 200
        events = sse(r)
    names = [e for e, _ in events]
    assert names[-1] == "turn" and names.count("step") >= 3
    steps = [d for e, d in events if e == "step"]
    assert steps[0]["step"] == "retrieve" and steps[0]["data"]["terms"] and all("ms" in s for s in steps)
    stored = client.get(f"/v1/conversations/{conv['id']}").json()
    assert stored["turns"][-1] == events[-1][1]


@pytest.mark.parametrize(
    ("message", "kind", "expect_output", "expect_reply"),
    [
        ("Use the informal du.", "revision", "Speichern Sie deine Einstellungen", "Updated."),
        ("Why did you change Sichern?", "answer", "Speichern Sie Ihre Einstellungen", ANSWER),
    ],
)
def test_follow_ups_revise_or_answer_and_keep_the_checks(
    client: httpx.Client, glossary_id: str, message: str, kind: str, expect_output: str, expect_reply: str
) -> None:
    conv = open_conversation(
        client, glossary_id, source=unique("Save your settings"), mt="Sichern Sie Ihre Optionen"
    )
    client.post(f"/v1/conversations/{conv['id']}/messages", json={})
    r = client.post(f"/v1/conversations/{conv['id']}/messages", json={"message": message})
    assert r.status_code == 200, r.text
    user, agent = r.json()["turns"]
    assert (user["role"], user["text"]) == ("user", message)
    assert agent["kind"] == kind and agent["text"].startswith(expect_reply)
    assert agent["result"]["output"].startswith(expect_output)
    assert not any(v["severity"] == "error" for v in agent["result"]["violations"])
    assert {t["source"]: t["target_start"] for t in agent["terms"]}["Save"] == 0  # terms still located
    befores = {e["before"] for e in agent["result"]["edits"]}
    assert "Sichern" in befores or "Sichern Sie" in befores  # the diff is against the original MT
    assert len(client.get(f"/v1/conversations/{conv['id']}").json()["turns"]) == 4


def test_list_accept_and_export(client: httpx.Client) -> None:
    conv = open_conversation(
        client, source=unique('Click <g id="1">Save</g>'), mt='Klicken <g id="1">Sichern</g>'
    )
    client.post(f"/v1/conversations/{conv['id']}/messages", json={})
    listed = {c["id"]: c for c in client.get("/v1/conversations").json()["items"]}
    assert listed[conv["id"]]["turns"] == 2 and listed[conv["id"]]["accepted"] is False
    accepted = client.post(f"/v1/conversations/{conv['id']}/accept", json={}).json()
    assert accepted["accepted_turn"] == 1

    rows = client.get(f"/v1/conversations/{conv['id']}/export", params={"format": "jsonl"})
    assert rows.headers["content-type"].startswith("application/x-ndjson")
    (row,) = [json.loads(line) for line in rows.text.splitlines()]
    assert (
        row["id"] == conv["id"] and row["mt"] == 'Klicken <g id="1">Sichern</g>' and row["accepted"] is True
    )

    xlf = client.get(f"/v1/conversations/{conv['id']}/export", params={"format": "xliff"})
    doc = parse_xliff(xlf.content)
    (unit,) = doc.units
    assert unit.id == conv["id"] and '<g id="1">' in unit.source and unit.target == row["output"]
    assert b'state="final"' in xlf.content

    everything = client.get("/v1/conversations/export", params={"format": "jsonl"})
    assert conv["id"] in everything.text


def test_conversations_survive_a_server_restart_on_redis(live: LiveServer, client: httpx.Client) -> None:
    if live.settings.redis_url is None:
        pytest.skip("no Redis: the in-process store lives as long as the process")
    from tests.server.conftest import running

    conv = open_conversation(client, source=unique(SOURCE))
    client.post(f"/v1/conversations/{conv['id']}/messages", json={})
    with running(live.settings) as again, again.client() as c:
        turns = c.get(f"/v1/conversations/{conv['id']}").json()["turns"]
    assert [t["role"] for t in turns] == ["user", "agent"]


def test_another_tenant_sees_nothing(live: LiveServer, client: httpx.Client) -> None:
    conv = open_conversation(client, source=unique(SOURCE))
    with live.client(KEY_B) as other:
        for method, path, body in [
            ("GET", f"/v1/conversations/{conv['id']}", None),
            ("POST", f"/v1/conversations/{conv['id']}/messages", {"message": "hi"}),
            ("POST", f"/v1/conversations/{conv['id']}/messages/stream", {}),
            ("POST", f"/v1/conversations/{conv['id']}/accept", {}),
            ("GET", f"/v1/conversations/{conv['id']}/export?format=jsonl", None),
            ("DELETE", f"/v1/conversations/{conv['id']}", None),
        ]:
            r = other.request(method, path, json=body)
            assert r.status_code == 404, (method, path, r.text)
            assert r.json()["error"]["code"] == "conversation_not_found"
        assert conv["id"] not in {c["id"] for c in other.get("/v1/conversations").json()["items"]}
    assert client.get(f"/v1/conversations/{conv['id']}").status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"source_lang": "en", "target_lang": "xx", "source": "a"}, 422, "unsupported_language"),
        ({"source_lang": "en", "target_lang": "de", "source": "   "}, 422, "invalid_segment"),
        (
            {"source_lang": "en", "target_lang": "de", "source": "a", "glossary_id": "nope"},
            404,
            "glossary_not_found",
        ),
        ({"source_lang": "en", "target_lang": "de"}, 422, "invalid_request"),
    ],
)
def test_bad_conversations_are_refused_with_the_error_envelope(
    client: httpx.Client, body: dict, status: int, code: str
) -> None:
    r = client.post("/v1/conversations", json=body)
    assert r.status_code == status and r.json()["error"]["code"] == code


def test_an_empty_follow_up_and_a_missing_key_are_refused(live: LiveServer, client: httpx.Client) -> None:
    conv = open_conversation(client, source=unique(SOURCE))
    client.post(f"/v1/conversations/{conv['id']}/messages", json={})
    r = client.post(f"/v1/conversations/{conv['id']}/messages", json={"message": "  "})
    assert r.status_code == 422 and "empty" in r.json()["error"]["message"]
    with live.client(None) as anonymous:
        assert anonymous.get("/v1/conversations").status_code == 401


def test_the_routes_are_in_the_openapi_document(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/v1/conversations",
        "/v1/conversations/{conversation_id}/messages",
        "/v1/conversations/{conversation_id}/messages/stream",
        "/v1/conversations/{conversation_id}/export",
    ):
        assert path in paths  # fmt: skip
