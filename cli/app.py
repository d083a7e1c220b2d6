"""The `postedit` console script: one Typer app composed from each package's commands."""

from __future__ import annotations

import typer


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="postedit",
        help="Agentic post-editing of machine translation: glossary- and style-aware, markup-safe, self-checking.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )
    from cli import check, edit, model

    check.register(app)
    edit.register(app)
    model.register(app)
    try:
        from cli import evaluate as eval_cli
    except ImportError:  # the eval extra is not installed
        pass
    else:
        eval_cli.register(app)
    from cli.serve import register as register_server

    register_server(app)
    return app


def main() -> None:
    from server.settings import prepare_libraries

    prepare_libraries()
    build_app()()
