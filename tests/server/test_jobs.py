"""Jobs on the Redis queue with real `postedit worker` subprocesses, including one killed mid-job, and
their callbacks to a real receiver on 127.0.0.1."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from server.jobs.store import JobOptions, JobStore
from server.kv import MemoryKV, RedisKV
from server.schemas import SegmentOut
from tests.server.conftest import KEY_B, LiveServer, make_settings, running
from tests.server.stub_answers import echo_handler
from tests.support.receiver import Delivery, Receiver
from tests.support.stub_llm import Reply, StubLLM, gateway_config_for
from tests.support.workers import env_for, worker_process

pytestmark = [pytest.mark.slow, pytest.mark.redis]

SECRET = "whsec-test-only"
ATTEMPTS, BACKOFF = 4, 0.2
# One job at a time, so a callback that held its job's slot would visibly hold up the next job.
CALLBACKS: dict[str, Any] = {
    "webhook_secret": SECRET,
    "webhook_attempts": ATTEMPTS,
    "webhook_backoff_seconds": BACKOFF,
    "webhook_timeout_seconds": 20.0,
    "worker_max_jobs": 1,
}


def wait_for(client: httpx.Client, job_id: str, timeout: float = 90) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = client.get(f"/v1/jobs/{job_id}").json()
        if info["state"] in {"done", "failed", "cancelled"}:
            return info
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish: {info}")


def jsonl(n: int, prefix: str = "row") -> bytes:
    rows = [
        {"id": f"{prefix}{i}", "source": f"Line {prefix} {i}", "mt": f"Zeile {prefix} {i}"} for i in range(n)
    ]
    return "\n".join(json.dumps(r) for r in rows).encode()


def callback_of(client: httpx.Client, job_id: str, timeout: float = 60) -> dict[str, Any]:
    """The job's callback state once it is no longer pending."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        callback: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()["callback"]
        if callback["state"] != "pending":
            return callback
        time.sleep(0.1)
    raise AssertionError(f"the callback of job {job_id} is still pending: {callback}")


