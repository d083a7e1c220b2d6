"""Issue 3 quality and latency figures with a real model (default: the embedded llama.cpp model).

    python bench/bench_agent_quality.py terms   [--limit 200] [--config FILE]   # wmt21-tico19 en-fr
    python bench/bench_agent_quality.py postedit [--limit 200] [--config FILE]  # mlqe-pe en-de, minimal mode

Prints term success (lemma-aware, per constraint) and chrF for the MT and the agent, or TER against the
post-edits and how many HTER-0 segments were left alone; plus latency p50/p95 over segments.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

from sacrebleu.metrics import CHRF, TER
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.types import EditOptions, Segment, SegmentResult, Status  # noqa: E402
from cli.edit import open_editor  # noqa: E402
from eval.metrics.terms import check_terms  # noqa: E402
from glossaries.constraints import constraint_entries  # noqa: E402
from glossaries.matcher import TermMatcher  # noqa: E402
from glossaries.model import Termbase  # noqa: E402
from server.settings import prepare_libraries  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def load(path: Path, limit: int, need_terms: bool) -> list[dict]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    if need_terms:
        rows = [r for r in rows if r.get("terms")]
    return rows[:limit]


def term_success(rows: list[dict], outputs: dict[str, str], lang: str) -> tuple[int, int]:
    """(constraints met, constraints), lemma-aware as `postedit eval` counts them."""
    checks = []
    for row in rows:
        entries = constraint_entries(row["terms"], str(row["id"]))
        finder = TermMatcher(Termbase("row", "v", "en", lang, entries))
        checks += [c for c in check_terms(outputs[str(row["id"])], entries, finder) if c.kind == "required"]
    return sum(c.ok for c in checks), len(checks)


async def run(
    rows: list[dict], options: EditOptions, config: Path | None, concurrency: int, dump: Path | None = None
) -> list[SegmentResult]:
    segments = [
        Segment(str(r["id"]), r["src"], r["mt"], terms=constraint_entries(r.get("terms") or [], str(r["id"])))
        for r in rows
    ]
    results: list[SegmentResult] = []
    async with open_editor(config) as editor:
        with tqdm(total=len(segments), unit="seg", file=sys.stderr) as bar:
            sink = dump.open("w", encoding="utf-8") if dump else None
            async for result in editor.edit_many(segments, options, concurrency=concurrency):
                results.append(result)
                bar.update()
                if sink:
                    sink.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
                    sink.flush()
    return results


def latency(results: list[SegmentResult]) -> str:
    lat = sorted(r.latency_ms / 1000 for r in results)
    p95 = lat[int(0.95 * (len(lat) - 1))]
    called = [r for r in results if r.usage.calls]
    if called:
        lat_called = sorted(r.latency_ms / 1000 for r in called)
        p95c = lat_called[int(0.95 * (len(lat_called) - 1))]
        print(
            f"segments that needed the model: latency p50 {statistics.median(lat_called):.2f}s p95 {p95c:.2f}s"
        )
    return (
        f"latency p50 {statistics.median(lat):.2f}s p95 {p95:.2f}s; "
        f"{len(called)}/{len(results)} segments needed the model, "
        f"{sum(r.usage.calls for r in results)} calls"
    )


def main() -> None:
    prepare_libraries()
    ap = argparse.ArgumentParser()
    ap.add_argument("task", choices=["terms", "postedit"])
    ap.add_argument("--limit", type=int, default=200)
    ap.add_argument("--config", type=Path)
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument("--dump", type=Path, help="write per-segment results here")
    args = ap.parse_args()
    t0 = time.perf_counter()
    if args.task == "terms":
        rows = load(DATA / "terminology" / "wmt21-tico19.en-fr.dev.jsonl", args.limit, need_terms=True)
        results = asyncio.run(run(rows, EditOptions("en", "fr"), args.config, args.concurrency, args.dump))
        by_id = {r.id: r.output for r in results}
        mt = {str(r["id"]): r["mt"] for r in rows}
        ok_mt, total = term_success(rows, mt, "fr")
        ok_agent, _ = term_success(rows, by_id, "fr")
        refs = [[r["ref"] for r in rows]]
        chrf = CHRF(word_order=2)
        print(f"rows {len(rows)}, constraints {total}")
        print(f"term success  MT {ok_mt / total:.3f}  agent {ok_agent / total:.3f}")
        print(
            f"chrF++ vs ref MT {chrf.corpus_score([r['mt'] for r in rows], refs).score:.1f}  "
            f"agent {chrf.corpus_score([by_id[str(r['id'])] for r in rows], refs).score:.1f}"
        )
    else:
        rows = load(DATA / "postedit" / "mlqe-pe.en-de.dev.jsonl", args.limit, need_terms=False)
        results = asyncio.run(run(rows, EditOptions("en", "de"), args.config, args.concurrency, args.dump))
        by_id = {r.id: r for r in results}
        pes = [[r["pe"] for r in rows]]
        ter = TER()
        print(f"rows {len(rows)}")
        print(
            f"TER vs pe  MT {ter.corpus_score([r['mt'] for r in rows], pes).score:.2f}  "
            f"agent {ter.corpus_score([by_id[str(r['id'])].output for r in rows], pes).score:.2f}"
        )
        zero = [r for r in rows if r["mt"] == r["pe"]]
        kept = sum(by_id[str(r["id"])].status is Status.UNCHANGED for r in zero)
        print(f"HTER-0 segments left unchanged: {kept}/{len(zero)}")
    print(latency(results))
    print(f"wall {time.perf_counter() - t0:.0f}s")


if __name__ == "__main__":
    main()
