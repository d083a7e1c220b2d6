"""From results.jsonl rows to one `Summary`: every metric per system, with CIs and significance vs MT.

Only segments every system has a result for are scored (paired tests need aligned outputs); the
summary says how many that is. Per-segment statistics are computed once per (system, metric) and
aggregated here; the report and the plots only read the summary.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from eval.datasets import EvalRow
from eval.learning import LearningCurve, learning_curve
from eval.metrics.base import Score, sacrebleu_version
from eval.metrics.bootstrap import bootstrap_ci, paired_bootstrap_mean
from eval.metrics.cost import cost_scores
from eval.metrics.edit_rate import edit_rates
from eval.metrics.markup import check_markup, markup_scores
from eval.metrics.qa import count_codes, qa_scores
from eval.metrics.sacre import bleu_tokenizer, make_metrics, paired_bootstrap
from eval.metrics.terms import (
    TermCheck,
    applicable_entries,
    check_terms,
    form_agreement,
    reference_forms,
    term_scores,
)
from eval.runner import REFERENCE, SYSTEMS
from glossaries.matcher import TermMatcher
from glossaries.model import Termbase

__all__ = ["Summary", "summarize"]

BASELINE = "mt"
REF_SIDES = ("ref", "pe")

Row = Mapping[str, Any]


@dataclass
class Summary:
    meta: dict[str, Any]
    systems: list[str]
    scores: dict[str, dict[str, Score]]  # system -> metric -> score
    edit_rates: dict[str, list[float]] = field(default_factory=dict)  # per segment, for the histogram
    latencies: dict[str, list[float]] = field(default_factory=dict)  # per segment ms
    violations: dict[str, dict[str, int]] = field(default_factory=dict)  # system -> code -> count (after)
    violations_before: dict[str, int] = field(default_factory=dict)  # code -> count in the MT
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)
    judge: dict[str, dict[str, int]] = field(default_factory=dict)  # system -> verdict -> count
    notes: list[str] = field(default_factory=list)
    learning: LearningCurve | None = None  # agent-minimal vs agent-minimal+tm over the rows seen

    def score(self, system: str, metric: str) -> Score | None:
        return self.scores.get(system, {}).get(metric)

    def metric_names(self) -> list[str]:
        names: dict[str, None] = {}
        for per in self.scores.values():
            names.update(dict.fromkeys(per))
        return list(names)

    def to_json(self) -> dict[str, Any]:
        return {
            "meta": self.meta,
            "systems": self.systems,
            "scores": {s: {m: sc.to_json() for m, sc in per.items()} for s, per in self.scores.items()},
            "edit_rates": self.edit_rates,
            "latencies": self.latencies,
            "violations": self.violations,
            "violations_before": self.violations_before,
            "statuses": self.statuses,
            "judge": self.judge,
            "notes": self.notes,
            "learning_curve": None if self.learning is None else self.learning.to_json(),
        }


def _with_test(score: Score, values: Sequence[float], base: Sequence[float] | None) -> Score:
    """Attach a bootstrap CI, and a paired test vs the baseline's per-item values when given."""
    if not values:
        return score
    if base is None:
        mean, ci = bootstrap_ci(values)
        return replace(score, mean=mean, ci=ci)
    mean, ci, p = paired_bootstrap_mean(values, base)
    return replace(score, mean=mean, ci=ci, p_value=p, significant=p < 0.05)


def _aligned(
    rows: Sequence[EvalRow], results: Sequence[Row], systems: Sequence[str]
) -> tuple[list[EvalRow], dict[str, list[Row]]]:
    by: dict[str, dict[str, Row]] = {s: {} for s in systems}
    for r in results:
        if r.get("system") in by:
            by[str(r["system"])][str(r["key"])] = r
    keep = [row for row in rows if all(row.key in by[s] for s in systems)]
    return keep, {s: [by[s][row.key] for row in keep] for s in systems}


@dataclass
class _Scoring:
    """What every section of `summarize` reads (the aligned segments, each system's outputs, the MT) and
    the scores and notes it writes."""

    aligned: list[EvalRow]
    res: dict[str, list[Row]]
    systems: list[str]
    outputs: dict[str, list[str]]
    mts: list[str]
    scores: dict[str, dict[str, Score]]
    notes: list[str]
    term_rows: dict[str, list[list[TermCheck]]] = field(default_factory=dict)  # system -> per row

    def put(self, system: str, score: Score) -> None:
        self.scores[system][score.metric] = score


