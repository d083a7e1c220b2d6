"""`postedit eval`: run systems over evaluation sets, score them, and write the report.

postedit eval DATA.jsonl [DATA2 ...] --src-lang en --tgt-lang fr [--glossary F] [--style F]
    [--systems mt,rules,agent-minimal,agent-minimal+tm,agent-full] [--config models.yaml] [--limit N]
    [--concurrency N] [--out DIR] [--judge] [--mlflow]
    [--learning-curve] [--curve-window N] [--memory-tmx FILE]

`--learning-curve` runs agent-minimal and agent-minimal+tm (a translation memory that learns each row's
reference after the row) and writes their learning curve (plots/learning_curve.png, the report's memory
section); it is drawn whenever a run has both systems.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.options import SrcLang, TgtLang
from eval.datasets import DatasetError, EvalRow, load_datasets
from eval.runner import MODEL_SYSTEMS, SYSTEMS, TM_SYSTEM, RunSpec, RunStats, open_systems, run_systems
from eval.store import ResultStore
from glossaries.model import ResourceError
from server.settings import get_settings

if TYPE_CHECKING:
    from glossaries.model import Termbase
    from glossaries.style import StyleGuide

__all__ = ["register"]

err = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(2)


DEFAULT_SYSTEMS = "mt,rules,agent-minimal,agent-full"
CURVE_SYSTEMS = f"mt,agent-minimal,{TM_SYSTEM}"  # the curve compares the agent with and without a memory


def _systems(text: str | None, *, learning_curve: bool = False) -> tuple[str, ...]:
    if text is None:
        text = CURVE_SYSTEMS if learning_curve else DEFAULT_SYSTEMS
    asked = [s.strip() for s in text.split(",") if s.strip()]
    if learning_curve:
        asked += CURVE_SYSTEMS.split(",")
    unknown = [s for s in asked if s not in SYSTEMS]
    if unknown:
        raise _fail(f"unknown system(s) {', '.join(unknown)}; choose from {', '.join(SYSTEMS)}")
    # The MT is every paired test's baseline: always run it (it costs no model call).
    return tuple(s for s in SYSTEMS if s in asked or s == "mt")


def _model_name(config: Path | None) -> str | None:
    try:
        from agent.llm import load_gateway_config

        cfg = load_gateway_config(config)
        return cfg.deployments_of(cfg.model)[0].model
    except Exception:  # the name is informational; a bad config fails loudly when the gateway is built
        return None


async def _run(
    rows: list[EvalRow], spec: RunSpec, out: Path, *, judge: bool, progress: bool
) -> tuple[RunStats, dict[str, list[str]] | None]:
    store = ResultStore(out / "results.jsonl")
    verdicts: dict[str, list[str]] | None = None
    async with open_systems(spec, rows) as fns:
        stats = await run_systems(rows, spec, store, systems=fns, progress=progress)
        if judge:
            from eval.judge import run_judge
            from eval.metrics.ragas_metrics import judge_endpoint

            verdicts = await run_judge(
                rows,
                store.rows(),
                spec.systems,
                source_lang=spec.source_lang,
                target_lang=spec.target_lang,
                glossary=spec.glossary,
                endpoint=judge_endpoint(spec.config),
                store=ResultStore(out / "judge.jsonl"),
                concurrency=spec.concurrency,
            )
    return stats, verdicts


def _prewarm(with_ragas: bool) -> None:
    """Import the scoring and plotting stack while the run waits on the model (imports take seconds)."""
    import eval.report
    import eval.summary  # noqa: F401  (sacreBLEU, numpy)

    if with_ragas:
        from eval.metrics.ragas_metrics import ragas_available

        ragas_available()


_CONSOLE_COLUMNS = ("system", "chrF++/ref", "chrF++/pe", "term_success", "markup_accuracy", "edit_rate")


def _print_summary(console: Console, header: list[str], rows: list[list[str]]) -> None:
    """The headline columns that fit a terminal; the full table is in the report."""
    keep = [i for i, h in enumerate(header) if h in _CONSOLE_COLUMNS or h.startswith("significant")]
    table = Table(*[header[i] for i in keep], title="postedit eval")
    for r in rows:
        table.add_row(*[r[i] for i in keep])
    console.print(table)


def _print_learning(console: Console, header: list[str], rows: list[list[str]], plot: Path | None) -> None:
    """The memory's effect against agent-minimal, and where its learning curve is."""
    table = Table(*header, title="translation memory")
    for r in rows:
        table.add_row(*r)
    console.print(table)
    if plot is not None:
        console.print(f"learning curve: {plot}", highlight=False)


