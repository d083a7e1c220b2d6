"""The last step: pick the best candidate and say how sure we are of it."""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from agent.nodes.common import best_candidate, ms
from agent.state import AgentContext, AgentState
from agent.types import Mode, TraceStep


async def finalize(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    t0 = time.perf_counter()
    candidates = state.get("candidates", [])
    if not candidates:
        return {"trace": [TraceStep("finalize", "no candidate: the model gave nothing usable", ms(t0))]}
    ctx = runtime.context
    best = best_candidate(
        candidates, prefer_latest=ctx.options.mode is Mode.FULL or bool(ctx.options.instructions)
    )
    detail = f"chose the {best.origin} candidate with {best.errors} error(s)"
    return {"candidate": best, "trace": [TraceStep("finalize", detail, ms(t0), {"text": best.text})]}
