"""`postedit check`: JSON and table output, batch mode, and the exit statuses 0 / 1 / 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli.check import register

EXAMPLES = Path(__file__).resolve().parents[2] / "glossaries" / "examples" / "en-de"
SOURCE = 'Click <g id="1">Save</g> to store %d settings.'
BAD = "Klicken Sie auf Sichern, um %s Einstellungen zu speichern."
GOOD = 'Klicken Sie auf <g id="1">Speichern</g>, um %d Einstellungen zu speichern.'


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("other")
    def other() -> None:  # a second command keeps `check` a subcommand, as in `postedit`
        """Placeholder."""

    return app


def run(app: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", *args])
    return result.exit_code, result.stdout, result.stderr


def test_acceptance_example_reports_tag_placeholder_and_term(app: typer.Typer) -> None:
    glossary = EXAMPLES / "terms.csv"
    code, out, _ = run(
        app, "--src-lang", "en", "--tgt-lang", "de", "--source", SOURCE, "--target", BAD,
        "--glossary", str(glossary), "--json",
    )  # fmt: skip
    assert code == 1
    violations = json.loads(out)["violations"]
    assert {"tag-missing", "placeholder-missing", "term-missing"} <= {v["code"] for v in violations}
    assert set(violations[0]) == {"code", "severity", "message", "start", "end"}


def test_clean_target_exits_0(app: typer.Typer) -> None:
    code, out, _ = run(
        app, "--src-lang", "en", "--tgt-lang", "de", "--source", SOURCE, "--target", GOOD, "--json"
    )
    assert (code, json.loads(out)) == (0, {"violations": []})


def test_warnings_alone_exit_0(app: typer.Typer) -> None:
    code, out, _ = run(app, "--src-lang", "en", "--tgt-lang", "de", "--source", "Done.", "--target", "Fertig")
    assert code == 0
    assert "end-punctuation" in out


def test_human_output_is_a_table(app: typer.Typer) -> None:
    code, out, _ = run(app, "--src-lang", "en", "--tgt-lang", "de", "--source", SOURCE, "--target", BAD)
    assert code == 1
    assert "tag-missing" in out and "placeholder-extra" in out


def test_style_guide_is_applied(app: typer.Typer) -> None:
    code, out, _ = run(
        app, "--src-lang", "en", "--tgt-lang", "de", "--source", "Save it.", "--target", "Speichere es, du.",
        "--style", str(EXAMPLES / "style.yaml"), "--json",
    )  # fmt: skip
    assert code == 1
    assert {"style-regex", "style-formality"} <= {v["code"] for v in json.loads(out)["violations"]}


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--source", "a"], "--target"),
        (["--source", "a", "--target", "b", "--glossary", "missing.csv"], "missing.csv"),
        (["--source", "a", "--target", "b", "--style", "missing.yaml"], "missing.yaml"),
    ],
)
def test_bad_input_exits_2_with_one_line(app: typer.Typer, args: list[str], reason: str) -> None:
    code, out, err = run(app, "--src-lang", "en", "--tgt-lang", "de", *args)
    assert code == 2
    assert reason in err and len(err.strip().splitlines()) == 1
    assert out == ""


def test_bad_glossary_file_exits_2(app: typer.Typer, tmp_path: Path) -> None:
    bad = tmp_path / "bad.tbx"
    bad.write_text("<martif><text>", encoding="utf-8")
    code, _, err = run(app, "--src-lang", "en", "--tgt-lang", "de", "--source", "a", "--target", "b",
                       "--glossary", str(bad))  # fmt: skip
    assert code == 2 and "bad.tbx" in err


def test_batch_writes_one_result_per_row(app: typer.Typer, tmp_path: Path) -> None:
    rows = [
        {"id": "1", "src": "and are you having a runny nose ?", "mt": "et avez-vous le nez qui coule ?",
         "terms": [{"src": "runny nose", "tgt": ["nez qui coule"]}]},
        {"id": "2", "src": "any chest pain ?", "target": "une douleur ?",
         "terms": [{"src": "chest pain", "tgt": ["douleur thoracique"]}]},
    ]  # fmt: skip
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    code, out, _ = run(app, "--batch", str(path), "--src-lang", "en", "--tgt-lang", "fr")
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == ["1", "2"]
    assert [v["code"] for v in results[0]["violations"]] == []
    assert "term-missing" in [v["code"] for v in results[1]["violations"]]
    assert code == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [("{not json", "invalid JSON"), ('{"id": 1}', "'src'"), ('{"src": "a"}', "'mt' or 'target'"),
     ('{"src": "a", "mt": "b", "terms": "x"}', "'terms'")],
)  # fmt: skip
def test_batch_bad_rows_exit_2(app: typer.Typer, tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(content + "\n", encoding="utf-8")
    code, _, err = run(app, "--batch", str(path), "--src-lang", "en", "--tgt-lang", "fr")
    assert code == 2 and reason in err and "rows.jsonl:1" in err
