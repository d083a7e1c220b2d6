"""Edit rate vs MT, markup accuracy, QA counts, cost percentiles and the rate bootstrap."""

from __future__ import annotations

import pytest

from eval.metrics.bootstrap import bootstrap_ci, paired_bootstrap_mean
from eval.metrics.cost import cost_scores, percentile
from eval.metrics.edit_rate import edit_rates
from eval.metrics.markup import check_markup, markup_scores
from eval.metrics.qa import category, count_codes


def test_edit_rate_is_ter_of_output_against_mt() -> None:
    got = edit_rates(["le chat noir dort", "rien"], ["le chien noir dort", "rien"])
    assert got.per_segment == (0.25, 0.0)  # one substitution in four MT words; untouched
    assert got.corpus.value == pytest.approx(1 / 5)  # edits summed over MT words summed
    assert got.unchanged.value == 0.5


@pytest.mark.parametrize(
    ("source", "output", "expected"),
    [
        ("Click <b>Save</b> now", "Klicken Sie <b>Speichern</b>", (True, True)),
        ("Click <b>Save</b> now", "Klicken Sie Speichern", (False, True)),
        (
            '<g id="1">a <x id="2"/></g>',
            '<g id="1">a</g> <x id="2"/>',
            (True, True),
        ),  # containment may change
        ('<g id="1">a</g><g id="2">b</g>', '<g id="1">a<g id="2"></g>b</g>', (True, True)),
        ("<b><i>x</i></b>", "<b><i>x</b></i>", (True, False)),  # close tags out of order
        ("Hello {name}, %d new", "Bonjour {name}, %d nouveaux", (True, True)),
        ("Hello {name}, %d new", "Bonjour {nom}, %d nouveaux", (False, True)),
    ],
)
def test_markup_exact_set_and_nesting(source: str, output: str, expected: tuple[bool, bool]) -> None:
    check = check_markup(source, output)
    assert check is not None and (check.exact_set, check.nested) == expected


def test_markup_scores_count_only_segments_with_markup() -> None:
    checks = [
        check_markup("plain text", "texte"),
        check_markup("<b>x</b>", "<b>x</b>"),
        check_markup("<b>x</b>", "x"),
    ]
    by = {s.metric: s for s in markup_scores(checks)}
    assert by["markup_accuracy"].n == 2 and by["markup_accuracy"].value == 0.5


def test_violation_codes_and_categories() -> None:
    counts = count_codes([[{"code": "term-missing"}, {"code": "tag-missing"}], [{"code": "term-missing"}]])
    assert counts == {"term-missing": 2, "tag-missing": 1}
    assert category("term-missing") == "term" and category("whitespace") == "whitespace"


def test_cost_percentiles_and_totals() -> None:
    usages = [{"calls": 1, "prompt_tokens": 100, "completion_tokens": 10, "model_ms": 50.0}] * 4
    by = {s.metric: s.value for s in cost_scores(usages, [10, 20, 30, 40])}
    assert by["model_calls"] == 4 and by["calls_per_segment"] == 1 and by["prompt_tokens"] == 400
    assert by["latency_p50_ms"] == 25 and by["latency_p95_ms"] == pytest.approx(38.5)
    assert percentile([], 50) == 0.0


def test_rate_bootstrap_flags_better_not_identical() -> None:
    base = [0.0] * 30 + [1.0] * 10
    better = [1.0] * 40
    assert paired_bootstrap_mean(better, base)[2] < 0.05
    assert paired_bootstrap_mean(list(base), base)[2] == 1.0
    mean, ci = bootstrap_ci(base)
    assert mean == pytest.approx(0.25, abs=0.03) and 0 < ci < 0.25


def test_the_bootstrap_p_value_is_sacrebleus() -> None:
    import numpy as np
    from sacrebleu.significance import _compute_p_value  # the oracle, private to sacreBLEU

    from eval.metrics.bootstrap import p_value

    stats = np.random.default_rng(1).normal(size=1000)
    for real in (0.0, 0.5, 1.5, 3.0):
        assert p_value(stats, real) == _compute_p_value(stats, real)
