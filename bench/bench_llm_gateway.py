"""Gateway overhead and concurrency against the stub server (no model): prints the figures.

.venv/bin/python bench/bench_llm_gateway.py [--calls 200] [--concurrency 64] [--delay 0.3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.llm import LLMGateway
from server.settings import prepare_libraries
from tests.support.stub_llm import Reply, StubLLM, gateway_config_for

SCHEMA = {"type": "object", "properties": {"output": {"type": "string"}}, "required": ["output"]}
MESSAGES = [{"role": "system", "content": "Post-edit."}, {"role": "user", "content": "Hello. / Bonjour."}]


async def main(calls: int, concurrency: int, delay: float) -> None:
    prepare_libraries()
    async with StubLLM() as stub:
        gateway = LLMGateway.from_config(gateway_config_for(stub.base_url))
        started = time.perf_counter()
        stub.set_handler(lambda _body: Reply({"output": "Bonjour."}))
        await gateway.complete_json(MESSAGES, SCHEMA)
        print(f"first call (imports litellm, builds the router): {time.perf_counter() - started:.2f} s")

        latencies = []
        for _ in range(calls):
            t = time.perf_counter()
            await gateway.complete_json(MESSAGES, SCHEMA)
            latencies.append((time.perf_counter() - t) * 1000)
        print(
            f"sequential, instant stub: p50 {statistics.median(latencies):.1f} ms, "
            f"p95 {sorted(latencies)[int(0.95 * len(latencies))]:.1f} ms per call over {calls} calls"
        )

        stub.set_handler(lambda _body: Reply({"output": "Bonjour."}, delay=delay))
        t = time.perf_counter()
        await asyncio.gather(*(gateway.complete_json(MESSAGES, SCHEMA) for _ in range(concurrency)))
        print(
            f"{concurrency} concurrent calls, stub delay {delay * 1000:.0f} ms: {time.perf_counter() - t:.2f} s"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--delay", type=float, default=0.3)
    args = parser.parse_args()
    asyncio.run(main(args.calls, args.concurrency, args.delay))
