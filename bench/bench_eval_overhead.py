"""How much wall time the eval harness adds over the model calls (goal: < 10%).

A scripted OpenAI-compatible stub answers every chat call after a fixed delay; `postedit eval` runs the
MT baseline and `agent-full` (a model call per segment) over N rows of the WMT21 en-fr terminology set,
at concurrency 1 so model time adds up, then scores and writes the full report (sacreBLEU + bootstrap,
ragas cross-check, plots, HTML).

    .venv/bin/python bench/bench_eval_overhead.py [--rows 100] [--delay 1.0]

Prints: wall time, model time (sum of the calls' time as the agent measured it), the agent's own time
outside model calls, and the harness's time (runner bookkeeping + scoring + report) as a share of the
model time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import typer  # noqa: E402
import yaml  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from cli.evaluate import register  # noqa: E402
from server.settings import prepare_libraries  # noqa: E402
from tests.support.stub_llm import Reply, StubLLM, gateway_config_for  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "terminology" / "wmt21-tico19.en-fr.dev.jsonl"


def main() -> None:
    prepare_libraries()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100)
    ap.add_argument("--delay", type=float, default=1.0, help="seconds the stub waits before each answer")
    args = ap.parse_args()

    rows = [json.loads(x) for x in DATA.read_text(encoding="utf-8").splitlines()[: args.rows]]

    def answer(body: dict[str, Any]) -> Reply:
        prompt = str(body["messages"][-1]["content"])
        if "find the words in the translation" in prompt:
            return Reply({"spans": []}, delay=args.delay)
        row = next((r for r in rows if r["src"] in prompt), None)
        return Reply({"output": row["ref"] if row else ""}, delay=args.delay)

    app = typer.Typer()
    register(app)

    @app.callback()
    def _main() -> None: ...

    with StubLLM() as stub, tempfile.TemporaryDirectory() as tmp:
        stub.set_handler(answer)
        data = Path(tmp) / "set.jsonl"
        data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        config = Path(tmp) / "models.yaml"
        config.write_text(yaml.safe_dump(gateway_config_for(stub.base_url, timeout=30)), encoding="utf-8")
        out = Path(tmp) / "out"
        cli = ["eval", str(data), "--src-lang", "en", "--tgt-lang", "fr", "--systems", "mt,agent-full"]
        cli += ["--config", str(config), "--concurrency", "1", "--out", str(out), "--no-progress"]
        t0 = time.perf_counter()
        result = CliRunner().invoke(app, cli)
        wall = time.perf_counter() - t0
        if result.exit_code != 0:
            raise SystemExit(f"eval failed: {result.output}\n{result.exception!r}")
        results = [json.loads(x) for x in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
        timing = json.loads((out / "timing.json").read_text(encoding="utf-8"))
        calls = len(stub.requests)

    model_s = calls * args.delay  # what the model server spent answering
    systems_s = sum(r["latency_ms"] for r in results) / 1000
    runner_s = timing["systems_run_s"] - systems_s
    harness_s = runner_s + timing["scoring_s"] + timing["report_s"]
    startup_s = timing["run_s"] - timing["systems_run_s"]
    other_s = wall - timing["run_s"] - timing["scoring_s"] - timing["report_s"]
    print(f"rows={len(rows)} model calls={calls} stub delay={args.delay:.2f}s concurrency=1")
    print(f"wall time                 {wall:8.2f} s")
    print(f"  model calls             {model_s:8.2f} s  (calls x stub delay)")
    print(f"  agent around the model  {systems_s - model_s:8.2f} s  (litellm, prompting, checks, parsing)")
    print(f"  agent startup           {startup_s:8.2f} s  (gateway, editor)")
    print(f"  harness: runner         {runner_s:8.2f} s  (MT baseline QA, queue, results.jsonl, progress)")
    print(
        f"  harness: scoring        {timing['scoring_s']:8.2f} s  (sacreBLEU + bootstrap, terms, markup, ragas)"
    )
    print(f"  harness: report         {timing['report_s']:8.2f} s  (plots, markdown, HTML)")
    print(f"  CLI start, data loading {other_s:8.2f} s")
    print(f"harness overhead over the model calls: {100 * harness_s / model_s:.1f}% (goal < 10%)")
    print(f"wall time over the model calls, everything included: +{100 * (wall - model_s) / model_s:.1f}%")


if __name__ == "__main__":
    main()
