"""The `postedit` command: one Typer app (`cli.app`), one module per command group, registered one way."""
