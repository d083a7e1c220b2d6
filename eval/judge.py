"""The optional LLM-as-judge pass (`--judge`): every system's output judged pass/fail by a ragas
DiscreteMetric, stored in DIR/judge.jsonl per (system, segment) so a rerun resumes like the main run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eval.datasets import EvalRow
from eval.metrics.ragas_metrics import JudgeEndpoint, judge_segments
from eval.metrics.terms import applicable_entries
from eval.store import ResultStore
from glossaries.matcher import TermMatcher
from glossaries.model import Termbase

__all__ = ["run_judge"]


def _glossary_text(entries: Sequence[Any]) -> str:
    pairs = [
        f"{e.source[0].text} -> {e.preferred_target.text}" for e in entries if e.source and e.preferred_target
    ]
    return "; ".join(pairs) or "(none)"


async def run_judge(
    rows: Sequence[EvalRow],
    results: Sequence[Mapping[str, Any]],
    systems: Sequence[str],
    *,
    source_lang: str,
    target_lang: str,
    glossary: Termbase | None,
    endpoint: JudgeEndpoint,
    store: ResultStore,
    concurrency: int = 4,
) -> dict[str, list[str]]:
    """Verdicts ('pass' | 'fail' | 'error') per system, for the rows that system has a result for."""
    outputs = {(str(r["system"]), str(r["key"])): str(r.get("output") or "") for r in results}
    matcher = TermMatcher(glossary) if glossary is not None else None
    todo: list[tuple[str, EvalRow]] = [
        (s, row) for s in systems for row in rows if (s, row.key) in outputs and (s, row.key) not in store
    ]
    items = [
        {
            "source_lang": source_lang,
            "target_lang": target_lang,
            "source": row.src,
            "glossary": _glossary_text(applicable_entries(row.src, row.terms, matcher)),
            "response": outputs[(s, row.key)],
        }
        for s, row in todo
    ]
    verdicts = await judge_segments(endpoint, items, concurrency=concurrency)
    for (s, row), (verdict, reason) in zip(todo, verdicts, strict=True):
        store.append({"system": s, "key": row.key, "verdict": verdict, "reason": reason})
    out: dict[str, list[str]] = {s: [] for s in systems}
    for r in store.rows():
        if r["system"] in out:
            out[str(r["system"])].append(str(r["verdict"]))
    return out
