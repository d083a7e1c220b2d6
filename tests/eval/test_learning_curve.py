"""`agent-minimal+tm` on the scripted stub model: the memory learns each reference after its row, in dataset
order, the report counts `tm_exact`, and the learning curve against `agent-minimal` is plotted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from tests.support.stub_llm import Reply, StubLLM, gateway_config_for

SOAP = "Wash your hands with soap and water for twenty seconds ."
COUGH = "Do you have a fever or a dry cough ?"
COUGH_NOW = "Do you have a fever or a dry cough right now ?"  # an 86% match of COUGH

# In dataset order. `wash-2` repeats `wash-1`'s source with a reference of its own; `cough-2` is a near
# repeat of `cough-1`. Both cough MTs miss their term, so the agent asks the model.
ROWS: list[dict[str, Any]] = [
    {"id": "wash-1", "src": SOAP, "mt": "Lavez vos mains avec du savon .",
     "ref": "Lavez-vous les mains avec de l'eau et du savon pendant vingt secondes .",
     "terms": [{"src": "soap", "tgt": ["savon"]}]},
    {"id": "cough-1", "src": COUGH, "mt": "Avez-vous de la fièvre ou une toux ?",
     "ref": "Avez-vous de la fièvre ou une toux sèche ?", "terms": [{"src": "dry cough", "tgt": ["toux sèche"]}]},
    {"id": "wash-2", "src": SOAP, "mt": "Lavez les mains au savon .",
     "ref": "Lavez-vous les mains au savon et à l'eau vingt secondes .", "terms": [{"src": "soap", "tgt": ["savon"]}]},
    {"id": "cough-2", "src": COUGH_NOW, "mt": "Avez-vous de la fièvre ou une toux maintenant ?",
     "ref": "Avez-vous de la fièvre ou une toux sèche maintenant ?",
     "terms": [{"src": "dry cough", "tgt": ["toux sèche"]}]},
]  # fmt: skip


def _row_of(prompt: str) -> dict[str, Any] | None:
    """The row a prompt is about: the longest source in it (memory examples quote shorter, earlier ones)."""
    inside = [r for r in ROWS if r["src"] in prompt]
    return max(inside, key=lambda r: len(r["src"])) if inside else None


def _answer(body: dict[str, Any]) -> Reply:
    """Answer a post-edit prompt with its row's reference; name no span when asked to locate words."""
    prompt = str(body["messages"][-1]["content"])
    if "find the words in the translation" in prompt:
        return Reply({"spans": []})
    row = _row_of(prompt)
    return Reply({"output": row["ref"] if row else ""})


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "learn.en-fr.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8")
    return path


@pytest.fixture
def config(stub_llm: StubLLM, tmp_path: Path) -> Path:
    stub_llm.set_handler(_answer)
    path = tmp_path / "models.yaml"
    path.write_text(yaml.safe_dump(gateway_config_for(stub_llm.base_url)), encoding="utf-8")
    return path


def _eval(app: typer.Typer, data: Path, config: Path, out: Path, *extra: str) -> Any:
    args = ["eval", str(data), "--src-lang", "en", "--tgt-lang", "fr", "--config", str(config)]
    return CliRunner().invoke(app, [*args, "--out", str(out), "--no-progress", "--no-ragas", *extra])


def _results(out: Path, system: str) -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    return {r["id"]: r for r in rows if r["system"] == system}


def _prompts_by_row(stub: StubLLM) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for body in stub.requests:
        prompt = "\n".join(str(m["content"]) for m in body["messages"])
        row = _row_of(prompt)
        out.setdefault(row["id"] if row else "?", []).append(prompt)
    return out