def summarize(
    rows: Sequence[EvalRow],
    results: Sequence[Row],
    *,
    source_lang: str,
    target_lang: str,
    systems: Sequence[str],
    glossary: Termbase | None = None,
    meta: Mapping[str, Any] | None = None,
    with_ragas: bool = True,
    judge: Mapping[str, Sequence[str]] | None = None,
    curve_window: int = 0,
) -> Summary:
    """Score every system on the segments all of them have; `mt` is the baseline of every paired test.
    With both `agent-minimal` and `agent-minimal+tm`, also the memory's learning curve (cumulative when
    `curve_window` is 0, else per window of that many rows)."""
    systems = [s for s in SYSTEMS if s in systems] + [s for s in systems if s not in SYSTEMS]
    aligned, res = _aligned(rows, results, systems)
    notes: list[str] = []
    if len(aligned) < len(rows):
        notes.append(
            f"{len(rows) - len(aligned)} of {len(rows)} segments lack a result for some system; "
            f"scores use the {len(aligned)} segments every system has."
        )
    outputs = {s: [str(r.get("output") or "") for r in res[s]] for s in systems}
    mts = [row.mt or "" for row in aligned]
    sc = _Scoring(aligned, res, systems, outputs, mts, {s: {} for s in systems}, notes)
    tok = _score_sacrebleu(sc, target_lang, with_ragas)
    edit = _score_edits(sc, target_lang)
    _score_terms(
        sc, glossary or Termbase("none", "", source_lang, target_lang), with_glossary=glossary is not None
    )
    _score_markup(sc)
    violations, before, statuses, latencies = _score_qa(sc)
    judged = _score_judge(sc, judge or {})
    info = {
        **_run_info(rows, len(aligned), source_lang, target_lang, glossary),
        "bleu_tokenizer": tok,
        **(meta or {}),
    }
    info["signature"] = signature(info)
    return Summary(
        meta=info,
        systems=systems,
        scores=sc.scores,
        edit_rates=edit,
        latencies=latencies,
        violations=violations,
        violations_before=dict(before.most_common()),
        statuses=statuses,
        judge=judged,
        notes=notes,
        learning=learning_curve(
            sc.aligned, sc.outputs, sc.res, sc.term_rows, target_lang=target_lang, window=curve_window
        ),
    )


def _run_info(
    rows: Sequence[EvalRow], aligned: int, source_lang: str, target_lang: str, glossary: Termbase | None
) -> dict[str, Any]:
    """What the scores were made on and with (the report's header and the signature read it)."""
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source_lang": source_lang,
        "target_lang": target_lang,
        "segments": len(rows),
        "aligned_segments": aligned,
        "datasets": sorted({row.dataset for row in rows}),
        "glossary": None if glossary is None else {"id": glossary.id, "version": glossary.version},
        "sacrebleu": sacrebleu_version(),
        "baseline": BASELINE,
        "prompt_version": _prompt_version(),
    }


def _score_sacrebleu(sc: _Scoring, target_lang: str, with_ragas: bool) -> str:
    """chrF++/BLEU/TER per reference side, paired bootstrap vs the MT (and ragas's string metrics);
    returns the BLEU tokenizer used."""
    tok = bleu_tokenizer(target_lang)
    if target_lang.lower()[:2] in ("ja", "ko") and tok == "char":
        sc.notes.append(
            f"MeCab is not installed: BLEU for {target_lang} uses sacreBLEU's 'char' tokenizer (tok:char)."
        )
    sacre = make_metrics(target_lang)
    for side in REF_SIDES:
        idx = [i for i, row in enumerate(sc.aligned) if getattr(row, side)]
        if not idx:
            continue
        refs = [str(getattr(sc.aligned[i], side)) for i in idx]
        hyps = {BASELINE: [sc.mts[i] for i in idx]} | {
            s: [sc.outputs[s][i] for i in idx] for s in sc.systems if s != BASELINE
        }
        for system, got in paired_bootstrap(sacre, hyps, refs, side).items():
            if system in sc.scores:
                for score in got:
                    sc.put(system, score)
        if with_ragas:
            _ragas_scores(sc.scores, sc.outputs, idx, refs, side, sc.notes)
    return tok


