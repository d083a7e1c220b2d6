"""The report's PNG plots, drawn with matplotlib's object API (`Figure`, Agg canvas): no pyplot global
state, no display needed. Each function writes one file and returns its path, or None when there is
nothing to plot (e.g. no term constraints in the set)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from eval.metrics.qa import category
from eval.summary import Summary

__all__ = ["draw_all", "learning_curve"]

_DPI = 110
_PRIMARY = ("chrF++", "BLEU", "TER")


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=_DPI, format="png")
    return path


def _finite(x: float | None) -> bool:
    return x is not None and not math.isnan(x)


def metric_by_system(summary: Summary, path: Path) -> Path | None:
    """chrF++ / BLEU / TER against each reference side, one panel each, bars with bootstrap 95% CIs."""
    panels = [m for m in summary.metric_names() if m.split("/")[0] in _PRIMARY]
    if not panels:
        return None
    fig = Figure(figsize=(3.2 * len(panels), 3.4))
    for k, metric in enumerate(panels, start=1):
        ax = fig.add_subplot(1, len(panels), k)
        systems = [s for s in summary.systems if summary.score(s, metric)]
        vals = [summary.scores[s][metric].value for s in systems]
        errs = [summary.scores[s][metric].ci or 0.0 for s in systems]
        colors = [_color(summary, s, metric) for s in systems]
        ax.bar(systems, vals, yerr=errs, capsize=4, color=colors)
        arrow = "↓ better" if metric.startswith("TER") else "↑ better"
        ax.set_title(f"{metric} ({arrow})", fontsize=9)
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    fig.suptitle("Metric by system (95% bootstrap CI; orange = significant vs MT)", fontsize=9)
    return _save(fig, path)


def _color(summary: Summary, system: str, metric: str) -> str:
    sc = summary.score(system, metric)
    if system == "mt":
        return "#888888"
    return "#e07b39" if sc is not None and sc.significant else "#4c78a8"


def edit_rate_histogram(summary: Summary, path: Path) -> Path | None:
    systems = [s for s in summary.systems if s != "mt" and summary.edit_rates.get(s)]
    if not systems:
        return None
    fig = Figure(figsize=(6, 3.4))
    ax = fig.add_subplot()
    bins = [i / 20 for i in range(21)] + [10.0]
    for s in systems:
        ax.hist(
            [min(x, 1.0) for x in summary.edit_rates[s]], bins=bins[:-1], histtype="step", label=s, lw=1.5
        )
    ax.set_xlabel("edit rate vs MT (TER of output against MT; clipped at 1)")
    ax.set_ylabel("segments")
    ax.legend(fontsize=8)
    return _save(fig, path)


def latency_distribution(summary: Summary, path: Path) -> Path | None:
    systems = [s for s in summary.systems if s != "mt" and summary.latencies.get(s)]
    if not systems:
        return None
    fig = Figure(figsize=(6, 3.4))
    ax = fig.add_subplot()
    ax.boxplot([summary.latencies[s] for s in systems], tick_labels=systems, showfliers=True)
    ax.set_ylabel("latency per segment (ms)")
    ax.set_title("Latency distribution", fontsize=9)
    return _save(fig, path)


def term_success(summary: Summary, path: Path) -> Path | None:
    metrics = ("term_success", "term_success_exact")
    systems = [
        s for s in summary.systems if (sc := summary.score(s, "term_success")) is not None and sc.n > 0
    ]
    if not systems:
        return None
    fig = Figure(figsize=(6, 3.4))
    ax = fig.add_subplot()
    width = 0.38
    for k, metric in enumerate(metrics):
        xs = [i + (k - 0.5) * width for i in range(len(systems))]
        scs = [summary.scores[s][metric] for s in systems]
        ax.bar(
            xs,
            [sc.value for sc in scs],
            width,
            yerr=[sc.ci if _finite(sc.ci) else 0 for sc in scs],
            capsize=3,
            label="lemma-aware" if k == 0 else "exact",
        )
    ax.set_xticks(range(len(systems)), systems)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("term success rate")
    ax.legend(fontsize=8)
    return _save(fig, path)


def violations_by_category(summary: Summary, path: Path) -> Path | None:
    groups: list[tuple[str, dict[str, int]]] = [("MT (before)", _by_category(summary.violations_before))]
    groups += [(s, _by_category(summary.violations.get(s, {}))) for s in summary.systems if s != "mt"]
    cats = sorted({c for _, g in groups for c in g})
    if not cats:
        return None
    fig = Figure(figsize=(max(6, 1.1 * len(cats)), 3.4))
    ax = fig.add_subplot()
    width = 0.8 / len(groups)
    for k, (name, counts) in enumerate(groups):
        xs = [i + (k - (len(groups) - 1) / 2) * width for i in range(len(cats))]
        ax.bar(xs, [counts.get(c, 0) for c in cats], width, label=name)
    ax.set_xticks(range(len(cats)), cats, rotation=30, fontsize=8)
    ax.set_ylabel("violations")
    ax.legend(fontsize=8)
    return _save(fig, path)


def _by_category(codes: dict[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for code, n in codes.items():
        out[category(code)] = out.get(category(code), 0) + n
    return out


_CURVE_COLORS = {"mt": "#888888", "agent-minimal": "#4c78a8", "agent-minimal+tm": "#e07b39"}
_CURVE_WIDTHS = {"agent-minimal": 2.6}  # wider, so it shows where the memory changes nothing


def learning_curve(summary: Summary, path: Path) -> Path | None:
    """agent-minimal vs agent-minimal+tm over the segments seen: chrF++, term success (when the set has
    terms) and the memory's hits, so a gain can be read against how much the memory had to offer."""
    curve = summary.learning
    if curve is None:
        return None
    panels = 3 if curve.has_terms else 2
    fig = Figure(figsize=(4.2 * panels, 3.6))
    how = "cumulative mean" if not curve.window else f"mean per {curve.window} rows"
    _curve_panel(fig.add_subplot(1, panels, 1), curve.x, curve.chrf, f"sentence chrF++/{curve.side} ({how})")
    if curve.has_terms:
        _curve_panel(fig.add_subplot(1, panels, 2), curve.x, curve.terms, f"term success ({how})")
    ax = fig.add_subplot(1, panels, panels)
    ax.plot(curve.x, curve.memory_hits, label="rows with a 75%+ memory match", color="#e07b39")
    ax.plot(curve.x, curve.tm_exact, label="rows returned tm_exact", color="#54a24b", linestyle="--")
    ax.set_title("memory hits (cumulative)", fontsize=9)
    ax.set_xlabel("segments seen")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=7)
    metric = f"chrF++/{curve.side}"
    tested, delta = curve.scores.get("agent-minimal+tm", {}).get(metric), curve.delta(metric)
    if tested is not None and tested.p_value is not None and delta is not None:
        fig.suptitle(
            f"Translation memory learning curve: corpus chrF++ {delta:+.2f} vs agent-minimal "
            f"(paired bootstrap p={tested.p_value:.3f})",
            fontsize=9,
        )
    return _save(fig, path)


