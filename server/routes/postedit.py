"""POST /v1/postedit (a batch) and POST /v1/postedit/stream (one segment, Server-Sent Events)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from fastapi import APIRouter
from sse_starlette import EventSourceResponse

from agent import SegmentResult
from server.deps import StateDep, TenantDep
from server.errors import ApiError, documented_errors
from server.schemas import PostEditRequest, PostEditResponse, PostEditStreamRequest
from server.segments import error_out, make_context, result_out, run_batch, to_segment

router = APIRouter(prefix="/v1/postedit", tags=["postedit"])

ERRORS = documented_errors(401, 404, 413, 422, 429)


@router.post("", response_model=PostEditResponse, responses=ERRORS)
async def postedit(body: PostEditRequest, state: StateDep, tenant: TenantDep) -> PostEditResponse:
    """Post-edit a batch of segments concurrently. Each segment gets its own result or error entry."""
    if len(body.segments) > state.settings.max_segments:
        raise ApiError(
            413, f"{len(body.segments)} segments; the maximum per request is {state.settings.max_segments}"
        )
    ctx = await make_context(state, tenant.id, **body.options())
    segments = await run_batch(ctx, body.segments)
    return PostEditResponse(
        segments=segments,
        glossary_version=ctx.glossary.version if ctx.glossary else None,
        styleguide_version=getattr(ctx.style, "version", None),
    )


@router.post(
    "/stream",
    responses={
        **{200: {"content": {"text/event-stream": {}}, "description": "`step` events, then one `result`"}},
        **ERRORS,
    },
)
async def postedit_stream(
    body: PostEditStreamRequest, state: StateDep, tenant: TenantDep
) -> EventSourceResponse:
    """One segment; streams each agent step as an SSE `step` event and ends with a `result` event."""
    ctx = await make_context(state, tenant.id, **body.options())
    problem = ctx.check(body.segment)
    if problem is not None:
        raise ApiError(422, problem, code="invalid_segment")

    async def events() -> AsyncIterator[dict[str, str]]:
        try:
            stream = ctx.editor.stream(
                to_segment(body.segment),
                ctx.options,
                glossary=ctx.glossary,
                style=ctx.style,
                cache_scope=tenant.id,
            )
            async for item in stream:
                if isinstance(item, SegmentResult):
                    out = result_out(item, explain=ctx.options.explain)
                    yield {"event": "result", "data": out.model_dump_json(exclude_none=True)}
                else:
                    step = {
                        "step": item.step,
                        "detail": item.detail,
                        "ms": round(item.ms, 2),
                        "data": item.data,
                    }
                    yield {"event": "step", "data": json.dumps(step, ensure_ascii=False, default=str)}
        except Exception as exc:
            out = error_out(body.segment.id, "agent_error", f"{type(exc).__name__}: could not post-edit")
            yield {"event": "error", "data": out.model_dump_json(exclude_none=True)}

    return EventSourceResponse(events())
