"""What each metric means, as printed in the report (keyed by the metric name before any `/ref`)."""

from __future__ import annotations

__all__ = ["DEFINITIONS", "definition"]

DEFINITIONS: dict[str, str] = {
    "chrF++": "sacreBLEU chrF with word bigrams (chrF2++: character 6-grams + word 2-grams, beta=2), corpus "
    "level, against the reference side named after the slash (`ref` = independent reference, `pe` = human "
    "post-edit of this MT). Higher is better.",
    "BLEU": "sacreBLEU corpus BLEU (4-grams, exp smoothing); tokenizer 13a, `zh` for Chinese, `ja-mecab` for "
    "Japanese (`char` when MeCab is missing, named in the signature). Higher is better.",
    "TER": "sacreBLEU Translation Edit Rate (tercom-style shifts, edits per reference word x 100). Against "
    "`pe` this is HTER. Lower is better.",
    "ragas_chrf": "ragas 0.4 `CHRFScore` (sentence chrF via sacreBLEU, averaged over segments, x100): a "
    "cross-check of chrF computed by another library.",
    "ragas_string_sim": "ragas 0.4 `NonLLMStringSimilarity`: 1 - normalized Levenshtein distance to the "
    "reference, averaged over segments. A cross-check.",
    "edit_rate": "HTER-style edit rate of the system's output against the MT it started from: total TER "
    "edits / total MT words. 0 = MT returned unchanged. Shows how much a system touches the MT.",
    "unchanged_rate": "Share of segments whose output is exactly the MT.",
    "term_success": "Term success rate (WMT terminology task): of all term constraints (per-row `terms` plus "
    "glossary entries found in the source), the share whose output contains an allowed target form, "
    "inflected forms included (lemma-aware term matcher). The WMT21 task's own script counts its "
    "'Exact-Match Accuracy' the same way, with stanza for lemmas: a term found as the reference writes it or, "
    "failing that, by its lemma in the lemmatised output (evaluate_term_wmt.py, compare_EXACT).",
    "term_success_exact": "As term_success, but an allowed target form must appear verbatim (word "
    "boundaries, case-insensitive unless the term is case-sensitive): stricter than WMT21's exact match, and "
    "at odds with form agreement wherever the sentence needs another form than the glossary lists.",
    "term_form_agreement": "Term form agreement with the reference: for each required term the reference "
    "renders (an allowed form, another form of its lexeme, or the compound or derived word holding it, found "
    "by the same matcher as the checks), the share of outputs that use that same word form (whole words, "
    "case-insensitive). A term in its dictionary form where the sentence needs another case disagrees.",
    "harm_rate": "Of the segments whose MT already had every term (lemma-aware) and no error-severity QA "
    "finding, the share whose output differs from the MT. A post-editor that does no harm scores 0. Lower "
    "is better.",
    "forbidden_rate": "Of the glossary entries with forbidden target terms found in the source, the share "
    "whose output uses a forbidden term. Lower is better.",
    "dnt_accuracy": "Of the do-not-translate entries found in the source, the share kept verbatim.",
    "markup_exact_set": "Of the segments whose source has inline tags or placeholders, the share whose "
    "output has exactly the same multiset of them.",
    "markup_accuracy": "As markup_exact_set, and the tags are also well nested (no close tag out of order).",
    "violations_per_segment": "QA findings of the agent's checker remaining in the output, per segment.",
    "violations_before_per_segment": "QA findings of the agent's checker in the MT, per segment.",
    "clean_rate": "Share of outputs with no QA finding.",
    "model_calls": "LLM calls, summed over segments (retries included in the gateway's count).",
    "calls_per_segment": "LLM calls per segment.",
    "prompt_tokens": "Prompt tokens reported by the model server, summed.",
    "completion_tokens": "Completion tokens reported by the model server, summed.",
    "model_ms": "Time spent waiting for the model, summed over segments (ms).",
    "latency_p50_ms": "Median per-segment latency of the system (ms), as the agent measured it.",
    "latency_p95_ms": "95th percentile per-segment latency (ms).",
    "judge_pass_rate": "LLM-as-judge (ragas DiscreteMetric, pass/fail): share of outputs the judge says keep "
    "the meaning of the source and follow the glossary. Advisory; judge errors are excluded.",
}

SIGNIFICANCE = (
    "Significance: sacreBLEU's paired bootstrap resampling (1000 resamples, seed 12345) of each system "
    "against the `mt` baseline on the same segments; p < 0.05 is significant. Rate metrics (term success, "
    "markup, DNT, forbidden) use the same paired bootstrap over their items. `±` is the 95% CI half-width."
)

LEARNING = (
    "Learning curve: agent-minimal+tm's memory starts empty (or seeded with --memory-tmx) and learns each "
    "row's reference (its post-edit, else its reference) after the row, in dataset order, so a row sees "
    "every earlier reference and never a later one. Δ is its corpus score minus agent-minimal's on the same "
    "rows, p the paired bootstrap of the two (1000 resamples, seed 12345). The plot shows sentence chrF++ and "
    "term success over the segments seen, and the rows that had a memory match (75%+) or came back tm_exact."
)


def definition(metric: str) -> str:
    return DEFINITIONS.get(metric.split("/")[0], "")