def _score_edits(sc: _Scoring, target_lang: str) -> dict[str, list[float]]:
    """Edit rate vs the MT, and the share of segments left unchanged; returns per-segment edit rates."""
    edit: dict[str, list[float]] = {}
    for s in sc.systems:
        er = edit_rates(sc.outputs[s], sc.mts, target_lang)
        edit[s] = list(er.per_segment)
        sc.put(s, _with_test(er.corpus, er.per_segment, None))
        same = [float(o == m) for o, m in zip(sc.outputs[s], sc.mts, strict=True)]
        sc.put(s, _with_test(er.unchanged, same, None))
    return edit


_TERM_KINDS = {
    "term_success": "required",
    "term_success_exact": "required",
    "forbidden_rate": "forbidden",
    "dnt_accuracy": "dnt",
}


def _term_value(metric: str) -> Callable[[TermCheck], float]:
    if metric.endswith("exact"):
        return lambda c: float(c.ok_exact)
    if metric == "forbidden_rate":
        return lambda c: float(not c.ok)
    return lambda c: float(c.ok)


def _score_terms(sc: _Scoring, tb: Termbase, *, with_glossary: bool) -> None:
    """Term success, form agreement with the reference and harm: the same constraints for every system,
    so tests pair constraint by constraint."""
    matcher = TermMatcher(tb)
    entries = [
        applicable_entries(row.src, row.terms, matcher if with_glossary else None) for row in sc.aligned
    ]
    sc.term_rows = {
        s: [check_terms(sc.outputs[s][i], e, matcher) for i, e in enumerate(entries)] for s in sc.systems
    }
    term_checks = {s: [c for row_checks in sc.term_rows[s] for c in row_checks] for s in sc.systems}
    base_checks_by_row = [check_terms(sc.mts[i], e, matcher) for i, e in enumerate(entries)]
    base_checks = [c for row_checks in base_checks_by_row for c in row_checks]
    for s in sc.systems:
        for score in term_scores(term_checks[s], tb.version):
            kind, pick = _TERM_KINDS[score.metric], _term_value(score.metric)
            vals = [pick(c) for c in term_checks[s] if c.kind == kind]
            base = None if s == BASELINE else [pick(c) for c in base_checks if c.kind == kind]
            sc.put(s, _with_test(score, vals, base))
    _score_forms(sc, entries, matcher)
    _score_harm(sc, base_checks_by_row)


def _score_forms(sc: _Scoring, entries: Sequence[Sequence[Any]], matcher: TermMatcher) -> None:
    """Term form agreement with the reference: the term in the same inflected form the human used."""
    for side in REF_SIDES:
        forms = [
            reference_forms(str(getattr(row, side)), e, matcher) if getattr(row, side) else []
            for row, e in zip(sc.aligned, entries, strict=True)
        ]
        if not any(forms):
            continue
        base_agree = [a for i, f in enumerate(forms) for a in form_agreement(sc.mts[i], f)]
        for s in sc.systems:
            agree = [float(a) for i, f in enumerate(forms) for a in form_agreement(sc.outputs[s][i], f)]
            score = Score(
                f"term_form_agreement/{side}", sum(agree) / len(agree), "same-form|whole-words", len(agree)
            )
            sc.put(s, _with_test(score, agree, None if s == BASELINE else [float(a) for a in base_agree]))


def _score_harm(sc: _Scoring, base_checks_by_row: Sequence[Sequence[TermCheck]]) -> None:
    """Harm: MT that already had every term and no error, changed anyway. Not for the `reference`: a
    human text differs from good MT without harming it."""
    first = sc.res[sc.systems[0]]
    eligible = [
        all(c.ok for c in base_checks_by_row[i])
        and not any(v.get("severity") == "error" for v in (first[i].get("violations_before") or []))
        for i in range(len(sc.aligned))
    ]
    for s in sc.systems:
        if s == REFERENCE:
            continue
        harmed = [float(sc.outputs[s][i] != sc.mts[i]) for i in range(len(sc.aligned)) if eligible[i]]
        if harmed:
            score = Score(
                "harm_rate",
                sum(harmed) / len(harmed),
                "changed-clean-mt",
                len(harmed),
                higher_is_better=False,
            )
            sc.put(s, _with_test(score, harmed, None))


