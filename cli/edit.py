"""`postedit edit` (one segment) and `postedit batch` (a JSONL file, resumable)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text
from tqdm import tqdm

from agent import EditOptions, Mode, PostEditor, Segment, SegmentResult, Status
from cli.options import SrcLang, TgtLang
from formats.jsonl import JsonlError, read_objects
from glossaries.constraints import constraint_entries
from glossaries.model import ResourceError, Termbase
from server.settings import get_settings

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", help="Model gateway YAML (default: POSTEDIT_MODEL_CONFIG_PATH, else the embedded model)."
    ),
]
GlossaryOpt = Annotated[Path | None, typer.Option("--glossary", help="Termbase: TBX, CSV/TSV or YAML.")]
StyleOpt = Annotated[Path | None, typer.Option("--style", help="Style guide YAML.")]
ModeOpt = Annotated[
    Mode, typer.Option("--mode", help="minimal: fix only flagged problems; full: review all.")
]

err = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Bad input: one line on stderr, exit status 2."""
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(2)


def load_resources(
    glossary: Path | None, style: Path | None, src: str, tgt: str
) -> tuple[Termbase | None, Any]:
    from glossaries.loader import load_termbase
    from glossaries.style import load_style_guide

    try:
        tb = load_termbase(glossary, source_lang=src, target_lang=tgt) if glossary else None
        sg = load_style_guide(style) if style else None
    except ResourceError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{exc.filename}: {exc.strerror}") from None
    return tb, sg


@asynccontextmanager
async def open_editor(config: Path | None, *, llm: bool = True) -> AsyncIterator[PostEditor]:
    """A PostEditor on the configured model, starting the embedded llama.cpp server when the config needs it."""
    if not llm:
        yield PostEditor(None)
        return
    from agent.llm import LLMGateway
    from runtime.embedded import serving

    gateway = LLMGateway.from_config(config or get_settings().model_config_path)
    async with serving(gateway):
        yield PostEditor(gateway)


def _print_result(console: Console, result: SegmentResult) -> None:
    colour = {
        Status.UNCHANGED: "green",
        Status.EDITED: "cyan",
        Status.NEEDS_REVIEW: "yellow",
        Status.TM_EXACT: "green",
    }[result.status]
    console.print(
        f"[bold {colour}]{result.status.value}[/]  ({result.latency_ms:.0f} ms, "
        f"{result.usage.calls} model call(s), {result.rounds} round(s))"
    )
    if result.mt is not None:
        line = Text()
        pos = 0
        for e in result.edits:
            line.append(result.output[pos : e.out_start])
            if e.before:
                line.append(e.before, style="red strike")
            if e.after:
                line.append(e.after, style="green bold")
            pos = e.out_end
        line.append(result.output[pos:])
        console.print(line)
    else:
        console.print(result.output)
    for v in result.violations:
        console.print(
            f"  [{'red' if v.severity.value == 'error' else 'yellow'}]{v.severity.value}[/] "
            f"{v.code}: {v.message}",
            highlight=False,
        )
    if result.reason:
        console.print(f"  reason: {result.reason}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(edit)
    app.command()(batch)


SourceOpt = Annotated[str, typer.Option("--source", help="Source segment.")]
MtOpt = Annotated[str | None, typer.Option("--mt", help="Machine translation (omit to translate).")]
ExplainOpt = Annotated[bool, typer.Option("--explain", help="Ask the model for a reason per edit.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
InfileArg = Annotated[Path, typer.Argument(help="JSONL rows {id, src, mt?, terms?}.", exists=True)]
ResultsOpt = Annotated[Path, typer.Option("--out", help="Results JSONL; rerunning resumes it.")]
ConcurrencyOpt = Annotated[int, typer.Option("--concurrency", min=1)]
RulesOnlyOpt = Annotated[bool, typer.Option("--rules-only", help="Deterministic fixes only, no model.")]


def edit(
    src_lang: SrcLang,
    tgt_lang: TgtLang,
    source: SourceOpt,
    mt: MtOpt = None,
    glossary: GlossaryOpt = None,
    style: StyleOpt = None,
    mode: ModeOpt = Mode.MINIMAL,
    explain: ExplainOpt = False,
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Post-edit one segment and show the diff and the remaining QA findings."""
    tb, sg = load_resources(glossary, style, src_lang, tgt_lang)
    options = EditOptions(src_lang, tgt_lang, mode=mode, explain=explain)

    async def run() -> SegmentResult:
        async with open_editor(config) as editor:
            return await editor.edit(Segment("1", source, mt), options, glossary=tb, style=sg)

    result = asyncio.run(run())
    if as_json:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_result(Console(), result)
    raise typer.Exit(1 if result.status is Status.NEEDS_REVIEW else 0)


def batch(
    infile: InfileArg,
    out: ResultsOpt,
    src_lang: SrcLang,
    tgt_lang: TgtLang,
    glossary: GlossaryOpt = None,
    style: StyleOpt = None,
    mode: ModeOpt = Mode.MINIMAL,
    concurrency: ConcurrencyOpt = 4,
    rules_only: RulesOnlyOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Post-edit a JSONL file; a rerun skips rows already in --out, so nothing is lost or repeated."""
    tb, sg = load_resources(glossary, style, src_lang, tgt_lang)
    segments = _read_rows(infile)
    done = _done_ids(out)
    todo = [s for s in segments if s.id not in done]
    options = EditOptions(src_lang, tgt_lang, mode=mode)

    async def run() -> None:
        async with open_editor(config, llm=not rules_only) as editor:
            with (
                out.open("a", encoding="utf-8") as sink,
                tqdm(
                    total=len(segments), initial=len(segments) - len(todo), unit="seg", file=sys.stderr
                ) as bar,
            ):
                async for result in editor.edit_many(
                    todo, options, glossary=tb, style=sg, concurrency=concurrency
                ):
                    sink.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
                    sink.flush()
                    bar.update()

    asyncio.run(run())


def _read_rows(path: Path) -> list[Segment]:
    segments: list[Segment] = []
    seen: set[str] = set()
    try:
        objects = list(read_objects(path))
    except JsonlError as exc:
        raise fail(str(exc)) from None
    for n, row in objects:
        row_id = str(row.get("id", n))
        source = row.get("src")
        if not isinstance(source, str):
            raise fail(f"{path}:{n}: a row needs a string 'src'")
        if row_id in seen:
            raise fail(f"{path}:{n}: duplicate id {row_id!r}")
        seen.add(row_id)
        segments.append(
            Segment(
                row_id,
                source,
                row.get("mt"),
                row.get("context"),
                constraint_entries(row.get("terms") or [], row_id),
            )
        )
    return segments


def _done_ids(out: Path) -> set[str]:
    """Ids already written; a torn last line (killed mid-write) is dropped so the row is redone."""
    if not out.exists():
        return set()
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    ids: set[str] = set()
    good: list[str] = []
    for line in lines:
        try:
            ids.add(str(json.loads(line)["id"]))
            good.append(line if line.endswith("\n") else line + "\n")
        except (json.JSONDecodeError, KeyError):
            continue
    if len(good) != len(lines):
        out.write_text("".join(good), encoding="utf-8")
    return ids
