"""A 2,000-unit XLIFF job through one `postedit worker` with a stub model answering instantly.

    .venv/bin/python bench/bench_jobs.py [--units 2000] [--mode full]

Needs Redis on 127.0.0.1:6379 (uses db 14 with its own prefix). Prints the time and checks that every
unit is accounted for: done == total, and each unit's target in the result is post-edited.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_api import KEY, REDIS_URL, cleanup, echo, start_api  # noqa: E402

from formats.xliff import parse_xliff  # noqa: E402
from server.settings import child_environment  # noqa: E402
from tests.support.stub_llm import StubLLM  # noqa: E402


def xliff(units: int) -> bytes:
    body = "".join(
        f'      <trans-unit id="u{i}">\n        <source>Open <g id="1">file {i}</g> now.</source>\n'
        f'        <target>Öffnen Sie <g id="1">Datei {i}</g> jetzt.</target>\n      </trans-unit>\n'
        for i in range(units)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
        f'  <file original="big" source-language="en" target-language="de" datatype="plaintext">\n    <body>\n'
        f"{body}    </body>\n  </file>\n</xliff>\n"
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--mode", choices=["full", "minimal"], default="full")
    args = parser.parse_args()
    prefix = f"benchjobs-{uuid.uuid4().hex[:6]}:"
    data = xliff(args.units)
    with StubLLM() as stub:
        stub.set_handler(echo)
        api, base = start_api(stub.base_url, True, 1, prefix)
        env = child_environment(
            {
                "POSTEDIT_REDIS_URL": REDIS_URL,
                "POSTEDIT_REDIS_PREFIX": prefix,
                "POSTEDIT_API_KEYS": f"{KEY}:bench",
                "POSTEDIT_CONCURRENCY": "32",
                "POSTEDIT_EMBEDDED_AUTOSTART": "false",
            }
        )
        worker = subprocess.Popen(
            [sys.executable, "-c", "from cli.serve import worker; worker(log_level='WARNING')"],
            env={**env, "POSTEDIT_MODEL_CONFIG_PATH": _config_of(api)},
            cwd=ROOT,
        )
        try:
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=120) as c:
                t0 = time.perf_counter()
                job = c.post("/v1/jobs", files={"file": ("big.xlf", data)}, data={"mode": args.mode}).json()
                while True:
                    info = c.get(f"/v1/jobs/{job['id']}").json()
                    if info["state"] in {"done", "failed"}:
                        break
                    time.sleep(0.25)
                elapsed = time.perf_counter() - t0
                result = c.get(f"/v1/jobs/{job['id']}/result").content
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            api.terminate()
            api.wait(timeout=30)
            cleanup(prefix)
    units = parse_xliff(result).units
    edited = sum(1 for u in units if u.target and "✓" in u.target)
    ids = [u.id for u in units]
    print(
        f"job {info['state']}: {info['done']}/{info['total']} done, {info['failed']} failed in {elapsed:.1f} s "
        f"({info['done'] / elapsed:.0f} units/s, one worker)"
    )
    print(
        f"result: {len(units)} units, {len(set(ids))} distinct ids, {edited} post-edited targets; "
        f"all accounted for: {len(units) == args.units == len(set(ids)) and info['done'] == args.units}"
    )


def _config_of(api: subprocess.Popen[bytes]) -> str:
    return str(api.config_path)  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
