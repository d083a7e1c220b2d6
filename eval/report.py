"""DIR/summary.json, DIR/report.md and a self-contained DIR/report.html (PNGs embedded as data URIs and
also kept under DIR/plots/), all rendered from one `Summary`."""

from __future__ import annotations

import base64
import html
import json
import math
from pathlib import Path

from agent import Status
from eval.definitions import LEARNING, SIGNIFICANCE, definition
from eval.learning import BASELINE, LearningCurve
from eval.metrics.base import Score
from eval.plots import draw_all
from eval.runner import TM_SYSTEM
from eval.summary import Summary

__all__ = ["headline_rows", "learning_rows", "write_reports"]

_HEADLINE = (
    "chrF++/ref",
    "chrF++/pe",
    "BLEU/ref",
    "BLEU/pe",
    "TER/ref",
    "TER/pe",
    "term_success",
    "term_form_agreement/ref",
    "harm_rate",
    "markup_accuracy",
    "edit_rate",
    "violations_per_segment",
    "calls_per_segment",
    "latency_p50_ms",
    "latency_p95_ms",
)


_NONE = Score("none", float("nan"), "", 0)


def _fmt(x: float | None, digits: int = 3) -> str:
    if x is None or math.isnan(x):
        return "–"
    if abs(x) >= 100:
        return f"{x:.1f}"
    return f"{x:.{digits}g}" if abs(x) < 1 else f"{x:.2f}"


def _cell(sc: Score | None) -> str:
    if sc is None or (sc.n == 0 and math.isnan(sc.value)):
        return "–"
    out = _fmt(sc.value)
    if sc.ci is not None and not math.isnan(sc.ci):
        out += f" ± {_fmt(sc.ci)}"
    return out


def _verdict(sc: Score | None) -> str:
    """'yes, better (p=…)' / 'yes, worse (p=…)' / 'no (p=…)' for a system compared with the MT."""
    if sc is None or sc.significant is None or sc.p_value is None:
        return ""
    p = f"p={sc.p_value:.3f}"
    return f"yes ({p})" if sc.significant else f"no ({p})"


def _direction(summary: Summary, system: str, metric: str) -> str:
    sc, base = summary.score(system, metric), summary.score("mt", metric)
    if sc is None or base is None or sc.significant is not True:
        return _verdict(sc)
    better = sc.value > base.value if sc.higher_is_better else sc.value < base.value
    return f"yes, {'better' if better else 'worse'} (p={sc.p_value:.3f})"


def _primary(summary: Summary) -> str | None:
    names = summary.metric_names()
    return next((m for m in ("chrF++/ref", "chrF++/pe") if m in names), None)


def headline_rows(summary: Summary) -> tuple[list[str], list[list[str]]]:
    """The summary table: one row per system, headline metrics, and "significant vs MT?" on chrF++."""
    names = summary.metric_names()
    cols = [
        m for m in _HEADLINE if m in names and any((summary.score(s, m) or _NONE).n for s in summary.systems)
    ]
    primary = _primary(summary)
    header = ["system", *cols] + ([f"significant vs MT? ({primary})"] if primary else [])
    rows: list[list[str]] = []
    for s in summary.systems:
        row = [s, *[_cell(summary.score(s, m)) for m in cols]]
        if primary:
            row.append("baseline" if s == "mt" else _direction(summary, s, primary))
        rows.append(row)
    return header, rows


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _detail_rows(summary: Summary) -> tuple[list[str], list[list[str]]]:
    header = ["metric", "system", "value", "± 95% CI", "n", "p vs MT", "significant vs MT?", "signature"]
    rows: list[list[str]] = []
    for m in summary.metric_names():
        for s in summary.systems:
            sc = summary.score(s, m)
            if sc is None:
                continue
            rows.append(
                [
                    m,
                    s,
                    _fmt(sc.value, 4),
                    _fmt(sc.ci),
                    str(sc.n),
                    "" if sc.p_value is None else f"{sc.p_value:.4f}",
                    "baseline" if s == "mt" and sc.p_value is None else _direction(summary, s, m),
                    sc.signature,
                ]
            )
    return header, rows