def verified(delivery: Delivery) -> dict[str, Any]:
    """The callback's body, after checking its signature as an integrator would."""
    expected = "sha256=" + hmac.new(SECRET.encode(), delivery.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(delivery.headers["x-postedit-signature"], expected)
    body: dict[str, Any] = json.loads(delivery.body)
    return body


def post_job(client: httpx.Client, rows: bytes, **fields: str) -> dict[str, Any]:
    r = client.post(
        "/v1/jobs",
        files={"file": ("rows.jsonl", rows)},
        data={"source_lang": "en", "target_lang": "de", **fields},
    )
    assert r.status_code == 202, r.text
    job: dict[str, Any] = r.json()
    return job


@pytest.fixture(scope="module")
def job_api(redis_url: str, model_config: Path) -> Iterator[LiveServer]:
    with running(make_settings(redis_url, model_config, **CALLBACKS)) as live, worker_process(env_for(live)):
        yield live


def test_jsonl_job_runs_on_a_worker(job_api: LiveServer) -> None:
    with job_api.client() as c:
        r = c.post(
            "/v1/jobs",
            files={"file": ("rows.jsonl", jsonl(30))},
            data={"source_lang": "en", "target_lang": "de", "mode": "full"},
        )
        assert r.status_code == 202, r.text
        job = r.json()
        assert r.headers["location"] == f"/v1/jobs/{job['id']}" and job["total"] == 30
        info = wait_for(c, job["id"])
        assert info["state"] == "done" and info["done"] == 30 and info["failed"] == 0
        result = c.get(f"/v1/jobs/{job['id']}/result")
        rows = [json.loads(line) for line in result.text.splitlines()]
        assert [row["id"] for row in rows] == [f"row{i}" for i in range(30)]
        assert rows[3]["output"] == "Zeile row 3 ✓"


def test_xliff_job_returns_the_post_edited_file(job_api: LiveServer) -> None:
    data = (Path(__file__).parents[1] / "xliff" / "data" / "sample12.xlf").read_bytes()
    with job_api.client() as c:
        job = c.post("/v1/jobs", files={"file": ("s.xlf", data)}, data={"mode": "full"}).json()
        assert wait_for(c, job["id"])["state"] == "done"
        out = c.get(f"/v1/jobs/{job['id']}/result")
    assert out.headers["content-type"].startswith("application/xliff+xml")
    assert b'state="translated"' in out.content and b"sdl:locked" in out.content


def test_jobs_are_private_and_deletable(job_api: LiveServer) -> None:
    with job_api.client() as c, job_api.client(KEY_B) as other:
        job = c.post(
            "/v1/jobs",
            files={"file": ("r.jsonl", jsonl(2, "p"))},
            data={"source_lang": "en", "target_lang": "de"},
        ).json()
        assert other.get(f"/v1/jobs/{job['id']}").status_code == 404
        assert other.delete(f"/v1/jobs/{job['id']}").status_code == 404
        assert c.delete(f"/v1/jobs/{job['id']}").status_code == 204
        assert c.get(f"/v1/jobs/{job['id']}").status_code == 404


@pytest.mark.parametrize("store", ["memory", "redis"])
def test_a_worker_finishing_a_deleted_job_does_not_bring_it_back(
    store: str, redis_url: str, model_config: Path
) -> None:
    """The race a user hits by deleting a running job: the worker's later writes must not resurrect it."""
    settings = make_settings(redis_url if store == "redis" else None, model_config)

    async def scenario() -> tuple[bool, object, object, int]:
        kv = RedisKV.from_url(redis_url) if store == "redis" else MemoryKV()
        jobs = JobStore(kv, settings)
        options = JobOptions(source_lang="en", target_lang="de")
        record = await jobs.create("tenant-a", "jsonl", b"{}", "r.jsonl", options, 1)
        stale = record.model_copy()
        await jobs.delete(record)
        stale.state = "running"
        saved = await jobs.save(stale)
        await jobs.checkpoint(stale.id, SegmentOut(id="s1", output="x", status="unchanged"))
        await jobs.finish(stale, b"result")
        ttl = await kv.client.pttl(jobs.key(stale.id, "done")) if isinstance(kv, RedisKV) else 1
        found = (saved, await jobs.get(stale.id), await jobs.result(stale.id), ttl)
        await kv.close()
        return found

    saved, record_after, result_after, done_ttl = asyncio.run(scenario())
    assert saved is False and record_after is None and result_after is None
    assert done_ttl > 0  # the late checkpoint expires with the job instead of staying forever


@pytest.mark.parametrize(
    ("filename", "content", "fields", "status"),
    [
        ("bad.xlf", b"<xliff", {}, 400),
        ("bad.jsonl", b'{"id": 1, "source": "a"}\n{oops', {"source_lang": "en", "target_lang": "de"}, 400),
        ("ok.jsonl", b'{"id": 1, "source": "a"}', {}, 422),
        (
            "ok.jsonl",
            b'{"id": 1, "source": "a"}',
            {"source_lang": "en", "target_lang": "de", "glossary_id": "nope"},
            404,
        ),
    ],
)
def test_bad_job_uploads_are_refused_up_front(
    job_api: LiveServer, filename: str, content: bytes, fields: dict[str, str], status: int
) -> None:
    with job_api.client() as c:
        r = c.post("/v1/jobs", files={"file": (filename, content)}, data=fields)
    assert r.status_code == status and r.json()["error"]["message"]
    if filename == "bad.jsonl":
        assert r.json()["error"]["message"].startswith("invalid JSONL: line 2: invalid JSON")


def test_result_before_done_is_409(job_api: LiveServer) -> None:
    with job_api.client() as c:
        job = c.post(
            "/v1/jobs",
            files={"file": ("r.jsonl", jsonl(40, "q"))},
            data={"source_lang": "en", "target_lang": "de", "mode": "full"},
        ).json()
        r = c.get(f"/v1/jobs/{job['id']}/result")
        assert r.status_code in {200, 409}
        wait_for(c, job["id"])


def test_jobs_are_listed_newest_first_with_progress_to_their_tenant_only(job_api: LiveServer) -> None:
    with job_api.client() as c, job_api.client(KEY_B) as other:
        older = post_job(c, jsonl(3, "older"))
        newer = post_job(c, jsonl(2, "newer"), mode="full")
        for job in (older, newer):
            wait_for(c, job["id"])
        r = c.get("/v1/jobs")
        assert r.status_code == 200, r.text
        listed = {job["id"]: job for job in r.json()["items"]}
        ids = [job["id"] for job in r.json()["items"]]
        assert ids.index(newer["id"]) < ids.index(older["id"])
        assert (listed[older["id"]]["done"], listed[older["id"]]["total"]) == (3, 3)
        assert listed[newer["id"]]["state"] == "done" and listed[newer["id"]]["callback"] is None
        assert all(
            job["state"] == "done" for job in c.get("/v1/jobs", params={"state": "done"}).json()["items"]
        )
        assert c.get("/v1/jobs", params={"state": "queued"}).json()["items"] == []
        assert len(c.get("/v1/jobs", params={"limit": 1}).json()["items"]) == 1
        assert not {older["id"], newer["id"]} & {job["id"] for job in other.get("/v1/jobs").json()["items"]}
        assert c.delete(f"/v1/jobs/{older['id']}").status_code == 204
        assert older["id"] not in {job["id"] for job in c.get("/v1/jobs").json()["items"]}


def test_a_job_repeating_cached_segments_under_new_ids_returns_the_new_ids_in_order(
    job_api: LiveServer,
) -> None:
    def rows(*pairs: tuple[str, str]) -> bytes:
        return "\n".join(
            json.dumps({"id": i, "source": f"Row {t}", "mt": f"Zeile {t}"}) for i, t in pairs
        ).encode()

    with job_api.client() as c:
        first = post_job(c, rows(("r1-a", "alpha"), ("r1-b", "beta")), mode="full")
        wait_for(c, first["id"])
        second = post_job(c, rows(("r2-b", "beta"), ("r2-c", "gamma"), ("r2-a", "alpha")), mode="full")
        wait_for(c, second["id"])
        result = [json.loads(line) for line in c.get(f"/v1/jobs/{second['id']}/result").text.splitlines()]
    assert [(r["id"], r["cached"], r["output"]) for r in result] == [
        ("r2-b", True, "Zeile beta ✓"),
        ("r2-c", False, "Zeile gamma ✓"),
        ("r2-a", True, "Zeile alpha ✓"),
    ]


def test_a_finished_job_calls_back_once_signed_with_its_result_url(job_api: LiveServer) -> None:
    with Receiver() as hook, job_api.client() as c:
        job = post_job(c, jsonl(3, "cb"), callback_url=hook.url)
        assert job["callback"] == {
            "url": hook.url, "state": "pending", "attempts": 0, "last_status": None, "last_error": None
        }  # fmt: skip
        (delivery,) = hook.wait_for(1)
        body = verified(delivery)
        assert delivery.path == "/hooks/postedit" and delivery.headers["content-type"] == "application/json"
        assert delivery.headers["x-postedit-event"] == "job.done"
        assert {k: v for k, v in body.items() if k != "updated_at"} == {
            "event": "job.done", "id": job["id"], "state": "done", "total": 3, "done": 3, "failed": 0,
            "error": None, "result_url": f"{job_api.base_url}/v1/jobs/{job['id']}/result",
        }  # fmt: skip
        rows = c.get(body["result_url"]).text.splitlines()
        assert [json.loads(row)["id"] for row in rows] == ["cb0", "cb1", "cb2"]
        callback = callback_of(c, job["id"])
        assert (callback["state"], callback["attempts"], callback["last_status"]) == ("delivered", 1, 200)
    assert len(hook.deliveries) == 1


def test_a_failing_receiver_is_retried_with_growing_waits_until_it_answers(job_api: LiveServer) -> None:
    with Receiver(statuses=[500, 500]) as hook, job_api.client() as c:
        job = post_job(c, jsonl(2, "retry"), callback_url=hook.url)
        deliveries = hook.wait_for(3)
        callback = callback_of(c, job["id"])
    assert [d.answered for d in deliveries] == [500, 500, 200]
    assert all(verified(d)["id"] == job["id"] for d in deliveries)
    assert len({d.body for d in deliveries}) == 1  # the same bytes, under one delivery id
    assert len({d.headers["x-postedit-delivery"] for d in deliveries}) == 1
    first_wait, second_wait = (b.at - a.at for a, b in itertools.pairwise(deliveries))
    assert first_wait >= BACKOFF and second_wait >= 2 * BACKOFF  # the backoff, then doubled
    assert (callback["state"], callback["attempts"], callback["last_status"]) == ("delivered", 3, 200)


@pytest.mark.parametrize(
    ("statuses", "calls"),
    [([503] * 10, ATTEMPTS), ([410], 1)],
    ids=["5xx-until-the-attempts-run-out", "4xx-is-not-retried"],
)
def test_a_receiver_that_never_takes_it_is_given_up(
    job_api: LiveServer, statuses: list[int], calls: int
) -> None:
    with Receiver(statuses=statuses) as hook, job_api.client() as c:
        job = post_job(c, jsonl(1, f"give-up-{calls}"), callback_url=hook.url)
        callback = callback_of(c, job["id"])
        time.sleep(3 * BACKOFF)  # no late extra attempt
    assert (callback["state"], callback["attempts"], callback["last_status"]) == (
        "failed",
        calls,
        statuses[0],
    )
    assert callback["last_error"] == f"the receiver answered {statuses[0]}"
    assert len(hook.deliveries) == calls


def test_a_slow_receiver_never_holds_up_the_workers_next_job(job_api: LiveServer) -> None:
    gate = threading.Event()
    with Receiver(gate=gate) as hook, job_api.client() as c:
        first = post_job(c, jsonl(1, "slow-hook"), callback_url=hook.url)
        assert hook.arrived.wait(60), "the callback never arrived"
        second = post_job(c, jsonl(2, "next"))
        assert wait_for(c, second["id"], timeout=15)["state"] == "done"  # the worker runs one job at a time
        assert c.get(f"/v1/jobs/{first['id']}").json()["callback"]["state"] == "pending"
        gate.set()
        assert callback_of(c, first["id"])["state"] == "delivered"


@pytest.mark.parametrize(
    "url", ["ftp://example.com/hook", "file:///etc/passwd", "javascript:alert(1)", "/v1/hook", "not a url"]
)
def test_callback_urls_that_are_not_http_are_refused(job_api: LiveServer, url: str) -> None:
    with job_api.client() as c:
        before = len(c.get("/v1/jobs").json()["items"])
        r = c.post(
            "/v1/jobs",
            files={"file": ("r.jsonl", jsonl(1, "bad-hook"))},
            data={"source_lang": "en", "target_lang": "de", "callback_url": url},
        )
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_callback_url"
        assert "http://" in r.json()["error"]["message"]
        assert len(c.get("/v1/jobs").json()["items"]) == before  # nothing was queued


def test_without_redis_the_api_process_calls_back_and_without_a_secret_refuses(model_config: Path) -> None:
    with (
        running(make_settings(None, model_config, **CALLBACKS)) as live,
        Receiver() as hook,
        live.client() as c,
    ):
        job = post_job(c, jsonl(2, "local"), callback_url=hook.url)
        (delivery,) = hook.wait_for(1)
        assert verified(delivery)["id"] == job["id"]
    with running(make_settings(None, model_config)) as live, live.client() as c:
        r = c.post(
            "/v1/jobs",
            files={"file": ("r.jsonl", jsonl(1, "no-secret"))},
            data={"source_lang": "en", "target_lang": "de", "callback_url": "https://example.com/hook"},
        )
    assert r.status_code == 422 and "POSTEDIT_WEBHOOK_SECRET" in r.json()["error"]["message"]


def test_killed_worker_resumes_without_losing_or_repeating_segments(redis_url: str, tmp_path: Path) -> None:
    n = 120
    with StubLLM() as slow:
        slow.set_handler(lambda body: Reply(echo_handler()(body).content, delay=0.1))
        config = tmp_path / "slow.yaml"
        cfg = gateway_config_for(slow.base_url)
        cfg.pop("source", None)
        config.write_text(yaml.safe_dump(cfg))
        settings = make_settings(redis_url, config, concurrency=4, job_lease_seconds=1.5)
        with running(settings) as live, live.client() as c:
            job = c.post(
                "/v1/jobs",
                files={"file": ("big.jsonl", jsonl(n, "k"))},
                data={"source_lang": "en", "target_lang": "de", "mode": "full"},
            ).json()
            seen: list[int] = []
            with worker_process(env_for(live)) as first:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    seen.append(c.get(f"/v1/jobs/{job['id']}").json()["done"])
                    if seen[-1] >= 20:
                        break
                    time.sleep(0.1)
                first.send_signal(signal.SIGKILL)
                first.wait()
            at_kill = c.get(f"/v1/jobs/{job['id']}").json()
            assert 20 <= at_kill["done"] < n and at_kill["state"] == "running"
            with worker_process(env_for(live)):
                deadline = time.monotonic() + 90
                while time.monotonic() < deadline:
                    info = c.get(f"/v1/jobs/{job['id']}").json()
                    seen.append(info["done"])
                    if info["state"] == "done":
                        break
                    time.sleep(0.1)
            assert info["state"] == "done", info
            assert seen == sorted(seen), "the finished count went down"
            assert info["done"] == n and info["failed"] == 0
            rows = [json.loads(line) for line in c.get(f"/v1/jobs/{job['id']}/result").text.splitlines()]
        ids = [row["id"] for row in rows]
        assert ids == [f"k{i}" for i in range(n)]  # every segment, exactly once, in order
        assert all(row["output"].endswith("✓") for row in rows)
        # Segments finished before the kill were not sent to the model again.
        calls = [r for r in slow.requests if "<mt>" in r["messages"][-1]["content"]]
        assert len(calls) <= n + settings.concurrency
