"""Offline evaluation harness: dataset readers, metrics, runner and reports, fronted by `postedit eval`.

Importing `eval` is cheap; the metric and plotting stacks load with the modules that need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the `eval` command to a Typer app (see `eval.cli.register`)."""
    from eval.cli import register as _register

    _register(app)