def _status_rows(summary: Summary) -> tuple[list[str], list[list[str]]]:
    """Every status the agent returns (`tm_exact`: a 100% memory match returned without a model call)."""
    states = [s.value for s in Status]
    header = ["system", *states]
    return header, [
        [s, *[str(summary.statuses.get(s, {}).get(k, 0)) for k in states]] for s in summary.systems
    ]


def learning_rows(summary: Summary) -> tuple[list[str], list[list[str]]]:
    """The memory's effect, one row per system: corpus chrF++ and term success with the difference to
    agent-minimal and its paired-bootstrap p-value, memory hits, tm_exact rows and model calls."""
    curve = summary.learning
    if curve is None:
        return [], []
    metrics = [m for m in (f"chrF++/{curve.side}", "term_success") if m in curve.scores.get(BASELINE, {})]
    header = [
        "system",
        *metrics,
        *[f"Δ {m} (p)" for m in metrics],
        "memory matches",
        "tm_exact",
        "model calls",
    ]
    return header, [_learning_row(curve, system, metrics) for system in (BASELINE, TM_SYSTEM)]


def _learning_row(curve: LearningCurve, system: str, metrics: list[str]) -> list[str]:
    mine = curve.scores.get(system, {})
    values = [_fmt(mine[m].value) for m in metrics]
    if system == BASELINE:
        return [
            system,
            *values,
            *["–"] * len(metrics),
            "–",
            "–",
            str(curve.counts.get(f"model_calls/{system}", 0)),
        ]
    deltas = [f"{curve.delta(m) or 0.0:+.3g} (p={mine[m].p_value or 1.0:.3f})" for m in metrics]
    counts = [curve.counts.get(k, 0) for k in ("memory_hits", "tm_exact", f"model_calls/{system}")]
    return [system, *values, *deltas, *map(str, counts)]


def _violation_rows(summary: Summary) -> tuple[list[str], list[list[str]]]:
    systems = [s for s in summary.systems if s != "mt"]
    codes = sorted(
        set(summary.violations_before) | {c for s in systems for c in summary.violations.get(s, {})}
    )
    header = ["code", "MT (before)", *systems]
    rows = [
        [
            c,
            str(summary.violations_before.get(c, 0)),
            *[str(summary.violations.get(s, {}).get(c, 0)) for s in systems],
        ]
        for c in codes
    ]
    return header, rows


def _definitions(summary: Summary) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for m in summary.metric_names():
        key = m.split("/")[0]
        if key not in seen and definition(m):
            seen[key] = definition(m)
    return list(seen.items())


