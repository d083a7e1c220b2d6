"""The FastAPI application: `create_app(settings)` wires state, middleware, error handlers and routers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from server.api import api_router
from server.embedded import run_embedded_model
from server.engine import Editor
from server.errors import install_error_handlers
from server.jobs.queue import ArqQueue, start_queue, watch_orphans
from server.middleware import BodyLimitMiddleware, MetricsMiddleware
from server.openapi import install_strict_openapi
from server.settings import Settings, get_settings, prepare_libraries
from server.state import build_state, settle_heap

__all__ = ["create_app"]

PLAYGROUND_DIR = Path(__file__).parent / "static" / "playground"  # the playground page

DESCRIPTION = """Agentic post-editing of machine translation for CAT tools and TMS connectors.

Authenticate with `Authorization: Bearer KEY` (or `DeepL-Auth-Key KEY`). Errors always have the body
`{"error": {"code": ..., "message": ...}}`.
"""


def create_app(settings: Settings | None = None, *, editor: Editor | None = None) -> FastAPI:
    prepare_libraries()
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = build_state(settings, editor=editor)
        app.state.postedit = state
        await state.keys.ensure_keys(settings)
        queue = await start_queue(state)
        # Stalled jobs move again even when no worker is left to notice (a worker cut off from Redis).
        watchdog = asyncio.create_task(watch_orphans(state, queue)) if isinstance(queue, ArqQueue) else None
        settle_heap()
        stop = asyncio.Event()
        model_task = None
        if editor is None and settings.embedded_autostart:
            model_task = asyncio.create_task(run_embedded_model(settings.model_config_path, stop))
        try:
            yield
        finally:
            stop.set()
            if watchdog is not None:
                watchdog.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watchdog
            if model_task is not None:
                await asyncio.wait([model_task], timeout=15)
            await queue.close()
            await state.close()

    app = FastAPI(
        title="postedit",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    install_error_handlers(app)
    install_strict_openapi(app)
    app.add_middleware(
        BodyLimitMiddleware, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes
    )
    app.add_middleware(MetricsMiddleware)
    app.include_router(api_router)
    # --- the playground: the static page at /playground/, using the public API only ---
    app.mount("/playground", StaticFiles(directory=PLAYGROUND_DIR, html=True), name="playground")
    # --- end playground ---
    return app
