"""The `postedit` commands refuse what cannot work before they start anything: `serve` without Redis for
several workers, every command given a language the API would refuse."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import build_app
from server.settings import get_settings


def test_several_workers_without_redis_are_refused_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POSTEDIT_REDIS_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    result = CliRunner().invoke(build_app(), ["serve", "--workers", "2"])
    get_settings.cache_clear()
    assert result.exit_code == 2
    assert "--workers 2 needs REDIS_URL" in result.output


LANGUAGE_COMMANDS = {
    "check": ["check", "--source", "Save the file.", "--target", "Datei speichern."],
    "edit": ["edit", "--source", "Save the file.", "--mt", "Datei speichern."],
    "batch": ["batch", "rows.jsonl", "--out", "out.jsonl", "--rules-only"],
    "eval": ["eval", "rows.jsonl", "--systems", "mt", "--out", "eval-out", "--no-progress"],
}


@pytest.mark.parametrize("command", sorted(LANGUAGE_COMMANDS))
@pytest.mark.parametrize(("src", "tgt", "bad"), [("en", "xx", "--tgt-lang"), ("klingon", "de", "--src-lang")])
def test_unknown_languages_are_refused_as_the_api_refuses_them(
    command: str, src: str, tgt: str, bad: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exit status 2 (bad input) naming the option and the code, before any file, model or output is touched."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rows.jsonl").write_text('{"id": "1", "src": "Save the file.", "mt": "Datei speichern."}\n')
    args = [*LANGUAGE_COMMANDS[command], "--src-lang", src, "--tgt-lang", tgt]
    result = CliRunner().invoke(build_app(), args)
    assert result.exit_code == 2, result.output
    code = tgt if bad == "--tgt-lang" else src
    assert f"unsupported language code '{code}'" in result.output and bad in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows.jsonl"]  # no results written


def test_a_supported_language_with_a_region_is_accepted() -> None:
    args = ["check", "--src-lang", "en-US", "--tgt-lang", "pt_BR", "--source", "Done.", "--target", "Feito."]
    result = CliRunner().invoke(build_app(), args)
    assert result.exit_code == 0, result.output
