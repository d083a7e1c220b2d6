"""Options every command shares. Languages are checked as the API checks them, so a typo such as
`--tgt-lang xx` stops with a usage error (exit status 2) instead of a run with no language rules."""

from __future__ import annotations

from typing import Annotated

import typer

from glossaries.languages import LANGUAGES, is_supported

__all__ = ["SrcLang", "TgtLang", "supported_language"]


def supported_language(code: str) -> str:
    """Typer callback: the code as given, or a usage error naming it and the codes that work."""
    if not is_supported(code):
        raise typer.BadParameter(
            f"unsupported language code {code!r}; supported: {', '.join(sorted(LANGUAGES))} "
            "(with a region or script if you like, e.g. pt-BR)"
        )
    return code


SrcLang = Annotated[
    str, typer.Option("--src-lang", callback=supported_language, help="Source language code, e.g. en.")
]
TgtLang = Annotated[
    str, typer.Option("--tgt-lang", callback=supported_language, help="Target language code, e.g. de.")
]
