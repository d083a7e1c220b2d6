"""A Redis outage, staged: a private redis-server with AOF, killed for a while during a job and under load.

Shared by `tests/reliability/test_redis_outage.py` and `bench/bench_redis_outage.py`. Everything runs on
127.0.0.1; the only processes stopped are the ones started here, by their PID; every loop has a deadline.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis
import yaml

from tests.server.conftest import LiveServer, make_settings, running
from tests.server.stub_answers import echo_handler
from tests.support.ports import free_port
from tests.support.stub_llm import Reply, StubLLM, gateway_config_for
from tests.support.workers import env_for, worker_process

__all__ = ["OutageFigures", "OwnRedis", "run_outage"]


class OwnRedis:
    """redis-server on a free port, persisted as production should run it (AOF, fsync every second)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "redis-server"
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.workdir)]
        args += ["--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--protected-mode", "no"]
        self.proc = subprocess.Popen([binary, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("own redis-server did not start")

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would: no shutdown save, only what the AOF already holds."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    @contextmanager
    def running(self) -> Iterator[OwnRedis]:
        self.start()
        try:
            yield self
        finally:
            self.kill()


@dataclass
class OutageFigures:
    segments: int
    outage_seconds: float = 0.0
    job_state: str = ""
    result_ids: list[str] = field(default_factory=list)
    worker_alive: bool = False
    statuses: Counter[int] = field(default_factory=Counter)  # every request sent during the outage
    by_route: dict[str, Counter[int]] = field(default_factory=dict)
    transport_errors: int = 0
    retry_after_missing: int = 0
    ready_after: int = 0
    fail_open: float = 0.0  # postedit_rate_limit_fail_open_total after the outage
    job_seconds: float = 0.0

    @property
    def lost(self) -> int:
        expected = {f"r{i}" for i in range(self.segments)}
        return len(expected - set(self.result_ids))

    @property
    def duplicated(self) -> int:
        return len(self.result_ids) - len(set(self.result_ids))

    @property
    def ready_during(self) -> set[int]:
        """The statuses `/readyz` gave while Redis was down."""
        return set(self.by_route.get("readyz", Counter()))

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500 and status != 503)


def _rows(n: int) -> bytes:
    rows = [
        {"id": f"r{i}", "source": f"Line number {i} of the job.", "mt": f"Zeile {i} des Auftrags."}
        for i in range(n)
    ]
    return "\n".join(json.dumps(r) for r in rows).encode()


def _segments(i: int) -> dict[str, Any]:
    return {
        "source_lang": "en",
        "target_lang": "de",
        "mode": "full",
        "segments": [{"id": f"s{i}", "source": f"Open file {i} now.", "mt": f"Öffnen Sie jetzt Datei {i}."}],
    }


def _metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


class _Load:
    """Requests of a CAT tool (and an operator's probes) on keep-alive connections, recorded per route."""

    def __init__(self, live: LiveServer, job_id: str, figures: OutageFigures) -> None:
        self.live, self.job_id, self.figures = live, job_id, figures
        self.recording = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _record(self, route: str, response: httpx.Response) -> None:
        if not self.recording.is_set():
            return
        self.figures.statuses[response.status_code] += 1
        self.figures.by_route.setdefault(route, Counter())[response.status_code] += 1
        if response.status_code == 503 and "retry-after" not in response.headers and route != "readyz":
            self.figures.retry_after_missing += 1

    def _run(self) -> None:
        calls = {
            "postedit": lambda c, i: c.post("/v1/postedit", json=_segments(i)),
            "job": lambda c, i: c.get(f"/v1/jobs/{self.job_id}"),
            "glossary": lambda c, i: c.get("/v1/glossaries/none-such"),
            "readyz": lambda c, i: c.get("/readyz"),
        }
        deadline = time.monotonic() + 120
        with self.live.client() as c:
            i = 0
            while not self.stop.is_set() and time.monotonic() < deadline:
                for route, call in calls.items():
                    try:
                        self._record(route, call(c, i))
                    except httpx.TransportError:
                        if self.recording.is_set():
                            self.figures.transport_errors += 1
                i += 1
                time.sleep(0.05)

    def __enter__(self) -> _Load:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


def _wait(client: httpx.Client, job_id: str, until: float, done_at_least: int) -> dict[str, Any]:
    info: dict[str, Any] = {}
    while time.monotonic() < until:
        r = client.get(f"/v1/jobs/{job_id}")
        if r.status_code == 200:
            info = r.json()
            if info["state"] in {"done", "failed", "cancelled"} or info["done"] >= done_at_least:
                return info
        time.sleep(0.1)
    return info


def run_outage(
    workdir: Path, *, segments: int = 300, outage: float = 10.0, delay: float = 0.05
) -> OutageFigures:
    """Start Redis, an API and a worker; post a job; kill Redis for `outage` seconds once the job is under
    way and while `/v1/postedit` traffic flows; restart Redis and wait (bounded) for the job to finish."""
    figures = OutageFigures(segments)
    store = OwnRedis(workdir)
    with StubLLM() as stub, store.running():
        stub.set_handler(lambda body: Reply(echo_handler()(body).content, delay=delay))
        config = workdir / "stub.yaml"
        cfg = gateway_config_for(stub.base_url)
        cfg.pop("source", None)
        config.write_text(yaml.safe_dump(cfg))
        settings = make_settings(
            store.url, config, concurrency=4, job_lease_seconds=2.0, rate_limit_per_minute=100_000
        )
        with running(settings) as live, live.client() as c, worker_process(env_for(live)) as worker:
            started = time.monotonic()
            r = c.post(
                "/v1/jobs",
                files={"file": ("rows.jsonl", _rows(segments))},
                data={"source_lang": "en", "target_lang": "de", "mode": "full"},
            )
            r.raise_for_status()
            job_id = r.json()["id"]
            _wait(c, job_id, time.monotonic() + 60, done_at_least=min(40, segments // 4))
            with _Load(live, job_id, figures) as load:
                time.sleep(0.5)
                store.kill()
                load.recording.set()
                down = time.monotonic()
                time.sleep(outage)
                load.recording.clear()
                figures.outage_seconds = time.monotonic() - down
                store.start()  # the same --dir: the AOF is replayed
            info = _wait(c, job_id, time.monotonic() + 90, done_at_least=segments + 1)
            figures.job_seconds = time.monotonic() - started
            figures.job_state = info.get("state", "")
            figures.worker_alive = worker.poll() is None
            figures.ready_after = c.get("/readyz").status_code
            figures.fail_open = _metric(c.get("/metrics").text, "postedit_rate_limit_fail_open_total")
            if figures.job_state == "done":
                result = c.get(f"/v1/jobs/{job_id}/result").text
                figures.result_ids = [json.loads(line)["id"] for line in result.splitlines() if line.strip()]
    return figures
