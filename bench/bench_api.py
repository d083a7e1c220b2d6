"""Throughput of POST /v1/postedit with a stub model answering instantly, and cache-hit latency.

    .venv/bin/python bench/bench_api.py [--batches 40] [--batch-size 50] [--mode full] [--no-redis]
    .venv/bin/python bench/bench_api.py --mode minimal --terminology   # real rows; some need the model
    .venv/bin/python bench/bench_api.py --balancer   # 2 single-worker servers behind nginx least_conn

The API runs as its own uvicorn process (as deployed); the stub model and the client share this one.
Goals on a 2-core machine: >= 300 segments/s in batches of 50 with p99 request latency < 250 ms;
cache hits p99 < 5 ms. With `--workers 2` on one socket, a request now and then lands on the process
already busy with the other batch and waits for it (the p90 shows how often); `--balancer` is the
layout without that race.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))  # topology.py: the nginx layout

from topology import nginx_binary, nginx_config  # noqa: E402

from server.settings import child_environment  # noqa: E402
from tests.support.ports import free_port  # noqa: E402
from tests.support.stub_llm import Reply, StubLLM, gateway_config_for  # noqa: E402

KEY = "bench-key"


def echo(body: dict[str, object]) -> Reply:
    """A draft: the MT with a mark; a locate answer: the first run of MT words it may name."""
    schema = body.get("response_format", {}).get("json_schema", {}).get("schema", {})  # type: ignore[attr-defined]
    spans = schema.get("properties", {}).get("spans")
    if spans:
        item = spans["items"]["properties"]
        phrases, choices = item["phrase"].get("enum", ["?"]), item["words"].get("enum", ["", "?"])
        return Reply({"spans": [{"phrase": p, "words": choices[1]} for p in phrases]})
    prompt = str(body["messages"][-1]["content"])  # type: ignore[index]
    start, end = prompt.find("<mt>"), prompt.find("</mt>")
    text = prompt[start + 4 : end] if start >= 0 else "x"
    stem = text.rstrip(".!?")
    return Reply({"output": stem + " ✓" + text[len(stem) :]})


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


REDIS_URL = "redis://127.0.0.1:6379/14"


def cleanup(prefix: str) -> None:
    """Delete this run's keys (cache, resources, jobs) and arq's job records from the bench db."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for pattern in (prefix + "*", "arq:*"):
        keys = list(client.scan_iter(pattern, count=1000))
        for i in range(0, len(keys), 500):
            client.delete(*keys[i : i + 500])
    client.close()


def start_api(
    stub_url: str, use_redis: bool, workers: int, prefix: str | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    config = Path(tempfile.mkdtemp()) / "stub.yaml"
    # The stub stands in for production's vLLM servers, reached through litellm's vLLM provider
    # (agent/config/vllm.example.yaml); litellm's generic `openai/` path costs ~1 ms more CPU per call.
    cfg = gateway_config_for(stub_url, model="hosted_vllm/stub-model")
    cfg.pop("source", None)
    config.write_text(yaml.safe_dump(cfg))
    port = free_port()
    env = child_environment(
        {
            "POSTEDIT_MODEL_CONFIG_PATH": str(config),
            "POSTEDIT_API_KEYS": f"{KEY}:bench",
            "POSTEDIT_EMBEDDED_AUTOSTART": "false",
            "POSTEDIT_RATE_LIMIT_PER_MINUTE": "0",
            "POSTEDIT_CONCURRENCY": "50",
            "POSTEDIT_REDIS_PREFIX": prefix or "bench:",
        }
    )
    if use_redis:
        env["POSTEDIT_REDIS_URL"] = REDIS_URL
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "server.main:create_app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--workers",
            str(workers),
        ],
        env=env,
        cwd=ROOT,
    )
    proc.config_path = config  # type: ignore[attr-defined]  # for bench_jobs' worker
    return proc, wait_ready(proc, f"http://127.0.0.1:{port}", 60, "API did not become ready")


