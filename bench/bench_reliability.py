"""Bad input, schema fuzzing and one tenant's worst load against the real API: the figures of issue 15.

Everything runs on 127.0.0.1: the scripted stub model, Redis db 15 (keys under a prefix of their own,
deleted afterwards) and the API, in-process for the bad-input cases and the fuzzing and in a child process
for the load (so the probe times the server, not this script). Prints:

- 5xx responses (other than DeepL's deliberate 503) over the bad-input cases of `tests/reliability/cases.py`
  and the schemathesis fuzzing (fixed seed, `--examples` per operation and mode), and stack traces in bodies;
- `/healthz` p99 and max while one tenant sends `^(a+)+$` against runs of `a` and a 45 MB XLIFF upload;
- the CPU model.

Exits 1 unless there are 0 5xx, 0 traces and a p99 under 100 ms.

Run: .venv/bin/python bench/bench_reliability.py [--examples 25] [--rounds 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from server.settings import Settings  # noqa: E402
from tests.reliability.cases import CASES  # noqa: E402
from tests.reliability.fuzz import fuzz, has_stack_trace  # noqa: E402
from tests.reliability.load import drop_keys, redos_and_upload, server_process  # noqa: E402
from tests.server.conftest import KEY_A, make_settings, running  # noqa: E402
from tests.server.stub_answers import echo_handler  # noqa: E402
from tests.support.fixtures import REDIS_URL  # noqa: E402
from tests.support.stub_llm import StubLLM, gateway_config_for  # noqa: E402


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def bad_input(settings: Settings) -> tuple[int, int]:
    """(5xx, bodies with a stack trace) over the bad-input cases."""
    server_errors = traces = 0
    with running(settings) as live, live.client() as client:
        for case in CASES:
            response = client.request(case.method, case.path, **case.kwargs)
            server_errors += response.status_code >= 500
            traces += has_stack_trace(response.text)
    return server_errors, traces


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=25, help="per operation and generation mode")
    parser.add_argument("--rounds", type=int, default=2, help="times the load is sent")
    args = parser.parse_args()
    with StubLLM() as stub, tempfile.TemporaryDirectory() as tmp:
        stub.set_handler(echo_handler())
        config = gateway_config_for(stub.base_url)
        config.pop("source", None)
        model_config = Path(tmp) / "stub.yaml"
        model_config.write_text(yaml.safe_dump(config))
        settings = make_settings(REDIS_URL, model_config, redis_prefix=f"bench-{uuid.uuid4().hex[:8]}:")
        case_5xx, case_traces = bad_input(settings)
        with running(settings) as live:
            report = fuzz(live.base_url, KEY_A, args.examples)
        with server_process(REDIS_URL, model_config, Path(tmp)) as base_url:
            load = redos_and_upload(base_url, rounds=args.rounds)
        drop_keys(REDIS_URL, settings.redis_prefix)
    server_errors = case_5xx + len(report.server_errors)
    traces = case_traces + len(report.traces)
    print(f"cpu: {cpu_model()}")
    print(f"bad-input cases: {len(CASES)} | 5xx: {case_5xx} | stack traces: {case_traces}")
    print(
        f"fuzzing: {report.calls} requests (seed 15, {args.examples}/operation/mode) | 5xx: "
        f"{len(report.server_errors)} (+{report.deliberate_503} deliberate 503) | stack traces: "
        f"{len(report.traces)} | schema looser than validation: {len(report.rejected_valid)}"
    )
    print(
        f"/healthz under ^(a+)+$ + 45 MB XLIFF: p99 {load.p99_ms:.1f} ms, max {max(load.healthz_ms):.0f} ms "
        f"over {len(load.healthz_ms)} calls, {load.healthz_failures} failed | attacker got {load.statuses}"
    )
    print(f"total 5xx: {server_errors} | stack traces in bodies: {traces}")
    return 0 if server_errors == 0 and traces == 0 and load.p99_ms < 100 else 1


if __name__ == "__main__":
    sys.exit(main())
