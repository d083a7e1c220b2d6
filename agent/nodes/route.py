"""The router: which step comes next, from the current candidate's findings and what was tried."""

from __future__ import annotations

from typing import Literal

from langgraph.runtime import Runtime

from agent.nodes.common import FIXABLE_CODES, UNPLACED, actionable
from agent.state import AgentContext, AgentState
from agent.types import Mode
from agent.violations import Code

Route = Literal["fix", "locate", "place", "rewrite", "finalize"]


MAX_LOCATES = 2  # span-level term repairs per segment; after that only full drafts may help


MAX_FIXES = 3  # deterministic repair passes per segment: a repair that leaves errors must not loop


async def route(state: AgentState, runtime: Runtime[AgentContext]) -> Route:
    ctx = runtime.context
    candidate = state.get("candidate")
    tried = set(state.get("tried", []))
    can_ask = ctx.llm is not None and not state.get("failure")
    limit = ctx.options.max_rounds + (1 if ctx.segment.mt is None else 0)
    if candidate is None:
        return "rewrite" if can_ask and state.get("rounds", 0) < limit else "finalize"
    if state.get("from_memory"):
        return "finalize"
    codes = {v.code for v in candidate.violations}
    # Whitespace warnings alone do not justify an edit ("do no harm"); they are fixed along with real errors.
    must_fix = {v.code for v in candidate.violations if actionable(v)} & FIXABLE_CODES
    fixed = sum(t.startswith("fix:") for t in tried)
    if must_fix and f"fix:{candidate.text}" not in tried and fixed < MAX_FIXES:
        return "fix"
    located = sum(t.startswith("locate:") for t in tried)
    if (
        codes & {Code.TERM_MISSING, Code.DNT_ALTERED}
        and f"locate:{candidate.text}" not in tried
        and located < MAX_LOCATES
    ):
        return "locate"
    if not can_ask:
        return "finalize"
    wants_review = (ctx.options.mode is Mode.FULL or bool(ctx.options.instructions)) and not state.get(
        "reviewed"
    )
    if wants_review and state.get("rounds", 0) <= limit:
        return "rewrite"
    if any(actionable(v) for v in candidate.violations) and state.get("rounds", 0) < limit:
        return "rewrite"
    if UNPLACED in codes and not any(t.startswith("place:") for t in tried):
        return "place"
    return "finalize"
