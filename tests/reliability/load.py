"""One tenant's worst load against a server in its own process, while /healthz is timed from outside.

Shared by `test_redos.py` and `bench/bench_reliability.py`. Everything is on 127.0.0.1, every loop is
bounded, and only the server process started here is stopped.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis

from tests.reliability.cases import evil_styleguide, xliff_with_units
from tests.support.ports import free_port

__all__ = ["EVIL_TEXT", "LoadReport", "drop_keys", "redos_and_upload", "server_process"]

ROOT = Path(__file__).resolve().parents[2]
KEY = "reliability-key"
EVIL_TEXT = "a" * 30  # `^(a+)+$` takes 2^n steps on a backtracking engine: 30 is ~10 s with `re`
UPLOAD_BYTES = 45_000_000  # just under the default 50 MB upload limit


@contextmanager
def server_process(redis_url: str, model_config: Path, workdir: Path) -> Iterator[str]:
    """`uvicorn server.main:create_app` in a child process; yields its base URL and stops only that child."""
    port = free_port()
    prefix = f"test-reliability-{uuid.uuid4().hex[:8]}:"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "POSTEDIT_REDIS_URL": redis_url,
        "POSTEDIT_REDIS_PREFIX": prefix,
        "POSTEDIT_API_KEYS": f"{KEY}:tenant-load",
        "POSTEDIT_MODEL_CONFIG_PATH": str(model_config),
        "POSTEDIT_EMBEDDED_AUTOSTART": "false",
        "POSTEDIT_RATE_LIMIT_PER_MINUTE": "0",
    }
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "server.main:create_app"]
    child = subprocess.Popen(
        [*cmd, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=workdir,  # no stray .env
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, child)
        yield base_url
    finally:
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout=5)
        drop_keys(redis_url, prefix)


def _wait_ready(base_url: str, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"the server exited with {child.returncode}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not answer /healthz within 60 s")


def drop_keys(redis_url: str, prefix: str) -> None:
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{prefix}*", count=1000))
    for i in range(0, len(keys), 500):
        client.delete(*keys[i : i + 500])
    client.close()


@dataclass
class LoadReport:
    """What the attacking tenant got, and how /healthz fared meanwhile."""

    healthz_ms: list[float] = field(default_factory=list)
    healthz_failures: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def p99_ms(self) -> float:
        return statistics.quantiles(self.healthz_ms, n=100)[98] if len(self.healthz_ms) > 1 else float("inf")


def _warm_up(client: httpx.Client) -> None:
    """One ordinary batch first: a fresh process's first model round trip and first German segment hold
    the loop for about a second (the gateway and the dictionaries load), whatever the tenant sends."""
    segments = [{"id": "warm", "source": "Save the settings.", "mt": EVIL_TEXT}]
    client.post("/v1/postedit", json={"source_lang": "en", "target_lang": "de", "segments": segments})


def _segments(turn: int) -> list[dict[str, str]]:
    """Segments whose MT the style rule must scan; new sources each round, so no cached result answers."""
    return [{"id": str(i), "source": f"Save settings {turn}-{i}.", "mt": EVIL_TEXT} for i in range(20)]


def _attacks() -> list[tuple[str, Callable[[httpx.Client, int], httpx.Response]]]:
    big = xliff_with_units(UPLOAD_BYTES // 95)
    guide = "/v1/styleguides/evil?filename=evil.yaml"
    return [
        ("refused worse regex", lambda c, r: c.put("/v1/styleguides/worse?filename=w.yaml",
                                                   content=evil_styleguide("(a|aa)+$"))),
        ("style guide ^(a+)+$", lambda c, r: c.put(guide, content=evil_styleguide())),
        ("postedit with ^(a+)+$", lambda c, r: c.post("/v1/postedit", json={
            "source_lang": "en", "target_lang": "de", "styleguide_id": "evil", "segments": _segments(r)})),
        ("45 MB XLIFF on /v1/xliff", lambda c, r: c.post("/v1/xliff", files={"file": ("big.xlf", big)})),
        ("45 MB XLIFF on /v1/jobs", lambda c, r: c.post("/v1/jobs", files={"file": ("big.xlf", big)})),
    ]  # fmt: skip


def redos_and_upload(base_url: str, *, rounds: int = 2) -> LoadReport:
    """Send the attacks `rounds` times in a row (the style guide first) while a probe process times
    /healthz; stops by itself when the attacks are done."""
    report = LoadReport()
    attacks = _attacks()
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=120) as client:
        _warm_up(client)
        probe = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.probe", base_url],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        try:
            time.sleep(0.5)  # the probe's first calls: the idle baseline
            for turn in range(rounds):
                for name, send in attacks:
                    report.statuses[name] = send(client, turn).status_code
        finally:
            out, _ = probe.communicate(timeout=60)  # closes its stdin: it stops and prints
    latencies = json.loads(out)
    report.healthz_ms = [ms for ms in latencies if ms is not None]
    report.healthz_failures = len(latencies) - len(report.healthz_ms)
    return report