def wait_ready(proc: subprocess.Popen[bytes], base: str, seconds: float, failure: str) -> str:
    """`base` once its /readyz answers 200; else the process is killed and the bench stops."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit(failure)


def start_nginx(upstreams: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    """nginx in front of the API servers, as scripts/topology.py configures it (least_conn)."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    port = free_port()
    conf = nginx_config(workdir, upstreams, port)
    proc = subprocess.Popen([nginx_binary(), "-p", str(workdir), "-c", str(conf), "-g", "daemon off;"])
    return proc, wait_ready(proc, f"http://127.0.0.1:{port}", 10, f"nginx did not start (see {workdir})")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the uvicorn workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:  # fields[1] is the parent pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


async def throughput(
    base: str,
    batches: int,
    size: int,
    mode: str,
    in_flight: int,
    rows: list[dict[str, Any]] | None = None,
    api_pids: list[int] | None = None,
    keep_alive: bool = False,
    layout: str = "",
) -> None:
    """Segments/s and request latency; `rows` (terminology data) instead of synthetic segments."""
    headers = {"Authorization": f"Bearer {KEY}"}
    latencies: list[float] = []
    called: list[int] = []
    run = uuid.uuid4().hex[:6]

    # Without keep-alive each request opens a connection, as a fleet of CAT-tool clients would, and the
    # kernel hands it to a worker waiting in accept(): an idle one. Two kept-alive connections may both
    # sit on one uvicorn worker for the whole run (asyncio accepts every pending connection at once).
    limits = httpx.Limits(max_keepalive_connections=in_flight if keep_alive else 0)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60, limits=limits) as client:

        async def one(b: int) -> int:
            segs, langs = _segments(b, size, rows, run)
            t0 = time.perf_counter()
            r = await client.post("/v1/postedit", json={**langs, "mode": mode, "segments": segs})
            latencies.append((time.perf_counter() - t0) * 1000)
            r.raise_for_status()
            answered = r.json()["segments"]
            called.append(sum(s["tokens"]["prompt"] > 0 for s in answered))
            return sum(s["status"] != "error" for s in answered)

        warm_up = [one(-1 - k) for k in range(in_flight)]  # as many as in flight: every process behind nginx
        await asyncio.gather(*warm_up)
        latencies.clear()
        called.clear()
        gate = asyncio.Semaphore(in_flight)

        async def gated(b: int) -> int:
            async with gate:
                return await one(b)

        cpu0 = sum(map(cpu_seconds, api_pids or []))
        own0 = time.process_time()
        t0 = time.perf_counter()
        done = sum(await asyncio.gather(*(gated(b) for b in range(batches))))
        elapsed = time.perf_counter() - t0
        api_cpu = sum(map(cpu_seconds, api_pids or [])) - cpu0
        own_cpu = time.process_time() - own0
    what = "WMT21 en-fr rows with their terms" if rows else "synthetic segments"
    connections = f"{in_flight} in flight, " + (
        "kept-alive connections" if keep_alive else "a connection each"
    )
    connections += f"; {layout}" if layout else ""
    print(
        f"postedit ({mode}, {what}): {done} segments in {elapsed:.2f} s = {done / elapsed:.0f} segments/s "
        f"(batches of {size}, {connections}); {sum(called)} of them called the model"
    )
    _print_costs(latencies, api_cpu if api_pids else None, own_cpu, done)


