"""No tenant can stall the server: the worst style-guide regex and the largest upload, sent together by one
tenant, leave /healthz answering within 100 ms p99 for everyone; and a rule that runs out of time is cut
off once and reported, never run again on every segment."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from agent.checks.input import CheckInput
from agent.checks.style import style_regex
from glossaries.style import MATCH_TIMEOUT, RegexRule, parse_style_guide
from tests.reliability.cases import evil_styleguide
from tests.reliability.load import EVIL_TEXT, redos_and_upload, server_process


@pytest.mark.slow
def test_healthz_answers_while_a_tenant_sends_the_worst_regex_and_upload(
    redis_url: str, model_config: Path, tmp_path: Path
) -> None:
    with server_process(redis_url, model_config, tmp_path) as base_url:
        report = redos_and_upload(base_url)
    assert report.statuses == {
        "refused worse regex": 422,  # backtracks even on `regex`: refused at upload
        "style guide ^(a+)+$": 200,  # linear on `regex`: accepted
        "postedit with ^(a+)+$": 200,
        "45 MB XLIFF on /v1/xliff": 413,  # too many units, refused before parsing
        "45 MB XLIFF on /v1/jobs": 202,
    }
    assert report.healthz_failures == 0
    assert len(report.healthz_ms) >= 50
    assert report.p99_ms < 100, f"/healthz p99 {report.p99_ms:.0f} ms over {len(report.healthz_ms)} calls"


def test_a_rule_out_of_time_is_reported_once_and_then_skipped() -> None:
    # Passes the upload probe (it names no letter or digit to probe with) but backtracks on a run of dots.
    guide = parse_style_guide(evil_styleguide(r"(\.|\.\.)+$"), "dots.yaml")
    inp = CheckInput(source="x", target="." * 40 + "!", source_lang="en", target_lang="de", style=guide)
    start = time.perf_counter()
    first = style_regex(inp)
    took = time.perf_counter() - start
    start = time.perf_counter()
    again = style_regex(inp)
    assert took < MATCH_TIMEOUT + 0.1
    assert time.perf_counter() - start < 0.01
    assert [v.code for v in first] == [v.code for v in again] == ["style-regex-skipped"]
    assert "[evil]" in first[0].message


def test_the_textbook_redos_pattern_runs_in_linear_time() -> None:
    rule = RegexRule(id="runs", pattern="^(a+)+$", message="no runs of a")
    start = time.perf_counter()
    assert rule.spans(EVIL_TEXT * 10 + "!") == []
    assert rule.spans(EVIL_TEXT) == [(0, len(EVIL_TEXT))]
    assert time.perf_counter() - start < MATCH_TIMEOUT
