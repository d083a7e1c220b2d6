"""`postedit eval`: run systems over evaluation sets, score them, and write the report.

postedit eval DATA.jsonl [DATA2 ...] --src-lang en --tgt-lang fr [--glossary F] [--style F]
    [--systems mt,rules,agent-minimal,agent-full] [--config models.yaml] [--limit N]
    [--concurrency N] [--out DIR] [--judge] [--mlflow]
"""

from __future__ import annotations

import asyncio
import json
import shlex
import sys
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.options import SrcLang, TgtLang
from eval.datasets import DatasetError, EvalRow, load_datasets
from eval.runner import SYSTEMS, RunSpec, RunStats, open_systems, run_systems
from eval.store import ResultStore
from glossaries.model import ResourceError

__all__ = ["register"]

err = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(2)


def _systems(text: str) -> tuple[str, ...]:
    asked = [s.strip() for s in text.split(",") if s.strip()]
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
    async with open_systems(spec) as fns:
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


def register(app: typer.Typer) -> None:
    """Add the `eval` command to the `postedit` app."""

    @app.command("eval")
    def eval_command(
        data: Annotated[
            list[Path], typer.Argument(help="JSONL (id, src, mt, ref?, pe?, terms?) or XLIFF files.")
        ],
        src_lang: SrcLang,
        tgt_lang: TgtLang,
        glossary: Annotated[
            Path | None, typer.Option("--glossary", help="Termbase: TBX, CSV/TSV or YAML.")
        ] = None,
        style: Annotated[Path | None, typer.Option("--style", help="Style guide YAML.")] = None,
        systems: Annotated[
            str,
            typer.Option("--systems", help=f"Comma-separated, from {','.join(SYSTEMS)} (mt always runs)."),
        ] = "mt,rules,agent-minimal,agent-full",
        config: Annotated[
            Path | None,
            typer.Option(
                "--config",
                envvar="POSTEDIT_MODEL_CONFIG_PATH",
                help="Model gateway YAML (default: embedded).",
            ),
        ] = None,
        limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most N rows per file.")] = None,
        concurrency: Annotated[int, typer.Option("--concurrency", min=1, help="Segments in flight.")] = 4,
        out: Annotated[
            Path, typer.Option("--out", help="Output directory (resumes if it has results).")
        ] = Path("eval-out"),
        judge: Annotated[
            bool, typer.Option("--judge", help="Also run the ragas LLM-as-judge metric.")
        ] = False,
        mlflow: Annotated[
            bool, typer.Option("--mlflow", help="Log to a local MLflow store in OUT/mlruns.")
        ] = False,
        progress: Annotated[
            bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")
        ] = True,
        ragas: Annotated[
            bool, typer.Option("--ragas/--no-ragas", help="ragas string cross-check metrics.")
        ] = True,
    ) -> None:
        """Evaluate systems (MT baseline, rules, agent) on post-editing sets and write a report with plots."""
        console = Console()
        chosen = _systems(systems)
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
        spec = RunSpec(
            source_lang=src_lang,
            target_lang=tgt_lang,
            systems=chosen,
            glossary=termbase,
            style=guide,
            config=config,
            concurrency=concurrency,
        )
        out.mkdir(parents=True, exist_ok=True)
        model = _model_name(config) if set(chosen) & {"agent-minimal", "agent-full"} else None
        params: dict[str, Any] = {
            "command": "postedit " + shlex.join(sys.argv[1:]) if sys.argv[1:2] == ["eval"] else None,
            "systems": ",".join(chosen),
            "model": model,
            "config": str(config) if config else ("embedded default" if model else None),
            "style": None if guide is None else f"{style}",
            "limit": limit,
        }
        (out / "run.json").write_text(
            json.dumps({k: v for k, v in params.items()}, indent=2), encoding="utf-8"
        )
        threading.Thread(target=_prewarm, args=(ragas,), daemon=True).start()
        t0 = time.perf_counter()
        stats, verdicts = asyncio.run(_run(rows, spec, out, judge=judge, progress=progress))
        run_s = time.perf_counter() - t0

        from eval.report import headline_rows, write_reports
        from eval.summary import summarize

        t1 = time.perf_counter()
        summary = summarize(
            rows,
            ResultStore(out / "results.jsonl").rows(),
            source_lang=src_lang,
            target_lang=tgt_lang,
            systems=chosen,
            glossary=termbase,
            meta={**params, "run_seconds": round(run_s, 2), "resumed_rows": stats.skipped},
            with_ragas=ragas,
            judge=verdicts,
        )
        if mlflow:
            from eval.tracking import mlflow_available

            if not mlflow_available():
                summary.notes.append(
                    "--mlflow: mlflow is not installed (pip install 'postedit[mlflow]'); skipped."
                )
        t2 = time.perf_counter()
        files = write_reports(summary, out)
        t3 = time.perf_counter()
        timing = {
            "run_s": round(run_s, 3),
            "systems_run_s": round(stats.wall_s, 3),
            "model_s": round(stats.model_s, 3),
            "scoring_s": round(t2 - t1, 3),
            "report_s": round(t3 - t2, 3),
        }
        (out / "timing.json").write_text(json.dumps(timing, indent=2), encoding="utf-8")
        if mlflow:
            from eval.tracking import log_to_mlflow, mlflow_available

            if mlflow_available():
                uri = log_to_mlflow(summary, files, out, params)
                console.print(f"MLflow: logged to {uri}")
            else:
                err.print("[yellow]mlflow is not installed: --mlflow skipped[/yellow]")
        _print_summary(console, *headline_rows(summary))
        console.print(
            f"{stats.done} new result(s), {stats.skipped} resumed, {stats.errors} error(s) "
            f"in {stats.wall_s:.1f} s (scoring {t2 - t1:.1f} s, report {t3 - t2:.1f} s); "
            f"report: {files['html']}",
            highlight=False,
        )
