"""A short soak: thousands of distinct segments through one server process, with no error and a bounded RSS.

A leak (a cache without a bound, a task or a connection per request that is never released) shows as memory
that grows with every batch; a long-running API process would grow until the kernel kills it.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.reliability.load import KEY, server_process

WARM_UP, SEGMENTS, BATCH = 300, 2_400, 60
RSS_GROWTH_LIMIT_MB = 20  # after the warm-up (measured: about 1 MB); the result cache lives in Redis


def _pid_serving(base_url: str) -> int:
    """The server child's PID, by the port on its command line (only that process is ever looked at)."""
    port = base_url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"uvicorn" in b" ".join(args) and port.encode() in args:
            return int(proc.name)
    raise AssertionError(f"no server process on port {port}")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _batch(client: httpx.Client, start: int) -> int:
    tag = uuid.uuid4().hex[:8]
    segments = [
        {
            "id": f"s{i}",
            "source": f"Save file number {i} now {tag}",
            "mt": f"Datei Nummer {i} jetzt speichern {tag}",
        }
        for i in range(start, start + BATCH)
    ]
    body = {"source_lang": "en", "target_lang": "de", "mode": "minimal", "segments": segments}
    r = client.post("/v1/postedit", json=body, headers={"Authorization": f"Bearer {KEY}"})
    assert r.status_code == 200, r.text[:300]
    out = r.json()["segments"]
    assert [s["id"] for s in out] == [s["id"] for s in segments]
    assert all(s["status"] != "error" for s in out)
    return len(out)


@pytest.mark.slow
def test_thousands_of_segments_leave_no_error_and_a_bounded_rss(
    redis_url: str, model_config: Path, tmp_path: Path
) -> None:
    deadline = time.monotonic() + 240
    with (
        server_process(redis_url, model_config, tmp_path) as base_url,
        httpx.Client(base_url=base_url, timeout=60) as client,
    ):
        pid = _pid_serving(base_url)
        done = sum(_batch(client, i) for i in range(0, WARM_UP, BATCH))
        before = _rss_mb(pid)
        for start in range(WARM_UP, WARM_UP + SEGMENTS, BATCH):
            assert time.monotonic() < deadline, f"soak too slow: {done} segments in 240 s"
            done += _batch(client, start)
        grown = _rss_mb(pid) - before
    assert done == WARM_UP + SEGMENTS
    assert grown < RSS_GROWTH_LIMIT_MB, f"RSS grew {grown:.1f} MB over {SEGMENTS} segments"
