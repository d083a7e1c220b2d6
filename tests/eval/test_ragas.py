"""ragas 0.4 imports with the pinned dependencies and its non-LLM metrics agree with sacreBLEU."""

from __future__ import annotations

import os

import pytest
import sacrebleu

from eval.metrics.ragas_metrics import JudgeEndpoint, judge_segments, ragas_available, string_scores
from tests.support.stub_llm import Reply, StubLLM


def test_ragas_imports_without_telemetry() -> None:
    assert ragas_available() == "0.4.3"
    assert os.environ.get("RAGAS_DO_NOT_TRACK") == "true"


def test_string_metrics_give_sensible_numbers() -> None:
    refs = ["le chat est noir .", "il fait très beau aujourd' hui"]
    same = {s.metric: s.value for s in string_scores(refs, refs, "ref")}
    assert same == {"ragas_chrf/ref": pytest.approx(100.0), "ragas_string_sim/ref": pytest.approx(1.0)}
    hyps = ["le chien est noir .", "il pleut"]
    got = {s.metric: s.value for s in string_scores(hyps, refs, "ref")}
    expected_chrf = sum(sacrebleu.sentence_chrf(h, [r]).score for h, r in zip(hyps, refs, strict=True)) / 2
    assert got["ragas_chrf/ref"] == pytest.approx(expected_chrf)
    assert 0.2 < got["ragas_string_sim/ref"] < 0.9


async def test_llm_judge_reads_pass_and_fail_from_an_openai_compatible_endpoint(stub_llm: StubLLM) -> None:
    stub_llm.script(
        Reply({"reason": "keeps meaning", "value": "pass"}), Reply({"reason": "wrong term", "value": "fail"})
    )
    endpoint = JudgeEndpoint(stub_llm.base_url, "stub-model", "x")
    item = {"source_lang": "en", "target_lang": "fr", "source": "fever", "glossary": "fever -> fièvre"}
    verdicts = await judge_segments(
        endpoint, [{**item, "response": "fièvre"}, {**item, "response": "chaud"}], 1
    )
    assert [v for v, _ in verdicts] == ["pass", "fail"]
    assert "fever -> fièvre" in str(stub_llm.requests[0]["messages"])