DataArg = Annotated[list[Path], typer.Argument(help="JSONL (id, src, mt, ref?, pe?, terms?) or XLIFF files.")]
GlossaryOpt = Annotated[Path | None, typer.Option("--glossary", help="Termbase: TBX, CSV/TSV or YAML.")]
StyleOpt = Annotated[Path | None, typer.Option("--style", help="Style guide YAML.")]
SystemsOpt = Annotated[
    str | None,
    typer.Option(
        "--systems",
        help=f"Comma-separated, from {','.join(SYSTEMS)} (mt always runs). Default: "
        "mt,rules,agent-minimal,agent-full; with --learning-curve: mt,agent-minimal,agent-minimal+tm.",
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", help="Model gateway YAML (default: POSTEDIT_MODEL_CONFIG_PATH, else the embedded model)."
    ),
]
LimitOpt = Annotated[int | None, typer.Option("--limit", min=1, help="At most N rows per file.")]
ConcurrencyOpt = Annotated[int, typer.Option("--concurrency", min=1, help="Segments in flight.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Output directory (resumes if it has results).")]
JudgeOpt = Annotated[bool, typer.Option("--judge", help="Also run the ragas LLM-as-judge metric.")]
MlflowOpt = Annotated[bool, typer.Option("--mlflow", help="Log to a local MLflow store in OUT/mlruns.")]
ProgressOpt = Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")]
RagasOpt = Annotated[bool, typer.Option("--ragas/--no-ragas", help="ragas string cross-check metrics.")]
CurveOpt = Annotated[
    bool,
    typer.Option(
        "--learning-curve",
        help=f"Also run agent-minimal and {TM_SYSTEM} and plot the memory's learning curve (plots/learning_curve.png).",
    ),
]
WindowOpt = Annotated[
    int,
    typer.Option("--curve-window", min=0, help="Learning curve per window of N rows (0: cumulative mean)."),
]
MemoryTmxOpt = Annotated[
    Path | None,
    typer.Option(
        "--memory-tmx",
        help=f"Seed the memory of {TM_SYSTEM} with this TMX (else it starts empty); refused if it holds a "
        "test row's reference.",
    ),
]


def register(app: typer.Typer) -> None:
    """Add the `eval` command to the `postedit` app."""
    app.command("eval")(eval_command)


def eval_command(
    data: DataArg,
    src_lang: SrcLang,
    tgt_lang: TgtLang,
    glossary: GlossaryOpt = None,
    style: StyleOpt = None,
    systems: SystemsOpt = None,
    config: ConfigOpt = None,
    limit: LimitOpt = None,
    concurrency: ConcurrencyOpt = 4,
    out: OutOpt = Path("eval-out"),
    judge: JudgeOpt = False,
    mlflow: MlflowOpt = False,
    progress: ProgressOpt = True,
    ragas: RagasOpt = True,
    learning_curve: CurveOpt = False,
    curve_window: WindowOpt = 0,
    memory_tmx: MemoryTmxOpt = None,
) -> None:
    """Evaluate systems (MT baseline, rules, agent) on post-editing sets and write a report with plots."""
    chosen = _systems(systems, learning_curve=learning_curve)
    if memory_tmx is not None and TM_SYSTEM not in chosen:
        raise _fail(
            f"--memory-tmx seeds the memory of {TM_SYSTEM}: add it to --systems (or --learning-curve)"
        )
    config = config or get_settings().model_config_path  # the one reader of the environment
    rows, termbase, guide = _inputs(data, src_lang, tgt_lang, glossary, style, limit)
    spec = RunSpec(
        src_lang,
        tgt_lang,
        chosen,
        glossary=termbase,
        style=guide,
        config=config,
        concurrency=concurrency,
        memory_tmx=memory_tmx,
    )
    out.mkdir(parents=True, exist_ok=True)
    model = _model_name(config) if set(chosen) & MODEL_SYSTEMS else None
    params: dict[str, Any] = {
        "command": "postedit " + shlex.join(sys.argv[1:]) if sys.argv[1:2] == ["eval"] else None,
        "systems": ",".join(chosen),
        "model": model,
        "config": str(config) if config else ("embedded default" if model else None),
        "style": None if guide is None else f"{style}",
        "limit": limit,
        "memory_tmx": None if memory_tmx is None else str(memory_tmx),
        "curve_window": curve_window,
    }
    (out / "run.json").write_text(json.dumps(params, indent=2), encoding="utf-8")
    threading.Thread(target=_prewarm, args=(ragas,), daemon=True).start()
    t0 = time.perf_counter()
    try:
        stats, verdicts = asyncio.run(_run(rows, spec, out, judge=judge, progress=progress))
    except DatasetError as e:  # a memory seed that cannot be read or would leak references
        raise _fail(str(e)) from e
    run = _Run(rows, spec, out, params, stats, verdicts, time.perf_counter() - t0)
    _score_and_report(run, with_ragas=ragas, mlflow=mlflow)


