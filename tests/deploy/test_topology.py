"""The local production layout (scripts/topology.py): Redis, 2 API processes behind nginx, 2 workers, the stub
model over HTTP. XLIFF jobs go in through nginx, a worker and an API process are killed mid-way, and every
segment of every job must still come back, once."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from formats.xliff import parse_xliff
from tests.server.stub_answers import echo_handler
from tests.support.stub_llm import Reply, StubLLM, gateway_config_for

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from topology import Topology

pytestmark = [pytest.mark.slow]

KEY = "topology-key"
UNITS, JOBS = 60, 4


def xliff(tag: str, n: int = UNITS) -> bytes:
    units = "".join(
        f'<trans-unit id="{tag}-{i}"><source>Line {tag} {i}</source><target>Zeile {tag} {i}</target></trans-unit>'
        for i in range(n)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
        f'<file original="{tag}.txt" source-language="en" target-language="de" datatype="plaintext">'
        f"<body>{units}</body></file></xliff>"
    ).encode()


def post_job(client: httpx.Client, tag: str) -> str:
    r = client.post(
        "/v1/jobs",
        files={"file": (f"{tag}.xlf", xliff(tag))},
        data={"source_lang": "en", "target_lang": "de", "mode": "full"},
    )
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def progress(client: httpx.Client, jobs: list[str]) -> list[dict[str, object]]:
    return [client.get(f"/v1/jobs/{job}").raise_for_status().json() for job in jobs]


@pytest.fixture
def topology(tmp_path: Path) -> Iterator[Topology]:
    with StubLLM() as stub:
        # 50 ms a segment: the jobs run for several seconds, long enough to kill processes in the middle.
        stub.set_handler(lambda body: Reply(echo_handler()(body).content, delay=0.05))
        config = tmp_path / "stub.yaml"
        cfg = gateway_config_for(stub.base_url, model="hosted_vllm/stub-model")
        cfg.pop("source", None)
        config.write_text(yaml.safe_dump(cfg))
        settings = {
            "POSTEDIT_JOB_LEASE_SECONDS": "1.5",
            "POSTEDIT_CONCURRENCY": "4",
            "POSTEDIT_RATE_LIMIT_PER_MINUTE": "0",
        }
        with Topology(
            tmp_path / "run", api=2, workers=2, model_config=config, api_keys=f"{KEY}:lsp", settings=settings
        ) as running:
            yield running


def test_every_segment_comes_back_after_a_worker_and_an_api_process_are_killed(topology: Topology) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=topology.url, headers=headers, timeout=30) as client:
        jobs = [post_job(client, f"job{j}") for j in range(JOBS)]
        deadline = time.monotonic() + 60
        while sum(int(str(p["done"])) for p in progress(client, jobs)) < UNITS // 2:
            assert time.monotonic() < deadline, progress(client, jobs)
            time.sleep(0.1)
        topology.kill("worker-1")
        topology.kill("api-1")
        at_kill = progress(client, jobs)
        assert sum(int(str(p["done"])) for p in at_kill) < JOBS * UNITS, "the kills came after the work"
        assert [p for p in at_kill if p["state"] in {"queued", "running"}], at_kill
        jobs.append(post_job(client, "after"))  # nginx sends it to the API process still alive

        deadline = time.monotonic() + 180
        states = progress(client, jobs)
        while not all(p["state"] == "done" for p in states):
            assert time.monotonic() < deadline, states
            assert not [p for p in states if p["state"] in {"failed", "cancelled"}], states
            time.sleep(0.2)
            states = progress(client, jobs)

        for job, tag in zip(jobs, [f"job{j}" for j in range(JOBS)] + ["after"], strict=True):
            result = client.get(f"/v1/jobs/{job}/result")
            assert result.status_code == 200, result.text
            units = parse_xliff(result.content).units
            assert [u.id for u in units] == [f"{tag}-{i}" for i in range(UNITS)]  # all, once, in order
            assert all(u.target and u.target.endswith("✓") for u in units), tag
    assert topology.processes["worker-1"].returncode is not None
    assert topology.processes["api-1"].returncode is not None
    assert topology.processes["worker-2"].poll() is None and topology.processes["api-2"].poll() is None