def _curve_panel(ax: Any, x: Sequence[int], series: dict[str, list[float | None]], title: str) -> None:
    for system, ys in series.items():
        pts = [(xi, y) for xi, y in zip(x, ys, strict=True) if y is not None]
        if pts:
            style = "--" if system == "mt" else "-"
            ax.plot(
                *zip(*pts, strict=True),
                label=system,
                color=_CURVE_COLORS.get(system),
                linestyle=style,
                linewidth=_CURVE_WIDTHS.get(system, 1.4),
            )
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("segments seen")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=7)


def draw_all(summary: Summary, out_dir: Path) -> dict[str, Path]:
    """Every plot that has data, as {title: path} in report order."""
    plots: Sequence[tuple[str, str, object]] = (
        ("Metric by system", "metric_by_system.png", metric_by_system),
        ("Edit rate vs MT", "edit_rate_hist.png", edit_rate_histogram),
        ("Latency per segment", "latency.png", latency_distribution),
        ("Term success by system", "term_success.png", term_success),
        ("QA violations by category", "violations.png", violations_by_category),
        ("Translation memory learning curve", "learning_curve.png", learning_curve),
    )
    out: dict[str, Path] = {}
    for title, name, fn in plots:
        got = fn(summary, out_dir / name)  # type: ignore[operator]
        if got is not None:
            out[title] = got
    return out
