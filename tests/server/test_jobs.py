"""Jobs on the Redis queue with real `postedit worker` subprocesses, including one killed mid-job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml

from tests.server.conftest import KEY_B, LiveServer, make_settings, running
from tests.server.stub_answers import echo_handler
from tests.support.stub_llm import Reply, StubLLM, gateway_config_for

pytestmark = [pytest.mark.slow, pytest.mark.redis]

WORKER = "from server.commands import worker; worker(log_level='WARNING')"


@contextmanager
def worker_process(settings_env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, **settings_env}
    proc = subprocess.Popen([sys.executable, "-c", WORKER], env=env, cwd=Path(__file__).parents[2])
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def env_for(live: LiveServer) -> dict[str, str]:
    s = live.settings
    return {
        "POSTEDIT_REDIS_URL": s.redis_url or "",
        "POSTEDIT_REDIS_PREFIX": s.redis_prefix,
        "POSTEDIT_MODEL_CONFIG_PATH": str(s.model_config_path),
        "POSTEDIT_API_KEYS": s.api_keys,
        "POSTEDIT_JOB_LEASE_SECONDS": str(s.job_lease_seconds),
        "POSTEDIT_CONCURRENCY": str(s.concurrency),
        "POSTEDIT_EMBEDDED_AUTOSTART": "false",
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


@pytest.fixture(scope="module")
def job_api(redis_url: str, model_config: Path) -> Iterator[LiveServer]:
    with running(make_settings(redis_url, model_config)) as live, worker_process(env_for(live)):
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
