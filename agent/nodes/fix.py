"""Deterministic fixes: restore markup, replace forbidden terms, repair numbers and spacing."""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from agent import fixes
from agent.markup import validate
from agent.nodes.common import check_step, evaluate_edit, markup_errors, ms, placement_guesses
from agent.state import AgentContext, AgentState
from agent.types import TraceStep
from agent.violations import Code


async def fix(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Safe deterministic repairs; each is named in the trace."""
    t0 = time.perf_counter()
    ctx = runtime.context
    candidate = state["candidate"]
    assert candidate is not None
    text = candidate.text
    source_forms = {m.entry.id: m.text for m in state.get("matches", [])}
    replacements: list[fixes.Replacement] = []
    notes: list[str] = []
    for v in candidate.violations:
        r = (
            fixes.forbidden_term(text, v, ctx.options.target_lang)
            or fixes.whitespace(ctx.segment.source, text, v)
            or fixes.end_punctuation(ctx.segment.source, text, v, ctx.options.target_lang)
        )
        if r is None and v.code == Code.DNT_ALTERED and v.entry_id in source_forms:
            r = fixes.dnt_case(source_forms[v.entry_id], text)
        if r is not None:
            replacements.append(r)
    new_text = fixes.apply(text, replacements)
    notes += [r.why for r in replacements]
    guessed: tuple[str, ...] = ()
    errors_before = markup_errors(candidate.violations)
    if errors_before:
        masks = state["masks"]
        restored, guessed = masks.unmask_placed(masks.mask(new_text))
        after = markup_errors(validate(ctx.segment.source, restored, ctx.placeholders))
        if after < errors_before:  # a restore that does not reduce the markup errors is no repair
            notes.append("tags/placeholders restored to match the source")
            new_text = restored
        else:
            guessed = ()
    update: dict[str, Any] = {"tried": [f"fix:{text}"]}
    if new_text != text:
        fixed = evaluate_edit(
            ctx,
            state.get("matches", []),
            candidate,
            new_text,
            replacements,
            "fix",
            placement_guesses(guessed),
        )
        update |= {"candidate": fixed, "candidates": [fixed]}
        update["trace"] = [
            TraceStep("fix", "; ".join(notes), ms(t0), {"text": new_text}),
            check_step(fixed, t0, "fixed"),
        ]
    else:
        update["trace"] = [TraceStep("fix", "no safe deterministic fix applies", ms(t0))]
    return update