def _score_markup(sc: _Scoring) -> None:
    base_markup = [check_markup(row.src, mt) for row, mt in zip(sc.aligned, sc.mts, strict=True)]
    for s in sc.systems:
        checks = [check_markup(row.src, o) for row, o in zip(sc.aligned, sc.outputs[s], strict=True)]
        for score in markup_scores(checks):
            attr = "exact_set" if score.metric == "markup_exact_set" else None

            def val(c: Any, attr: str | None = attr) -> float:
                return float(c.exact_set if attr else c.exact_set and c.nested)

            vals = [val(c) for c in checks if c is not None]
            base = None if s == BASELINE else [val(c) for c in base_markup if c is not None]
            sc.put(s, _with_test(score, vals, base))


def _score_qa(
    sc: _Scoring,
) -> tuple[dict[str, dict[str, int]], Counter[str], dict[str, dict[str, int]], dict[str, list[float]]]:
    """QA findings before and after, statuses, cost and latency per system."""
    violations: dict[str, dict[str, int]] = {}
    before: Counter[str] = Counter()
    statuses: dict[str, dict[str, int]] = {}
    latencies: dict[str, list[float]] = {}
    for s in sc.systems:
        rows = sc.res[s]
        after_v = [list(r.get("violations") or []) for r in rows]
        before_v = [list(r.get("violations_before") or []) for r in rows]
        violations[s] = dict(count_codes(after_v).most_common())
        if s == sc.systems[0]:  # the MT's findings: from the baseline row, else the first system's
            before = count_codes(before_v)
        for score in qa_scores(after_v, before_v):
            sc.put(s, score)
        statuses[s] = dict(Counter(str(r.get("status")) for r in rows))
        errors = sum(1 for r in rows if r.get("error"))
        if errors:
            sc.notes.append(
                f"{s}: {errors} segment(s) failed with an error and count as the MT (needs_review)."
            )
        latencies[s] = [float(r.get("latency_ms") or 0.0) for r in rows]
        for score in cost_scores([r.get("usage") or {} for r in rows], latencies[s]):
            sc.put(s, score)
    return violations, before, statuses, latencies


def _score_judge(sc: _Scoring, judge: Mapping[str, Sequence[str]]) -> dict[str, dict[str, int]]:
    judged: dict[str, dict[str, int]] = {}
    for s, verdicts in judge.items():
        judged[s] = dict(Counter(verdicts))
        ok = [float(v == "pass") for v in verdicts if v != "error"]
        if ok:
            score = Score("judge_pass_rate", sum(ok) / len(ok), "ragas DiscreteMetric", len(ok))
            sc.put(s, _with_test(score, ok, None))
    return judged


def _prompt_version() -> str:
    """The prompts' hash and the agent's revision (`agent.agent_version`), as the result cache keys them."""
    from agent import agent_version

    return agent_version()


def signature(meta: Mapping[str, Any]) -> str:
    """One line naming what the scores were made with, the sacreBLEU way: `key:value|...`."""
    parts = {
        "model": meta.get("model") or "rules",
        "agent": meta.get("prompt_version"),
        "sacrebleu": meta.get("sacrebleu"),
        "tok": meta.get("bleu_tokenizer"),
        "glossary": (meta.get("glossary") or {}).get("version", "none"),
    }
    return "postedit|" + "|".join(f"{k}:{v}" for k, v in parts.items())


def _ragas_scores(
    scores: dict[str, dict[str, Score]],
    outputs: Mapping[str, Sequence[str]],
    idx: Sequence[int],
    refs: Sequence[str],
    side: str,
    notes: list[str],
) -> None:
    from eval.metrics.ragas_metrics import ragas_available, string_scores

    if ragas_available() is None:
        if "ragas" not in " ".join(notes):
            notes.append("ragas does not import here: its cross-check metrics are skipped.")
        return
    for s, out in outputs.items():
        for sc in string_scores([out[i] for i in idx], refs, side):
            scores[s][sc.metric] = sc
