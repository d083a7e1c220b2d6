"""`postedit eval` end to end on the fixture sets: results, summary, report with plots, and resume."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.eval.conftest import FIXTURES, TERMINOLOGY
from tests.support.stub_llm import StubLLM

XLIFF = FIXTURES / "eurlex.en-fr.sample.xlf"
MLQE = FIXTURES / "mlqe-pe.en-de.sample.jsonl"


def run(app: typer.Typer, *args: str) -> str:
    result = CliRunner().invoke(app, ["eval", *args, "--no-progress"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def results(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.images: list[str] = []
        self.tables = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")
        elif tag == "table":
            self.tables += 1
        if tag not in ("img", "meta"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}>"
        self.stack.pop()


@pytest.mark.slow
def test_mt_and_rules_on_terminology_and_xliff(eval_app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "run"
    printed = run(
        eval_app,
        str(TERMINOLOGY),
        str(XLIFF),
        "--src-lang",
        "en",
        "--tgt-lang",
        "fr",
        "--systems",
        "rules",
        "--out",
        str(out),
    )
    rows = results(out)
    assert len(rows) == 2 * 11 and {r["system"] for r in rows} == {"mt", "rules"}  # mt always runs
    assert "report:" in printed

    summary = json.loads((out / "summary.json").read_text())
    scores = summary["scores"]
    assert scores["mt"]["chrF++/ref"]["signature"].startswith("#:1|bs:1000")
    assert scores["rules"]["chrF++/ref"]["p_value"] is not None
    assert scores["mt"]["term_success"]["n"] > 0
    # The rules system restores tags the MT dropped: markup accuracy goes up.
    assert scores["rules"]["markup_accuracy"]["value"] > scores["mt"]["markup_accuracy"]["value"]
    assert summary["violations_before"].get("tag-missing", 0) > 0

    html = (out / "report.html").read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(html)
    assert parser.stack == [] and parser.tables >= 3
    assert len(parser.images) == 5 and all(s.startswith("data:image/png;base64,") for s in parser.images)
    pngs = sorted((out / "plots").glob("*.png"))
    assert len(pngs) == 5 and all(
        p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 2000 for p in pngs
    )
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "significant vs MT?" in md and "## Metric definitions" in md and "term_success" in md
    assert "![Metric by system](plots/metric_by_system.png)" in md


def test_reference_system_gives_each_metric_its_ceiling(eval_app: typer.Typer, tmp_path: Path) -> None:
    """The human reference scored as if a system wrote it: what a perfect post-editor reaches, e.g. exact term
    success below 1 where the reference inflects a term given in its dictionary form."""
    out = tmp_path / "run"
    run(
        eval_app,
        str(TERMINOLOGY),
        "--src-lang",
        "en",
        "--tgt-lang",
        "fr",
        "--systems",
        "reference",
        "--out",
        str(out),
    )
    refs = {json.loads(line)["id"]: json.loads(line)["ref"] for line in TERMINOLOGY.read_text().splitlines()}
    mine = [r for r in results(out) if r["system"] == "reference"]
    assert len(mine) == len(refs) and all(r["output"] == refs[str(r["id"]).split(":")[-1]] for r in mine)
    scores = json.loads((out / "summary.json").read_text())["scores"]
    assert scores["reference"]["chrF++/ref"]["value"] == pytest.approx(100.0)
    assert scores["reference"]["term_success_exact"]["value"] > scores["mt"]["term_success_exact"]["value"]
    assert "harm_rate" not in scores["reference"]  # a human text differs from good MT without harming it


@pytest.mark.slow
def test_rerun_resumes_without_duplicating_rows(eval_app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = [str(MLQE), "--src-lang", "en", "--tgt-lang", "de", "--systems", "mt,rules", "--out", str(out)]
    run(eval_app, *args, "--limit", "3")
    assert len(results(out)) == 6
    # Interrupted mid-write: a torn line at the end.
    with (out / "results.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"system": "rules", "key": "mlqe-pe.en-de.sample/en-de-dev-3", "out')
    printed = run(eval_app, *args, "--no-ragas")
    rows = results(out)
    assert len(rows) == 12
    assert len({(r["system"], r["key"]) for r in rows}) == 12
    assert "6 resumed" in printed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["meta"]["aligned_segments"] == 6 and "TER/pe" in summary["scores"]["rules"]


@pytest.mark.slow
def test_agent_minimal_against_the_stub_model(
    eval_app: typer.Typer, stub_config: Path, stub_llm: StubLLM, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    run(
        eval_app,
        str(TERMINOLOGY),
        "--src-lang",
        "en",
        "--tgt-lang",
        "fr",
        "--systems",
        "mt,agent-minimal",
        "--config",
        str(stub_config),
        "--out",
        str(out),
        "--concurrency",
        "3",
    )
    rows = [r for r in results(out) if r["system"] == "agent-minimal"]
    assert len(rows) == 8 and not any(r["error"] for r in rows)
    assert stub_llm.requests, "the agent called the model"
    summary = json.loads((out / "summary.json").read_text())
    agent = summary["scores"]["agent-minimal"]
    assert agent["model_calls"]["value"] == sum(r["usage"]["calls"] for r in rows) > 0  # type: ignore[index]
    assert agent["term_success"]["value"] >= summary["scores"]["mt"]["term_success"]["value"]
    assert summary["meta"]["model"] == "openai/stub-model"


def test_unknown_system_is_a_usage_error(eval_app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        eval_app,
        [
            "eval",
            str(MLQE),
            "--src-lang",
            "en",
            "--tgt-lang",
            "de",
            "--systems",
            "mt,gpt",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2 and "unknown system" in result.output
