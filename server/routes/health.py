"""GET /healthz (the process answers), GET /readyz (model and Redis reachable), GET /metrics (Prometheus)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from server import metrics
from server.deps import StateDep
from server.schemas import HealthResponse, ReadyResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthResponse)
async def healthz() -> HealthResponse:
    return HealthResponse(status="ok")


@router.get("/readyz", response_model=ReadyResponse, responses={503: {"model": ReadyResponse}})
async def readyz(state: StateDep) -> JSONResponse:
    try:
        model = await asyncio.wait_for(state.editor.ready(), timeout=5)
    except Exception:
        model = False
    redis = await state.kv.ping() if state.uses_redis else None
    ok = model and redis is not False
    body = ReadyResponse(status="ready" if ok else "not_ready", model=model, redis=redis)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
async def prometheus_metrics(state: StateDep) -> Response:
    queue = state.queue
    if queue is not None:
        metrics.QUEUE_DEPTH.set(await queue.depth())
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
