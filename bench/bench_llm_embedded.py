"""The embedded model (llama.cpp, CPU) through the gateway: latency, tokens/s, concurrency, prefix reuse.

    .venv/bin/python bench/bench_llm_embedded.py [--port 8790] [--runs 5] [--threads N]

Starts its own llama.cpp server (fetching the weights if needed) and prints the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.llm import LLMGateway, LLMReply, load_gateway_config
from runtime.embedded import EmbeddedServer
from server.settings import prepare_libraries

SCHEMA = {
    "type": "object",
    "properties": {"output": {"type": "string"}, "changed": {"type": "boolean"}},
    "required": ["output", "changed"],
}
SYSTEM = (
    "You are a professional post-editor for English to French. Fix only real errors in the machine "
    "translation. Answer in JSON with keys output and changed."
)
SEGMENTS = [
    (
        "The patient should take two tablets daily after meals.",
        "Le patient doit prendre deux comprimés par jour.",
    ),
    ("Wash your hands before touching your face.", "Lavez vos mains avant de toucher votre visage."),
    ("The vaccine is free for everyone over 65.", "Le vaccin est gratuit pour tous les plus de 65 ans."),
    ("Symptoms may appear two to fourteen days after exposure.", "Les symptômes peuvent apparaître."),
    ("Keep a distance of two metres from other people.", "Gardez une distance de deux mètres des autres."),
]
STYLE = " ".join(
    f"Rule {i}: keep the client's terminology and numbers exactly as given." for i in range(1, 25)
)


def messages(i: int, system: str = SYSTEM) -> list[dict[str, str]]:
    src, mt = SEGMENTS[i % len(SEGMENTS)]
    return [{"role": "system", "content": system}, {"role": "user", "content": f"Source: {src}\nMT: {mt}"}]


def describe(replies: list[LLMReply]) -> str:
    latencies = [r.call.latency_ms / 1000 for r in replies]
    rates = [r.call.completion_tokens / (r.call.latency_ms / 1000) for r in replies]
    prompt = statistics.median(r.call.prompt_tokens for r in replies)
    completion = statistics.median(r.call.completion_tokens for r in replies)
    valid = sum(r.data is not None for r in replies)
    return (
        f"p50 {statistics.median(latencies):.2f} s (min {min(latencies):.2f}, max {max(latencies):.2f}); "
        f"~{prompt:.0f} prompt + {completion:.0f} completion tokens; "
        f"{statistics.median(rates):.1f} completion tokens/s end to end; valid JSON {valid}/{len(replies)}"
    )


async def main(port: int, runs: int, threads: int | None) -> None:
    prepare_libraries()
    embedded: dict[str, object] = {"port": port}
    if threads:
        embedded["n_threads"] = threads
    config = load_gateway_config(None, embedded=embedded, timeout=600, max_concurrency=None)
    gateway = LLMGateway(config)
    started = time.perf_counter()
    async with EmbeddedServer(config.embedded) as server:
        print(f"server ready in {time.perf_counter() - started:.1f} s (reused: {server.reused})")
        t = time.perf_counter()
        first = await gateway.complete_json(messages(0), SCHEMA)
        print(f"first call (litellm import, model warm-up, grammar): {time.perf_counter() - t:.2f} s")
        print(f"  reply: {first.text}")

        replies = [await gateway.complete_json(messages(i), SCHEMA) for i in range(runs)]
        print(f"JSON post-edit, short prompt, sequential x{runs}: {describe(replies)}")

        text = [await gateway.complete_text(messages(i), max_tokens=60) for i in range(runs)]
        print(f"same prompts without a schema (grammar cost): {describe(text)}")

        long_system = SYSTEM + " " + STYLE
        replies = [await gateway.complete_json(messages(i, long_system), SCHEMA) for i in range(runs)]
        print(f"long shared prefix (style rules) then the segment, sequential: {describe(replies)}")

        cold = [
            await gateway.complete_json(messages(i, f"Job {i}. " + long_system), SCHEMA) for i in range(runs)
        ]
        print(f"same long prompts, but differing from the first token (no prefix reuse): {describe(cold)}")

        n = 4
        t = time.perf_counter()
        together = await asyncio.gather(*(gateway.complete_json(messages(i), SCHEMA) for i in range(n)))
        wall = time.perf_counter() - t
        print(
            f"{n} concurrent calls: wall {wall:.2f} s; per-call latencies "
            f"{', '.join(f'{r.call.latency_ms / 1000:.1f}' for r in together)} s (llama-cpp-python serializes)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    asyncio.run(main(args.port, args.runs, args.threads))
