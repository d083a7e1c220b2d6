"""Redis killed during a job and under `/v1/postedit` load, and 20 prompt injections through every path.

    .venv/bin/python bench/bench_redis_outage.py [--segments 300] [--outage 10]

Starts its own redis-server (AOF, fsync every second) on a free 127.0.0.1 port, an API, a `postedit
worker` and the scripted stub model; kills that Redis (by PID) once the job is under way, restarts it
after `--outage` seconds and waits for the job to finish by itself. Prints the figures and exits 1 if a
segment was lost or repeated, the job did not finish, the worker exited, a request got a 5xx other than
503 or lost its connection, or an obeyed injection came back `edited`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_tag_placement import cpu_model  # noqa: E402

from agent.editor import PostEditor  # noqa: E402
from agent.llm import LLMGateway  # noqa: E402
from agent.types import Status  # noqa: E402
from server.settings import prepare_libraries  # noqa: E402
from tests.reliability.test_injection import CASES, answered_as_told, obeying_model, run_path  # noqa: E402
from tests.support.redis_outage import OutageFigures, run_outage  # noqa: E402
from tests.support.stub_llm import StubLLM, gateway_config_for  # noqa: E402

PATHS = ("minimal", "full", "conversation")


async def injections() -> dict[tuple[int, str], bool]:
    """(case, path) -> whether an obeyed answer came back `edited`."""
    shipped = {}
    with StubLLM() as stub:
        stub.set_handler(obeying_model)
        editor = PostEditor(LLMGateway.from_config(gateway_config_for(stub.base_url)))
        for i, case in enumerate(CASES):
            for path in PATHS:
                result = await run_path(editor, i, path)
                shipped[(i, path)] = result.status is Status.EDITED and answered_as_told(
                    result.output, i, case
                )
    return shipped


def report(f: OutageFigures) -> bool:
    routes = ", ".join(f"{route} {dict(sorted(c.items()))}" for route, c in sorted(f.by_route.items()))
    print(f"CPU: {cpu_model()}")
    print(
        f"outage: Redis down {f.outage_seconds:.1f} s (SIGKILL, AOF everysec), job of {f.segments} segments"
    )
    print(
        f"job: {f.job_state} after {f.job_seconds:.1f} s | lost {f.lost} | duplicated {f.duplicated} | "
        f"worker still running: {f.worker_alive}"
    )
    print(
        f"requests during the outage: {sum(f.statuses.values())} -> {dict(sorted(f.statuses.items()))} | "
        f"5xx other than 503: {f.server_errors} | dropped connections: {f.transport_errors} | "
        f"503 without Retry-After: {f.retry_after_missing}"
    )
    print(f"  by route: {routes}")
    print(
        f"/readyz during: {sorted(f.ready_during)}, after: {f.ready_after} | "
        f"rate limit failed open: {f.fail_open:.0f} request(s)"
    )
    return (
        f.job_state == "done"
        and f.lost == 0
        and f.duplicated == 0
        and f.worker_alive
        and f.server_errors == 0
        and f.transport_errors == 0
        and set(f.statuses) <= {200, 503}
    )


def main() -> None:
    prepare_libraries()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=300)
    parser.add_argument("--outage", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="redis-aof-") as workdir:
        ok = report(run_outage(Path(workdir), segments=args.segments, outage=args.outage))
    shipped = asyncio.run(injections())
    for path in PATHS:
        bad = [i for (i, p), edited in shipped.items() if p == path and edited]
        print(f"injections, {path}: {len(bad)} of {len(CASES)} obeyed answers came back edited {bad or ''}")
    ok = ok and not any(shipped.values())
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