def _markdown(summary: Summary, plots: dict[str, Path], out_dir: Path) -> str:
    meta = summary.meta
    parts = [
        "# Post-editing evaluation report",
        "",
        f"- date: {meta.get('date')}",
        f"- language pair: {meta.get('source_lang')} → {meta.get('target_lang')}",
        f"- data: {', '.join(meta.get('datasets', []))} ({meta.get('aligned_segments')} segments scored"
        f" of {meta.get('segments')})",
    ]
    for key in (
        "command",
        "model",
        "config",
        "prompt_version",
        "glossary",
        "style",
        "sacrebleu",
        "bleu_tokenizer",
        "signature",
    ):
        if meta.get(key) is not None:
            parts.append(f"- {key}: `{meta[key]}`")
    parts += ["", "## Summary", "", _md_table(*headline_rows(summary)), "", SIGNIFICANCE, ""]
    if summary.notes:
        parts += ["## Notes", "", *[f"- {n}" for n in summary.notes], ""]
    parts += ["## Status per system", "", _md_table(*_status_rows(summary)), ""]
    lh, lr = learning_rows(summary)
    if lr:
        parts += ["## Translation memory: agent-minimal+tm against agent-minimal", "", _md_table(lh, lr), ""]
        parts += [LEARNING, ""]
    vh, vr = _violation_rows(summary)
    if vr:
        parts += [
            "## QA violations by code (before = in the MT, after = in each output)",
            "",
            _md_table(vh, vr),
            "",
        ]
    if summary.judge:
        parts += ["## LLM judge verdicts", ""]
        parts += [f"- {s}: {json.dumps(v)}" for s, v in summary.judge.items()] + [""]
    parts += ["## Plots", ""]
    parts += [f"![{title}]({p.relative_to(out_dir).as_posix()})" for title, p in plots.items()] + [""]
    parts += ["## All metrics", "", _md_table(*_detail_rows(summary)), ""]
    parts += ["## Metric definitions", "", *[f"- **{k}**: {v}" for k, v in _definitions(summary)], ""]
    return "\n".join(parts)


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 7px;
text-align:left}th{background:#f3f3f3}img{max-width:100%;border:1px solid #eee;margin:.5em 0}
code{background:#f5f5f5;padding:0 3px}dt{font-weight:bold}dd{margin:0 0 .6em 1em}"""


def _html(summary: Summary, plots: dict[str, Path]) -> str:
    meta = summary.meta
    e = html.escape
    info = "".join(
        f"<li>{e(k)}: <code>{e(str(v))}</code></li>"
        for k, v in meta.items()
        if v is not None and k not in ("datasets",)
    )
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Post-editing evaluation report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Post-editing evaluation report</h1>",
        f"<p>Data: {e(', '.join(meta.get('datasets', [])))}</p><ul>{info}</ul>",
        "<h2>Summary</h2>",
        _html_table(*headline_rows(summary)),
        f"<p>{e(SIGNIFICANCE)}</p>",
    ]
    if summary.notes:
        parts += ["<h2>Notes</h2><ul>", *[f"<li>{e(n)}</li>" for n in summary.notes], "</ul>"]
    parts += ["<h2>Status per system</h2>", _html_table(*_status_rows(summary))]
    lh, lr = learning_rows(summary)
    if lr:
        parts += ["<h2>Translation memory: agent-minimal+tm against agent-minimal</h2>", _html_table(lh, lr)]
        parts.append(f"<p>{e(LEARNING)}</p>")
    vh, vr = _violation_rows(summary)
    if vr:
        parts += ["<h2>QA violations by code</h2>", _html_table(vh, vr)]
    parts.append("<h2>Plots</h2>")
    for title, p in plots.items():
        data = base64.b64encode(p.read_bytes()).decode()
        parts.append(f"<h3>{e(title)}</h3><img alt='{e(title)}' src='data:image/png;base64,{data}'>")
    parts += ["<h2>All metrics</h2>", _html_table(*_detail_rows(summary)), "<h2>Metric definitions</h2><dl>"]
    parts += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in _definitions(summary)]
    parts.append("</dl></body></html>")
    return "\n".join(parts)


def write_reports(summary: Summary, out_dir: Path) -> dict[str, Path]:
    """Write summary.json, the plots, report.md and report.html; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "summary": out_dir / "summary.json",
        "markdown": out_dir / "report.md",
        "html": out_dir / "report.html",
    }
    paths["summary"].write_text(
        json.dumps(_clean(summary.to_json()), ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    plots = draw_all(summary, out_dir / "plots")
    paths["markdown"].write_text(_markdown(summary, plots, out_dir), encoding="utf-8")
    paths["html"].write_text(_html(summary, plots), encoding="utf-8")
    for title, p in plots.items():
        paths[f"plot:{title}"] = p
    return paths


def _clean(obj: object) -> object:
    """NaN (a metric with no items) becomes null, so summary.json is strict JSON."""
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj
