"""Issue 3 figures with the scripted stub model (no GPU, no llama.cpp):

1. agent overhead: per-segment wall time minus time inside model calls, stub answering instantly (goal p50 < 5 ms);
2. throughput: 64 segments, concurrency 64, stub answering after a fixed 300 ms (goal < 1.5 s in all).

    python bench/bench_agent_overhead.py
"""

from __future__ import annotations

import asyncio
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.editor import PostEditor  # noqa: E402
from agent.llm import LLMGateway  # noqa: E402
from agent.types import EditOptions, Segment  # noqa: E402
from glossaries.model import Entry, Term, Termbase  # noqa: E402
from server.settings import prepare_libraries  # noqa: E402
from tests.support.stub_llm import Reply, StubLLM, gateway_config_for  # noqa: E402

GLOSSARY = Termbase(
    "bench", "v1", "en", "de",
    (Entry("s", (Term("settings"),), (Term("Einstellungen"),)), Entry("f", (Term("file"),), (Term("Datei"),))),
)  # fmt: skip
SOURCE = (
    "Open the settings of the file {n} and click <b>Save</b> to keep %d changes for the next session today."
)
MT = "Öffnen Sie die Optionen der Datei {n} und klicken Sie auf <b>Speichern</b>, um %d Änderungen zu behalten."


def answer(body: dict[str, Any]) -> Reply:
    prompt = body["messages"][-1]["content"]
    if "find the words in the translation" in prompt:
        return Reply({"spans": [{"phrase": "settings", "words": "Optionen"}]})
    n = re.search(r"Datei (\d+)", prompt)
    return Reply({"output": f"Öffnen Sie die Einstellungen der Datei {n.group(1) if n else 0}."})


async def overhead(stub: StubLLM, n: int = 300) -> list[float]:
    editor = PostEditor(LLMGateway.from_config(gateway_config_for(stub.base_url)))
    options = EditOptions("en", "de")
    out = []
    for i in range(n + 20):
        seg = Segment(str(i), SOURCE.replace("{n}", str(i)), MT.replace("{n}", str(i)))
        result = await editor.edit(seg, options, glossary=GLOSSARY)
        assert result.usage.calls == 1, result.trace
        if i >= 20:  # warm-up: imports, litellm's first call
            out.append(result.latency_ms - result.usage.model_ms)
    return out


async def throughput(stub: StubLLM) -> float:
    stub.set_handler(lambda body: Reply({"output": "Bonjour ⟦1⟧monde⟦/1⟧ 7."}, delay=0.3))
    editor = PostEditor(LLMGateway.from_config(gateway_config_for(stub.base_url, timeout=30)))
    segments = [Segment(str(i), "Hello <b>world</b> 7.", None) for i in range(64)]
    await editor.edit(Segment("warm", "Hello <b>world</b> 7.", None), EditOptions("en", "fr"))
    t0 = time.perf_counter()
    results = [r async for r in editor.edit_many(segments, EditOptions("en", "fr"), concurrency=64)]
    elapsed = time.perf_counter() - t0
    assert len(results) == 64 and all(r.usage.calls == 1 for r in results)
    return elapsed


def main() -> None:
    prepare_libraries()
    with StubLLM() as stub:
        stub.set_handler(answer)
        samples = sorted(asyncio.run(overhead(stub)))
        p99 = samples[int(0.99 * (len(samples) - 1))]
        print(
            f"agent overhead per segment (excl. model call): p50 {statistics.median(samples):.2f} ms, "
            f"p99 {p99:.2f} ms over {len(samples)} segments (goal p50 < 5 ms)"
        )
        print(
            f"64 segments, concurrency 64, model 300 ms: {asyncio.run(throughput(stub)):.2f} s (goal < 1.5 s)"
        )


if __name__ == "__main__":
    main()