def _segments(
    b: int, size: int, rows: list[dict[str, Any]] | None, run: str
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Batch `b`: real rows made unique per run (no cache hits) with their term constraints, or synthetic."""
    if rows:
        picked = [rows[(b * size + i) % len(rows)] for i in range(size)]
        segs = [
            {
                "id": str(i),
                "source": f"{r['src']} ({b}-{i}-{run})",
                "mt": f"{r['mt']} ({b}-{i}-{run})",
                "terms": [{"source": t["src"], "target": t["tgt"]} for t in r.get("terms") or []],
            }
            for i, r in enumerate(picked)
        ]
        return segs, {"source_lang": "en", "target_lang": "fr"}
    segs = [
        {"id": str(i), "source": f"Open file number {b} {i} {run}", "mt": f"Öffnen Sie Datei {b} {i} {run}"}
        for i in range(size)
    ]
    return segs, {"source_lang": "en", "target_lang": "de"}


def _print_costs(latencies: list[float], api_cpu: float | None, own_cpu: float, done: int) -> None:
    print(
        f"  request latency ms: p50 {statistics.median(latencies):.1f}  p90 {pct(latencies, 90):.1f}  "
        f"p99 {pct(latencies, 99):.1f}  max {max(latencies):.1f}"
    )
    if api_cpu is not None:
        print(
            f"  CPU per segment: server side (API processes, nginx if any) {api_cpu * 1000 / done:.2f} ms, "
            f"this process (stub model and client) {own_cpu * 1000 / done:.2f} ms"
        )


def cache_hits(base: str, n: int) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    body = {
        "source_lang": "en",
        "target_lang": "de",
        "mode": "full",
        "segments": [{"id": "1", "source": "Save the settings.", "mt": "Speichern Sie die Einstellungen."}],
    }
    latencies = []
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        client.post("/v1/postedit", json=body).raise_for_status()
        for _ in range(n):
            t0 = time.perf_counter()
            r = client.post("/v1/postedit", json=body)
            latencies.append((time.perf_counter() - t0) * 1000)
            assert r.json()["segments"][0]["cached"] is True
    print(
        f"cache hits: {n} requests, latency ms p50 {statistics.median(latencies):.2f}  "
        f"p99 {pct(latencies, 99):.2f}"
    )


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--in-flight", type=int, default=2)
    parser.add_argument("--mode", choices=["full", "minimal"], default="full")
    parser.add_argument("--cache-requests", type=int, default=500)
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument(
        "--keep-alive", action="store_true", help="reuse one connection per request in flight"
    )
    parser.add_argument("--api-workers", type=int, default=2, help="uvicorn processes (one per core)")
    parser.add_argument(
        "--balancer",
        action="store_true",
        help="run the API workers as separate single-worker servers behind nginx `least_conn` (needs "
        "nginx: apt-get install nginx-light) instead of letting them race for one socket",
    )
    parser.add_argument(
        "--terminology",
        action="store_true",
        help="send WMT21 en-fr rows with their term constraints (realistic traffic: some need the model)",
    )
    return parser.parse_args()


def main() -> None:
    args = _args()
    rows = None
    if args.terminology:
        data = ROOT.parent / "shared" / "data" / "terminology" / "wmt21-tico19.en-fr.dev.jsonl"
        rows = [json.loads(line) for line in data.open(encoding="utf-8")]
    prefix = f"bench-{uuid.uuid4().hex[:6]}:"
    with StubLLM() as stub:
        stub.set_handler(echo)
        if args.balancer:
            servers = [
                start_api(stub.base_url, not args.no_redis, 1, prefix) for _ in range(args.api_workers)
            ]
            servers.append(start_nginx([api_base for _, api_base in servers]))
            layout = f"nginx least_conn over {args.api_workers} single-worker API servers"
        else:
            servers = [start_api(stub.base_url, not args.no_redis, args.api_workers, prefix)]
            layout = f"uvicorn --workers {args.api_workers} on one socket"
        base = servers[-1][1]
        try:
            asyncio.run(
                throughput(
                    base,
                    args.batches,
                    args.batch_size,
                    args.mode,
                    args.in_flight,
                    rows,
                    [proc.pid for proc, _ in servers],
                    args.keep_alive,
                    layout,
                )
            )
            cache_hits(base, args.cache_requests)
        finally:
            for proc, _ in servers:
                proc.terminate()
                proc.wait(timeout=20)
            if not args.no_redis:
                cleanup(prefix)


if __name__ == "__main__":
    main()