@pytest.mark.slow
def test_the_memory_learns_earlier_references_in_order_and_the_curve_is_plotted(
    eval_app: typer.Typer, data: Path, config: Path, stub_llm: StubLLM, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    result = _eval(eval_app, data, config, out, "--learning-curve", "--concurrency", "4")
    assert result.exit_code == 0, result.output + repr(result.exception)
    tm = _results(out, "agent-minimal+tm")

    # The repeated source comes back as the earlier row's reference, without a model call.
    assert tm["wash-2"]["status"] == "tm_exact"
    assert tm["wash-2"]["output"] == ROWS[0]["ref"] != ROWS[2]["ref"]
    assert tm["wash-2"]["usage"]["calls"] == 0
    # The first occurrence never sees the reference of the repeat that comes later.
    assert tm["wash-1"]["status"] == "unchanged" and tm["wash-1"]["output"] == ROWS[0]["mt"]
    # The near repeat is shown the earlier row's approved translation when the model is asked.
    prompts = _prompts_by_row(stub_llm)
    assert any(ROWS[1]["ref"] in p for p in prompts["cough-2"])
    for i, row in enumerate(
        ROWS
    ):  # no prompt carries a later row's reference (a repeat's aside: the same text)
        later = [r["ref"] for r in ROWS[i + 1 :] if r["src"] != row["src"]]
        assert not any(ref in p for p in prompts.get(row["id"], []) for ref in later)
    assert _results(out, "agent-minimal")["wash-2"]["status"] != "tm_exact"

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["statuses"]["agent-minimal+tm"]["tm_exact"] == 1
    report = (out / "report.md").read_text(encoding="utf-8")
    status_header = next(line for line in report.splitlines() if line.startswith("| system | unchanged"))
    assert "tm_exact" in status_header
    assert "## Translation memory: agent-minimal+tm against agent-minimal" in report
    curve = summary["learning_curve"]
    assert curve["x"] == [1, 2, 3, 4] and curve["tm_exact"] == [0, 0, 1, 1]
    assert curve["memory_hits"] == [0, 0, 1, 2]
    assert curve["scores"]["agent-minimal+tm"]["chrF++/ref"]["p_value"] is not None
    png = out / "plots" / "learning_curve.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    assert "![Translation memory learning curve](plots/learning_curve.png)" in report
    assert "learning curve:" in result.output

    # Rerun on the same directory: nothing is edited again, and the curve is redrawn per window of 2 rows.
    again = _eval(eval_app, data, config, out, "--learning-curve", "--curve-window", "2")
    assert again.exit_code == 0 and "0 new result(s)" in again.output
    curve = json.loads((out / "summary.json").read_text(encoding="utf-8"))["learning_curve"]
    assert curve["window"] == 2 and curve["x"] == [2, 4] and curve["tm_exact"] == [0, 1]


def _tmx(path: Path, pairs: list[tuple[str, str]]) -> Path:
    units = "".join(
        f'<tu tuid="{i}"><tuv xml:lang="en"><seg>{s}</seg></tuv><tuv xml:lang="fr"><seg>{t}</seg></tuv></tu>'
        for i, (s, t) in enumerate(pairs)
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header creationtool="t" '
        'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" datatype="plaintext"/>'
        f"<body>{units}</body></tmx>",
        encoding="utf-8",
    )
    return path


@pytest.mark.slow
def test_a_seed_memory_answers_the_first_occurrence_too(
    eval_app: typer.Typer, data: Path, config: Path, tmp_path: Path
) -> None:
    seed = _tmx(tmp_path / "seed.tmx", [(SOAP, "Lavez-vous les mains au savon .")])
    out = tmp_path / "run"
    result = _eval(eval_app, data, config, out, "--systems", "agent-minimal+tm", "--memory-tmx", str(seed))
    assert result.exit_code == 0, result.output + repr(result.exception)
    tm = _results(out, "agent-minimal+tm")
    assert (
        tm["wash-1"]["status"] == "tm_exact" and tm["wash-1"]["output"] == "Lavez-vous les mains au savon ."
    )
    # Afterwards the memory also holds wash-1's reference, newer than the seed: the repeat gets that one.
    assert tm["wash-2"]["output"] == ROWS[0]["ref"]


def test_a_seed_holding_a_test_reference_is_refused(
    eval_app: typer.Typer, data: Path, config: Path, tmp_path: Path
) -> None:
    seed = _tmx(tmp_path / "leak.tmx", [(COUGH_NOW, str(ROWS[3]["ref"]))])
    result = _eval(eval_app, data, config, tmp_path / "run", "--learning-curve", "--memory-tmx", str(seed))
    assert result.exit_code == 2
    assert "holds the reference of 1 evaluated row" in result.output and "cough-2" in result.output


def test_memory_tmx_without_the_memory_system_is_a_usage_error(
    eval_app: typer.Typer, data: Path, config: Path, tmp_path: Path
) -> None:
    seed = _tmx(tmp_path / "seed.tmx", [(SOAP, "Lavez-vous les mains .")])
    result = _eval(eval_app, data, config, tmp_path / "run", "--systems", "mt", "--memory-tmx", str(seed))
    assert result.exit_code == 2 and "agent-minimal+tm" in result.output
