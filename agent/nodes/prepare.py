"""The first step: retrieve the glossary terms of the source, protect its markup, check the MT."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from langgraph.runtime import Runtime

from agent.markup import blank_markup
from agent.nodes.common import actionable, check_step, evaluate, ms
from agent.protection import mask_segment
from agent.state import AgentContext, AgentState
from agent.types import TraceStep


async def prepare(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Retrieve the glossary terms, mask markup and DNT terms, check the MT: one graph step, three traced.

    None of them can fail or branch, and each graph step costs LangGraph about 0.2 ms of CPU per segment
    (a twentieth of the API's per-segment budget with a model answering instantly).
    """
    ctx = runtime.context
    matches, retrieved = _retrieve(ctx)
    update = _protect(ctx, matches)
    update["trace"].insert(0, retrieved)
    if ctx.segment.memory:
        update |= _remembered(ctx, matches, update)
    return {"matches": matches, **update}


def _remembered(ctx: AgentContext, matches: Sequence[Any], update: dict[str, Any]) -> dict[str, Any]:
    """A 100% memory match whose target passes today's checks is the answer; any other match is an example
    for the model (`prompting.memory_block`). Only the trace and, for an exact match, the candidate change."""
    t0 = time.perf_counter()
    best = ctx.segment.memory[0]
    found = {"matches": [{"score": round(m.score, 1), "source": m.source, "target": m.target, "entry": m.entry}
                         for m in ctx.segment.memory]}  # fmt: skip
    trace = [*update["trace"]]
    if best.exact:
        remembered = evaluate(ctx, matches, best.target, "memory")
        if not any(actionable(v) for v in remembered.violations):
            trace.append(
                TraceStep("memory", "100% memory match; its checks pass: returned as stored", ms(t0), found)
            )
            return {"candidate": remembered, "candidates": [remembered], "from_memory": True, "trace": trace}
        detail = "100% memory match, but it fails today's checks: used as an example only"
    else:
        detail = f"{len(ctx.segment.memory)} memory match(es), best {best.score:.0f}%: examples for the model"
    trace.append(TraceStep("memory", detail, ms(t0), found))
    return {"trace": trace}


def _retrieve(ctx: AgentContext) -> tuple[list[Any], TraceStep]:
    t0 = time.perf_counter()
    plain = blank_markup(ctx.segment.source)
    matches = sorted(
        (m for matcher in ctx.matchers for m in matcher.match_source(plain)), key=lambda m: (m.start, -m.end)
    )
    kept: list[Any] = []
    for m in matches:  # the request glossary wins over a segment term covering the same words
        if not kept or m.start >= kept[-1].end:
            kept.append(m)
    terms = [
        {
            "source": m.text,
            "start": m.start,
            "end": m.end,
            "target": m.entry.preferred_target.text if m.entry.preferred_target else None,
            "dnt": m.entry.is_dnt,
            "forbidden": [t.text for t in m.entry.forbidden_targets],
            "note": m.entry.note,
        }
        for m in kept
    ]
    return kept, TraceStep(
        "retrieve", f"{len(kept)} glossary term(s) in the source", ms(t0), {"terms": terms}
    )


def _protect(ctx: AgentContext, matches: Sequence[Any]) -> dict[str, Any]:
    t0 = time.perf_counter()
    dnt = [m.text for m in matches if m.entry.is_dnt]
    masks, masked_mt = mask_segment(
        ctx.segment.source, ctx.segment.mt, dnt, ctx.placeholders, ctx.lexicon, ctx.options.target_lang
    )
    n = len(masks.source.tokens)
    step = TraceStep("protect", f"{n} tag(s), placeholder(s) and DNT term(s) masked", ms(t0))
    update: dict[str, Any] = {"masks": masks, "masked_mt": masked_mt, "trace": [step], "rounds": 0}
    if ctx.segment.mt is not None:
        mt = evaluate(ctx, matches, ctx.segment.mt, "mt")
        update |= {"candidate": mt, "candidates": [mt], "violations_before": list(mt.violations)}
        update["trace"].append(check_step(mt, t0, "MT"))
    return update
