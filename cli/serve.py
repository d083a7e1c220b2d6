"""`postedit serve` (the HTTP API under uvicorn) and `postedit worker` (an arq job worker)."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("worker")(worker)


def serve(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="API processes")] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs). Settings come from POSTEDIT_* variables or .env;
    with no keys configured, the development key `dev-key` maps to tenant `default`."""
    import uvicorn

    from server.settings import DEV_KEY, get_settings

    settings = get_settings()
    if not settings.api_keys and not settings.api_keys_file and settings.env == "development":
        typer.echo(f"development API key: {DEV_KEY}  (curl -H 'Authorization: Bearer {DEV_KEY}' ...)")
    if not settings.redis_url and workers > 1:
        typer.echo(
            f"error: --workers {workers} needs REDIS_URL. Without Redis each process keeps its own glossaries, "
            "style guides, jobs and cache, so a request could land on a process that never saw them.",
            err=True,
        )
        raise typer.Exit(2)
    if not settings.redis_url:
        typer.echo("no REDIS_URL: resources, cache and jobs live in this process only")
    uvicorn.run(
        "server.main:create_app", factory=True, host=host, port=port, workers=workers, log_level=log_level
    )


def worker(
    log_level: Annotated[str, typer.Option(help="logging level")] = "INFO",
) -> None:
    """Run a job worker on the Redis queue (needs REDIS_URL); start as many as you like."""
    from server.jobs.worker import run_worker
    from server.settings import get_settings

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    run_worker(get_settings())
