"""The DeepL wire format (as DeepL's own clients send it) and POST /v1/xliff over real HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from lxml import etree

from formats.xliff import parse_xliff
from tests.server.conftest import KEY_B, LiveServer, make_settings, running

DATA = Path(__file__).parents[1] / "xliff" / "data"
DEEPL_AUTH = {"Authorization": "DeepL-Auth-Key key-a-secret"}


@pytest.fixture
def deepl(api: LiveServer) -> httpx.Client:
    return httpx.Client(base_url=api.base_url, headers=DEEPL_AUTH, timeout=60)


def test_translate_as_a_form_with_repeated_text(deepl: httpx.Client) -> None:
    r = deepl.post(
        "/v2/translate",
        data={"text": ["Hello world", "Save the file"], "target_lang": "DE", "source_lang": "EN"},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "translations": [
            {"detected_source_language": "EN", "text": "Helloen worlden"},
            {"detected_source_language": "EN", "text": "Saveen theen fileen"},
        ]
    }


def test_translate_as_json_with_tags_formality_and_context(deepl: httpx.Client) -> None:
    body = {
        "text": ["Click <b>Save</b>"],
        "target_lang": "DE",
        "formality": "more",
        "tag_handling": "xml",
        "context": "A button in a dialog",
    }
    r = deepl.post("/v2/translate", json=body)
    assert r.status_code == 200, r.text
    (only,) = r.json()["translations"]
    assert only == {"detected_source_language": "EN", "text": "Clicken <b>Saveen</b>"}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"target_lang": "DE"}, 400),
        ({"text": ["a"]}, 400),
        ({"text": ["a"], "target_lang": "XX"}, 400),
        ({"text": ["a"], "target_lang": "DE", "formality": "very"}, 400),
        ({"text": ["a"], "target_lang": "DE", "glossary_id": "missing"}, 404),
    ],
)
def test_translate_errors_carry_deepls_message_field(
    deepl: httpx.Client, body: dict[str, object], status: int
) -> None:
    r = deepl.post("/v2/translate", json=body)
    assert r.status_code == status
    assert r.json()["message"] and r.json()["error"]["message"]


def test_bad_deepl_key_is_403_like_deepl(api: LiveServer) -> None:
    r = httpx.post(
        f"{api.base_url}/v2/translate",
        data={"text": "a", "target_lang": "DE"},
        headers={"Authorization": "DeepL-Auth-Key nope"},
    )
    assert r.status_code == 403 and "message" in r.json()


def test_languages_and_glossaries_have_deepls_shapes(deepl: httpx.Client) -> None:
    source = deepl.get("/v2/languages").json()
    assert {"language": "DE", "name": "German"} in source
    target = deepl.get("/v2/languages", params={"type": "target"}).json()
    assert {"language": "DE", "name": "German", "supports_formality": True} in target
    assert any(lang["language"] == "EN-US" for lang in target)
    deepl.put(
        "/v1/glossaries/deepl-g",
        params={"filename": "g.csv", "source_lang": "en", "target_lang": "de"},
        content=b"source,target\nfile,Datei\n",
    )
    listed = deepl.get("/v2/glossaries").json()["glossaries"]
    g = next(x for x in listed if x["glossary_id"] == "deepl-g")
    assert set(g) == {
        "glossary_id",
        "name",
        "ready",
        "source_lang",
        "target_lang",
        "creation_time",
        "entry_count",
    }
    assert (g["source_lang"], g["target_lang"], g["entry_count"], g["ready"]) == ("en", "de", 1, True)


@pytest.mark.parametrize("name", ["sample12.xlf", "sample20.xlf"])
def test_xliff_upload_returns_the_file_post_edited(client: httpx.Client, name: str) -> None:
    data = (DATA / name).read_bytes()
    r = client.post("/v1/xliff", files={"file": (name, data)}, data={"mode": "full"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xliff+xml")
    before, after = parse_xliff(data), parse_xliff(r.content)
    for old, new in zip(before.units, after.units, strict=True):
        assert new.source == old.source
        if not old.editable:
            assert new.target == old.target
        else:
            assert new.target and ("✓" in new.target or (old.target is None and new.target != old.source))
    states = [el.get("state") for el in etree.fromstring(r.content).iter("{*}target", "{*}segment")]
    assert "translated" in states


@pytest.mark.parametrize(
    "payload",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><xliff>&b;</xliff>',
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xliff>&e;</xliff>',
        b"<xliff version='1.2'><file>",
        b"not xml at all",
    ],
)
def test_unsafe_or_broken_xliff_is_400(client: httpx.Client, payload: bytes) -> None:
    r = client.post("/v1/xliff", files={"file": ("x.xlf", payload)})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_xliff"


def test_large_xliff_is_sent_to_jobs(client: httpx.Client) -> None:
    units = "".join(f'<trans-unit id="{i}"><source>Unit {i}</source></trans-unit>' for i in range(60))
    data = (
        f'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="en" '
        f'target-language="de"><body>{units}</body></file></xliff>'
    ).encode()
    r = client.post("/v1/xliff", files={"file": ("big.xlf", data)})
    assert r.status_code == 413 and "/v1/jobs" in r.json()["error"]["message"]


def test_glossary_created_the_deepl_way_is_listed_read_used_and_deleted(
    api: LiveServer, deepl: httpx.Client
) -> None:
    """What DeepL's client libraries send (a form, header-less TSV), answered in DeepL's shapes."""
    entries = "Save\tSpeichern\nfile\tDatei\nA|B\tC|D\n"
    r = deepl.post(
        "/v2/glossaries",
        data={"name": "UI terms", "source_lang": "EN", "target_lang": "DE", "entries_format": "tsv",
              "entries": entries},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    created = r.json()
    assert (created["name"], created["source_lang"], created["target_lang"]) == ("UI terms", "en", "de")
    assert created["entry_count"] == 3 and created["ready"] is True
    gid = created["glossary_id"]
    assert deepl.get(f"/v2/glossaries/{gid}").json() == created
    assert created in deepl.get("/v2/glossaries").json()["glossaries"]

    listed = deepl.get(f"/v2/glossaries/{gid}/entries")
    assert listed.headers["content-type"].startswith("text/tab-separated-values")
    assert listed.text == entries  # a `|` is text, not a variant separator

    with api.client() as v1:  # the same glossary serves /v1 requests: the MT misses "Datei"
        body = {
            "source_lang": "en",
            "target_lang": "de",
            "glossary_id": gid,
            "segments": [{"id": "1", "source": "Open the file.", "mt": "Öffnen Sie das Dokument."}],
        }
        seg = v1.post("/v1/postedit", json=body).json()["segments"][0]
        assert "term-missing" in {v["code"] for v in seg["violations"]} or "Datei" in seg["output"]

    other = httpx.Client(base_url=api.base_url, headers={"Authorization": "DeepL-Auth-Key key-b-secret"})
    assert other.get(f"/v2/glossaries/{gid}").status_code == 404
    assert other.delete(f"/v2/glossaries/{gid}").status_code == 404

    assert deepl.delete(f"/v2/glossaries/{gid}").status_code == 204
    gone = deepl.get(f"/v2/glossaries/{gid}")
    assert gone.status_code == 404 and gone.json()["message"] == "Glossary not found."
    assert gid not in [g["glossary_id"] for g in deepl.get("/v2/glossaries").json()["glossaries"]]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"source_lang": "en", "target_lang": "de", "entries": "a\tb"}, "'name'"),
        ({"name": "g", "source_lang": "en", "target_lang": "xx", "entries": "a\tb"}, "'target_lang'"),
        ({"name": "g", "source_lang": "en", "target_lang": "de", "entries": "a\tb\na\tc"}, "entries:2"),
        ({"name": "g", "source_lang": "en", "target_lang": "de", "entries": "a,b"}, "entries:1"),
        ({"name": "g", "source_lang": "en", "target_lang": "de", "entries": "a\t"}, "entries:1"),
        ({"name": "g", "source_lang": "en", "target_lang": "de", "entries": "a\tb", "entries_format": "x"},
         "'entries_format'"),
    ],
)  # fmt: skip
def test_bad_deepl_glossary_is_400_naming_the_line(
    deepl: httpx.Client, body: dict[str, str], expected: str
) -> None:
    r = deepl.post("/v2/glossaries", json=body)
    assert r.status_code == 400
    assert expected in r.json()["message"]


def test_csv_entries_and_language_pairs(deepl: httpx.Client) -> None:
    body = {"name": "csv", "source_lang": "en", "target_lang": "fr", "entries_format": "csv",
            "entries": 'file,fichier\n"Save, then close","Enregistrer, puis fermer"\n'}  # fmt: skip
    created = deepl.post("/v2/glossaries", json=body).json()
    assert created["entry_count"] == 2
    tsv = deepl.get(f"/v2/glossaries/{created['glossary_id']}/entries").text
    assert tsv == "file\tfichier\nSave, then close\tEnregistrer, puis fermer\n"
    pairs = deepl.get("/v2/glossary-language-pairs").json()["supported_languages"]
    assert {"source_lang": "en", "target_lang": "de"} in pairs
    assert {"source_lang": "en", "target_lang": "en"} not in pairs


@pytest.mark.parametrize("store", ["redis", "in-process"])
def test_usage_counts_each_tenants_characters_and_answers_456_past_the_limit(
    store: str, redis_url: str, model_config: Path
) -> None:
    settings = make_settings(redis_url if store == "redis" else None, model_config, deepl_character_limit=20)
    with running(settings) as live:
        a = httpx.Client(base_url=live.base_url, headers=DEEPL_AUTH, timeout=60)
        b = httpx.Client(base_url=live.base_url, headers={"Authorization": f"DeepL-Auth-Key {KEY_B}"})
        assert a.get("/v2/usage").json() == {"character_count": 0, "character_limit": 20}
        ok = a.post("/v2/translate", data={"text": ["Hello world", "Save"], "target_lang": "DE"})
        assert ok.status_code == 200
        assert a.get("/v2/usage").json()["character_count"] == 15
        over = a.post("/v2/translate", data={"text": "Close the window", "target_lang": "DE"})
        assert over.status_code == 456 and "Quota exceeded" in over.json()["message"]
        assert a.get("/v2/usage").json()["character_count"] == 15  # a refused request costs nothing
        assert b.get("/v2/usage").json() == {"character_count": 0, "character_limit": 20}


def test_a_second_xliff_with_the_same_text_under_other_ids_is_post_edited_too(client: httpx.Client) -> None:
    def xliff(ids: tuple[str, str]) -> bytes:
        units = "".join(
            f'<trans-unit id="{i}"><source>Click Save.</source><target>Klicken Sie auf Sichern.</target></trans-unit>'
            for i in ids
        )
        return (
            f'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="en" '
            f'target-language="de" datatype="plaintext" original="ui"><body>{units}</body></file></xliff>'
        ).encode()

    glossary = "en,de\nSave,Speichern\n"
    r = client.put("/v1/glossaries/ui-cache?source_lang=en&target_lang=de&filename=g.csv", content=glossary)
    assert r.status_code in (200, 201), r.text
    for ids in (("a1", "a2"), ("b1", "b2")):  # the second file is served from the result cache
        r = client.post("/v1/xliff", files={"file": ("ui.xlf", xliff(ids))}, data={"glossary_id": "ui-cache"})
        assert r.status_code == 200, r.text
        targets = [t.text for t in etree.fromstring(r.content).iter("{*}target")]
        assert targets == ["Klicken Sie auf Speichern.", "Klicken Sie auf Speichern."], ids


@pytest.mark.parametrize(
    ("original", "form", "fixed"),
    [
        ("helpcontent2/source/text/shared/main.xhp", {}, True),  # an OpenOffice file: `[file]` is a variable
        ("ui", {}, False),  # nothing says so: `[file]` may be prose
        ("ui", {"placeholders": "openoffice"}, True),  # the request says so
    ],
)
def test_the_file_type_or_the_request_picks_the_placeholder_profiles(
    client: httpx.Client, original: str, form: dict[str, str], fixed: bool
) -> None:
    source = "Save [file] to disk"
    data = (
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="en" '
        f'target-language="de" datatype="plaintext" original="{original}"><body><trans-unit id="1">'
        f"<source>{source}</source><target>Speichern Sie [Datei] auf der Festplatte</target>"
        "</trans-unit></body></file></xliff>"
    ).encode()
    r = client.post("/v1/xliff", files={"file": ("f.xlf", data)}, data=form)
    assert r.status_code == 200, r.text
    target = next(etree.fromstring(r.content).iter("{*}target")).text
    assert ("[file]" in str(target)) is fixed


def test_an_unknown_placeholder_profile_for_a_file_is_a_422(client: httpx.Client) -> None:
    data = (
        b'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="en" '
        b'target-language="de" datatype="plaintext" original="x"><body/></file></xliff>'
    )
    r = client.post("/v1/xliff", files={"file": ("f.xlf", data)}, data={"placeholders": "klingon"})
    assert r.status_code == 422 and "mozilla" in r.json()["error"]["message"]
