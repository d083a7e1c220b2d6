"""`postedit check`: run the QA self-check on one segment or a JSONL batch, from the command line.

Exit status: 0 when no error-severity violation, 1 when there is one, 2 for bad input (one line on stderr),
an unsupported language code included.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from agent import CheckInput, Violation, has_errors, run_checks
from agent.checks.input import asserted_matches, inline_termbase
from cli.options import SrcLang, TgtLang
from formats.jsonl import JsonlError, read_objects
from glossaries.loader import load_termbase
from glossaries.matcher import TermMatcher
from glossaries.model import ResourceError, Termbase
from glossaries.style import StyleGuide, load_style_guide

__all__ = ["check", "register"]

_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}


class BadInput(Exception):
    """Input the user must fix; its message is printed as the one-line reason."""


def _violations_json(violations: list[Violation]) -> list[dict[str, object]]:
    return [v.to_json() for v in violations]


def _print_human(console: Console, violations: list[Violation], target: str) -> None:
    if not violations:
        console.print("[green]no violations[/green]")
        return
    table = Table(show_header=True, header_style="bold")
    for col in ("severity", "code", "where", "message"):
        table.add_column(col)
    for v in violations:
        where = repr(target[v.start : v.end]) if v.start is not None and v.end is not None else ""
        colour = _COLOURS.get(v.severity.value, "white")
        table.add_row(f"[{colour}]{v.severity.value}[/{colour}]", v.code, where, v.message)
    console.print(table)


def _check_one(
    source: str,
    target: str,
    src_lang: str,
    tgt_lang: str,
    termbase: Termbase | None,
    matcher: TermMatcher | None,
    style: StyleGuide | None,
    terms: list[dict[str, Any]] | None = None,
    row_id: str = "",
) -> list[Violation]:
    if terms:
        extra = inline_termbase(terms, src_lang, tgt_lang, id=row_id or "terms")
        tb = extra if termbase is None else termbase.merged(extra)
        row_matcher = TermMatcher(tb)
        matches = asserted_matches(extra, source, row_matcher)
        inp = CheckInput(
            source, target, src_lang, tgt_lang, matches=matches, matcher=row_matcher, style=style
        )
    else:
        inp = CheckInput(source, target, src_lang, tgt_lang, matcher=matcher, style=style)
    return run_checks(inp)


def _rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    for n, row in read_objects(path):
        if not isinstance(row.get("src"), str):
            raise BadInput(f"{path}:{n}: a row needs a string 'src'")
        target = row.get("target", row.get("mt"))
        if not isinstance(target, str):
            raise BadInput(f"{path}:{n}: a row needs a string 'mt' or 'target'")
        terms = row.get("terms") or []
        if not isinstance(terms, list) or not all(isinstance(t, dict) and "src" in t for t in terms):
            raise BadInput(f'{path}:{n}: \'terms\' must be a list of {{"src": ..., "tgt": [...]}}')
        rows.append((n, row))
    return rows


def check(
    src_lang: SrcLang,
    tgt_lang: TgtLang,
    source: Annotated[str | None, typer.Option("--source", help="Source segment.")] = None,
    target: Annotated[str | None, typer.Option("--target", help="Target segment to check.")] = None,
    glossary: Annotated[
        Path | None, typer.Option("--glossary", help="Termbase: TBX, CSV/TSV or YAML.")
    ] = None,
    style: Annotated[Path | None, typer.Option("--style", help="Style guide (YAML).")] = None,
    batch: Annotated[
        Path | None,
        typer.Option("--batch", help='JSONL rows {"id","src","mt"|"target","terms"?}; one result per row.'),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Check a translation against its source: terms, tags, placeholders, numbers, punctuation, style."""
    try:
        if batch is None and (source is None or target is None):
            raise BadInput("give --source and --target, or --batch FILE.jsonl")
        termbase = load_termbase(glossary, source_lang=src_lang, target_lang=tgt_lang) if glossary else None
        matcher = TermMatcher(termbase) if termbase is not None else None
        style_guide = load_style_guide(style) if style else None
        if batch is not None:
            any_error = False
            for n, row in _rows(batch):
                row_id = str(row.get("id", n))
                tgt = row.get("target", row.get("mt"))
                assert isinstance(tgt, str)
                found = _check_one(
                    row["src"],
                    tgt,
                    src_lang,
                    tgt_lang,
                    termbase,
                    matcher,
                    style_guide,
                    row.get("terms"),
                    row_id,
                )
                any_error = any_error or has_errors(found)
                print(json.dumps({"id": row_id, "violations": _violations_json(found)}, ensure_ascii=False))
            raise typer.Exit(1 if any_error else 0)
        assert source is not None and target is not None
        found = _check_one(source, target, src_lang, tgt_lang, termbase, matcher, style_guide)
    except (ResourceError, BadInput, JsonlError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps({"violations": _violations_json(found)}, ensure_ascii=False))
    else:
        _print_human(Console(), found, target)
    raise typer.Exit(1 if has_errors(found) else 0)


def register(app: typer.Typer) -> None:
    """Add the `check` command to the `postedit` app."""
    app.command("check")(check)
