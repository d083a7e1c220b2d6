"""sacreBLEU metrics: hand-computed values, agreement with sacreBLEU's own functions, signatures, and the
paired bootstrap's verdicts."""

from __future__ import annotations

import pytest
import sacrebleu

from eval.metrics.sacre import bleu_tokenizer, corpus_scores, make_metrics, paired_bootstrap, segment_scores

HYPS = ["le chat est noir .", "il fait beau aujourd' hui", "nous partons demain matin"]
REFS = ["le chat est tout noir .", "il fait très beau aujourd' hui", "nous partirons demain matin"]


def scores(hyps: list[str], refs: list[str], lang: str = "fr") -> dict[str, float]:
    return {s.metric.split("/")[0]: s.value for s in corpus_scores(make_metrics(lang), hyps, refs, "ref")}


@pytest.mark.parametrize(
    ("hyp", "ref", "metric", "expected"),
    [
        ("a b c d", "a b c d", "BLEU", 100.0),
        ("a b c d", "a b c d", "chrF++", 100.0),
        ("a b c d", "a b c d", "TER", 0.0),
        # 1 substitution over 4 reference words.
        ("a b c d", "a b x d", "TER", 25.0),
        # p1=3/4, p2=1/3, p3 and p4 zero -> exp smoothing 1/2 and 1/4 of 1/count: (3/4*1/3*1/4*1/4)^(1/4)
        ("a b c d", "a b x d", "BLEU", 100 * (3 / 4 * 1 / 3 * 1 / 4 * 1 / 4) ** 0.25),
    ],
)
def test_hand_computed_values(hyp: str, ref: str, metric: str, expected: float) -> None:
    assert scores([hyp], [ref])[metric] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("lang", ["fr", "de", "zh"])
def test_corpus_scores_match_sacrebleu(lang: str) -> None:
    got = scores(HYPS, REFS, lang)
    tok = "zh" if lang == "zh" else "13a"
    assert got["BLEU"] == pytest.approx(sacrebleu.corpus_bleu(HYPS, [REFS], tokenize=tok).score)
    assert got["chrF++"] == pytest.approx(sacrebleu.corpus_chrf(HYPS, [REFS], word_order=2).score)
    if lang != "zh":
        assert got["TER"] == pytest.approx(sacrebleu.corpus_ter(HYPS, [REFS]).score)


def test_sentence_scores_match_sacrebleu_sentence_chrf() -> None:
    metric = make_metrics("fr").metrics["chrF++"]
    for hyp, ref, got in zip(HYPS, REFS, segment_scores(metric, HYPS, REFS), strict=True):
        assert got == pytest.approx(sacrebleu.sentence_chrf(hyp, [ref], word_order=2).score)


@pytest.mark.parametrize(
    ("lang", "tok"), [("fr", "13a"), ("de-DE", "13a"), ("zh", "zh"), ("zh-Hans", "zh"), ("ja", "char")]
)
def test_tokenizer_per_language_is_named_in_the_signature(lang: str, tok: str) -> None:
    if lang == "ja" and bleu_tokenizer("ja") == "ja-mecab":
        tok = "ja-mecab"  # MeCab installed: sacreBLEU's own Japanese tokenizer
    assert bleu_tokenizer(lang) == tok
    bleu = next(s for s in corpus_scores(make_metrics(lang), HYPS, REFS, "ref") if s.metric == "BLEU/ref")
    assert f"tok:{tok}" in bleu.signature and "v:" in bleu.signature


def test_paired_bootstrap_flags_a_clearly_better_system_and_not_an_identical_one() -> None:
    refs = [f"la phrase numéro {i} est correcte et complète ." for i in range(40)]
    mt = [f"une phrase {i} fausse incomplète" for i in range(40)]
    good = list(refs)
    got = paired_bootstrap(make_metrics("fr"), {"mt": mt, "good": good, "same": list(mt)}, refs, "ref")
    for score in got["good"]:
        assert score.significant is True and score.p_value is not None and score.p_value < 0.05
    for score in got["same"]:
        assert score.significant is False and score.p_value == 1.0
    assert all(s.p_value is None and s.ci is not None for s in got["mt"])
    chrf = got["good"][0]
    assert chrf.metric == "chrF++/ref" and "bs:1000" in chrf.signature and "rs:12345" in chrf.signature


def test_small_noisy_difference_is_not_significant() -> None:
    refs = [f"phrase {i} de référence assez longue ici" for i in range(30)]
    mt = list(refs)
    mt[3] = "phrase 3 de référence assez courte ici"
    sys = list(refs)
    sys[7] = "phrase 7 de référence assez courte ici"
    got = paired_bootstrap(make_metrics("fr"), {"mt": mt, "sys": sys}, refs, "ref")
    assert not any(s.significant for s in got["sys"])
