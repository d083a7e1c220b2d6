"""Start the embedded llama.cpp model with the API when the model config says `embedded` (on demand).

It runs in the background so `/healthz` answers at once; `/readyz` reports ready once the model answers.
Several API processes share one model server: the agent's `EmbeddedServer` adopts one already answering.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

__all__ = ["run_embedded_model"]

log = logging.getLogger(__name__)


async def run_embedded_model(config_path: Path | None, stop: asyncio.Event) -> None:
    try:
        from agent.llm import load_gateway_config
        from runtime.embedded import embedded_server_for

        config = load_gateway_config(config_path)
        if not config.uses_embedded:
            return
        log.info("starting the embedded model server")
        async with embedded_server_for(config) as server:
            if server is not None:
                log.info("embedded model answering at %s", server.base_url)
            await stop.wait()
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("the embedded model server could not start; /readyz will say not ready")