def _inputs(
    data: list[Path],
    src_lang: str,
    tgt_lang: str,
    glossary: Path | None,
    style: Path | None,
    limit: int | None,
) -> tuple[list[EvalRow], Termbase | None, StyleGuide | None]:
    """The rows, termbase and style guide of a run; a usage error (exit 2) naming the file if one is bad."""
    try:
        rows = load_datasets(data, limit=limit)
        termbase = None
        if glossary is not None:
            from glossaries.loader import load_termbase

            termbase = load_termbase(glossary, source_lang=src_lang, target_lang=tgt_lang)
        guide = None
        if style is not None:
            from glossaries.style import load_style_guide

            guide = load_style_guide(style)
    except (DatasetError, ResourceError, OSError) as e:
        raise _fail(str(e)) from e
    if not rows:
        raise _fail("no rows to evaluate")
    return rows, termbase, guide


@dataclass(frozen=True)
class _Run:
    rows: list[EvalRow]
    spec: RunSpec
    out: Path
    params: dict[str, Any]
    stats: RunStats
    verdicts: dict[str, list[str]] | None
    seconds: float


def _score_and_report(run: _Run, *, with_ragas: bool, mlflow: bool) -> None:
    """Score the results, write report.md/html, plots and timing.json, log to MLflow if asked, print."""
    from eval.report import headline_rows, learning_rows, write_reports
    from eval.summary import summarize
    from eval.tracking import log_to_mlflow, mlflow_available

    console, spec, stats = Console(), run.spec, run.stats
    t1 = time.perf_counter()
    summary = summarize(
        run.rows,
        ResultStore(run.out / "results.jsonl").rows(),
        source_lang=spec.source_lang,
        target_lang=spec.target_lang,
        systems=spec.systems,
        glossary=spec.glossary,
        meta={**run.params, "run_seconds": round(run.seconds, 2), "resumed_rows": stats.skipped},
        with_ragas=with_ragas,
        judge=run.verdicts,
        curve_window=int(run.params.get("curve_window") or 0),
    )
    if mlflow and not mlflow_available():
        summary.notes.append("--mlflow: mlflow is not installed (pip install 'postedit[mlflow]'); skipped.")
    t2 = time.perf_counter()
    files = write_reports(summary, run.out)
    t3 = time.perf_counter()
    timing = {
        "run_s": round(run.seconds, 3),
        "systems_run_s": round(stats.wall_s, 3),
        "model_s": round(stats.model_s, 3),
        "scoring_s": round(t2 - t1, 3),
        "report_s": round(t3 - t2, 3),
    }
    (run.out / "timing.json").write_text(json.dumps(timing, indent=2), encoding="utf-8")
    if mlflow and mlflow_available():
        console.print(f"MLflow: logged to {log_to_mlflow(summary, files, run.out, run.params)}")
    elif mlflow:
        err.print("[yellow]mlflow is not installed: --mlflow skipped[/yellow]")
    _print_summary(console, *headline_rows(summary))
    if summary.learning is not None:
        _print_learning(console, *learning_rows(summary), files.get("plot:Translation memory learning curve"))
    console.print(
        f"{stats.done} new result(s), {stats.skipped} resumed, {stats.errors} error(s) "
        f"in {stats.wall_s:.1f} s (scoring {t2 - t1:.1f} s, report {t3 - t2:.1f} s); "
        f"report: {files['html']}",
        highlight=False,
    )
