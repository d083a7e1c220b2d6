"""API keys, tenants, limits and the glossary / style-guide resources over real HTTP."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import KEY_B, LiveServer, make_settings, running

CSV = b"source,target,status\nsettings,Einstellungen,preferred\nsettings,Optionen,forbidden\n"
STYLE = Path(__file__).parents[2] / "glossaries" / "examples" / "en-de" / "style.yaml"


def rid() -> str:
    return f"g-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer wrong"}, 401),
        ({"Authorization": "Basic abc"}, 401),
        ({"Authorization": "DeepL-Auth-Key wrong"}, 401),
    ],
)
def test_missing_or_wrong_key_is_401_with_json(api: LiveServer, headers: dict[str, str], status: int) -> None:
    with api.client(None) as c:
        r = c.get("/v1/glossaries", headers=headers)
    assert r.status_code == status
    assert r.json()["error"]["code"] == "unauthorized"


def test_deepl_style_header_is_accepted(api: LiveServer) -> None:
    with api.client(None) as c:
        r = c.get("/v1/glossaries", headers={"Authorization": "DeepL-Auth-Key key-a-secret"})
    assert r.status_code == 200


def test_glossary_lifecycle_and_versions(client: httpx.Client) -> None:
    gid = rid()
    r = client.put(
        f"/v1/glossaries/{gid}",
        params={"filename": "ui.csv", "source_lang": "en", "target_lang": "de"},
        content=CSV,
    )
    assert r.status_code == 200, r.text
    info = r.json()
    assert info["entries"] == 1 and len(info["version"]) == 64
    assert gid in [g["id"] for g in client.get("/v1/glossaries").json()["items"]]
    assert client.get(f"/v1/glossaries/{gid}").json()["version"] == info["version"]
    changed = client.put(
        f"/v1/glossaries/{gid}",
        params={"format": "csv", "source_lang": "en", "target_lang": "de"},
        content=CSV + b"file,Datei,preferred\n",
    ).json()
    assert changed["version"] != info["version"] and changed["entries"] == 2
    assert client.delete(f"/v1/glossaries/{gid}").status_code == 204
    assert client.get(f"/v1/glossaries/{gid}").status_code == 404


def test_multipart_upload_works_too(client: httpx.Client) -> None:
    gid = rid()
    r = client.put(
        f"/v1/glossaries/{gid}",
        files={"file": ("t.csv", CSV)},
        data={"source_lang": "en", "target_lang": "de"},
    )
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("content", "filename", "needle"),
    [
        (b"source,target\nsettings,\n", "bad.csv", "bad.csv:2"),
        (b"<martif><text><body><termEntry>", "bad.tbx", "bad.tbx"),
        (b"terms: [", "bad.yaml", "bad.yaml:"),
    ],
)
def test_invalid_glossary_is_422_with_file_and_line(
    client: httpx.Client, content: bytes, filename: str, needle: str
) -> None:
    r = client.put(
        f"/v1/glossaries/{rid()}",
        params={"filename": filename, "source_lang": "en", "target_lang": "de"},
        content=content,
    )
    assert r.status_code == 422
    assert needle in r.json()["error"]["message"]


def test_styleguide_lifecycle(client: httpx.Client) -> None:
    sid = rid()
    r = client.put(f"/v1/styleguides/{sid}", params={"filename": "style.yaml"}, content=STYLE.read_bytes())
    assert r.status_code == 200, r.text
    assert client.get(f"/v1/styleguides/{sid}").json()["version"] == r.json()["version"]
    bad = client.put(f"/v1/styleguides/{sid}", params={"filename": "s.yaml"}, content=b"formality: [")
    assert bad.status_code == 422 and "s.yaml:" in bad.json()["error"]["message"]


def test_other_tenants_resources_are_invisible(api: LiveServer, client: httpx.Client) -> None:
    gid = rid()
    client.put(
        f"/v1/glossaries/{gid}",
        params={"filename": "a.csv", "source_lang": "en", "target_lang": "de"},
        content=CSV,
    )
    with api.client(KEY_B) as other:
        assert other.get(f"/v1/glossaries/{gid}").status_code == 404
        assert other.delete(f"/v1/glossaries/{gid}").status_code == 404
        assert gid not in [g["id"] for g in other.get("/v1/glossaries").json()["items"]]
        seg = {
            "source_lang": "en",
            "target_lang": "de",
            "glossary_id": gid,
            "segments": [{"id": "1", "source": "a"}],
        }
        assert other.post("/v1/postedit", json=seg).status_code == 404
    assert client.get(f"/v1/glossaries/{gid}").status_code == 200


def test_glossary_change_invalidates_cached_results(client: httpx.Client) -> None:
    gid = rid()
    params = {"filename": "a.csv", "source_lang": "en", "target_lang": "de"}
    client.put(f"/v1/glossaries/{gid}", params=params, content=CSV)
    body = {
        "source_lang": "en",
        "target_lang": "de",
        "glossary_id": gid,
        "mode": "full",
        "segments": [
            {"id": "1", "source": f"Open the settings {gid[2:]}", "mt": "Öffnen Sie die Einstellungen"}
        ],
    }
    first = client.post("/v1/postedit", json=body).json()
    assert client.post("/v1/postedit", json=body).json()["segments"][0]["cached"] is True
    client.put(f"/v1/glossaries/{gid}", params=params, content=CSV + "open,öffnen,preferred\n".encode())
    after = client.post("/v1/postedit", json=body).json()
    assert after["segments"][0]["cached"] is False
    assert after["glossary_version"] != first["glossary_version"]


def test_glossary_language_pair_must_match(client: httpx.Client) -> None:
    gid = rid()
    client.put(
        f"/v1/glossaries/{gid}",
        params={"filename": "a.csv", "source_lang": "en", "target_lang": "de"},
        content=CSV,
    )
    body = {
        "source_lang": "en",
        "target_lang": "fr",
        "glossary_id": gid,
        "segments": [{"id": "1", "source": "a"}],
    }
    r = client.post("/v1/postedit", json=body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "language_mismatch"


def test_resources_are_listed_for_a_language_pair_regions_aside(client: httpx.Client) -> None:
    """What a request in that pair could use: the glossaries of the pair, style guides that cover it."""
    de, fr = rid(), rid()
    client.put(f"/v1/glossaries/{de}?source_lang=en&target_lang=de&filename=g.csv", content=CSV)
    client.put(f"/v1/glossaries/{fr}?source_lang=en&target_lang=fr&filename=g.csv", content=CSV)
    guide = rid()
    r = client.put(f"/v1/styleguides/{guide}?filename=s.yaml", content=STYLE.read_bytes())
    assert r.status_code == 200, r.text

    def listed(kind: str, src: str, tgt: str) -> set[str]:
        items = client.get(f"/v1/{kind}", params={"source_lang": src, "target_lang": tgt}).json()["items"]
        return {item["id"] for item in items}

    assert {de, fr} <= {item["id"] for item in client.get("/v1/glossaries").json()["items"]}
    assert de in listed("glossaries", "en-US", "de-AT") and fr not in listed("glossaries", "en-US", "de-AT")
    assert fr in listed("glossaries", "en", "fr") and de not in listed("glossaries", "en", "fr")
    assert guide in listed("styleguides", "en", "de") and guide not in listed("styleguides", "en", "fr")
    info = client.get(f"/v1/styleguides/{guide}").json()
    assert info["name"] == "ACME UI style guide, German"  # the guide's own name, for pickers
    r = client.get("/v1/glossaries", params={"target_lang": "de"})
    assert r.status_code == 422 and "source_lang and target_lang" in r.json()["error"]["message"]


def test_rate_limit_per_key_answers_429(redis_url: str, model_config: Path) -> None:
    with running(make_settings(redis_url, model_config, rate_limit_per_minute=3)) as live, live.client() as c:
        codes = [c.get("/v1/glossaries").status_code for _ in range(5)]
        last = c.get("/v1/glossaries")
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    assert last.json()["error"]["code"] == "rate_limited" and int(last.headers["retry-after"]) >= 1


def test_health_ready_and_metrics(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "model": True, "redis": True}
    client.post(
        "/v1/postedit",
        json={
            "source_lang": "en",
            "target_lang": "de",
            "segments": [{"id": "1", "source": "Hi", "mt": "Hallo"}],
        },
    )
    text = client.get("/metrics").text
    for name in (
        "postedit_http_requests_total",
        "postedit_http_request_seconds_bucket",
        "postedit_segments_total",
        "postedit_cache_hits_total",
        "postedit_model_tokens_total",
        "postedit_queue_depth",
    ):
        assert name in text


def test_without_redis_everything_runs_in_process(model_config: Path) -> None:
    with running(make_settings(None, model_config)) as live, live.client() as c:
        gid = rid()
        assert (
            c.put(
                f"/v1/glossaries/{gid}",
                params={"filename": "a.csv", "source_lang": "en", "target_lang": "de"},
                content=CSV,
            ).status_code
            == 200
        )
        assert c.get("/readyz").json()["redis"] is None
        r = c.post(
            "/v1/postedit",
            json={
                "source_lang": "en",
                "target_lang": "de",
                "glossary_id": gid,
                "segments": [{"id": "1", "source": "Hi", "mt": "Hallo"}],
            },
        )
        assert r.status_code == 200 and r.json()["segments"][0]["output"]
