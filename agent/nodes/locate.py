"""Span-level term repair: the model names the words that render a missing term; we replace them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from langgraph.runtime import Runtime

from agent import fixes, prompting
from agent.alignment import rendering, renders_elsewhere, renders_every_word, surely_renders, words
from agent.cognates import cognate
from agent.llm import LLMError
from agent.markup import blank_markup
from agent.nodes.common import check_step, evaluate_edit, ms
from agent.protection import SegmentMasks
from agent.state import AgentContext, AgentState, Candidate
from agent.types import TraceStep
from agent.violations import Code, Violation
from glossaries.morphology import FormChoices, morphology

LOCATE_TOKENS_PER_TERM = 40  # {"phrase": ..., "words": ...} for one term, with room to spare


async def ask_where(
    ctx: AgentContext,
    source: str,
    target: str,
    phrases: Sequence[str],
    choices: Sequence[str],
    update: dict[str, Any],
    hints: dict[str, list[str]] | None = None,
) -> dict[str, str]:
    """Which words of `target` render each source phrase, as the model names them (case-folded phrase ->
    words), its answer limited to `choices` (runs of words really in the target). The call and any failure go
    into `update`; a failed call names nothing."""
    assert ctx.llm is not None
    schema = prompting.locate_schema(phrases, choices)
    messages = prompting.locate_messages(ctx.system, source=source, mt=target, phrases=phrases, hints=hints)
    named: dict[str, str] = {}
    try:
        reply = await ctx.llm.complete_json(
            messages,
            schema,
            max_tokens=LOCATE_TOKENS_PER_TERM * (len(phrases) + 1),
            accept=prompting.LOCATE_SCHEMA,
        )
        update["calls"] = [*update.get("calls", []), reply.call]
        for span in (reply.data or {}).get("spans", []) or []:
            if isinstance(span, dict) and isinstance(span.get("phrase"), str):
                named[span["phrase"].strip().strip("\"'").casefold()] = str(span.get("words") or "")
    except LLMError as exc:
        update["failure"] = f"model unavailable: {exc}"
    return named


def _where_to_look(
    ctx: AgentContext, text: str, masked: str, missing: Sequence[Violation], matches: Sequence[Any]
) -> tuple[list[str], dict[str, list[str]]]:
    """The runs of words of `masked` (the candidate `text` as the model sees it) the model may name, and the
    shortlist per phrase the prompt shows: for one-word noun terms in a language that tells nouns, the few
    nouns nearest each term's place in the source (nearest first). With a full dictionary (Russian) the model
    names one of them; with only a list of nouns (German) it may still name any term-sized run of words, so
    that it can point at a verb (`beschädigte` for "damage"), which then keeps the term out."""
    morph = morphology(ctx.options.target_lang)
    longest = max((fixes.span_limit(text, v.expected or "") for v in missing), default=2)
    hints = _shortlists(ctx, text, masked, missing, matches) if morph.knows_nouns else {}
    near = list(dict.fromkeys(w for shortlist in hints.values() for w in shortlist))
    if not near:
        return fixes.span_choices(masked, longest), {}
    if morph.lexicon:
        return near, hints
    return list(dict.fromkeys([*near, *fixes.span_choices(masked, longest)])), hints


def _shortlists(
    ctx: AgentContext, text: str, masked: str, missing: Sequence[Violation], matches: Sequence[Any]
) -> dict[str, list[str]]:
    """Per source phrase, the nouns nearest its place, less those that render another source word and, for a
    common-noun term, names; none unless every missing term is a one-word noun."""
    morph = morphology(ctx.options.target_lang)
    match_of = {m.entry.id: m for m in matches}
    if not all(
        v.entry_id in match_of and len((v.expected or "").split()) == 1 and morph.is_noun(v.expected or "")
        for v in missing
    ):
        return {}
    source = blank_markup(ctx.segment.source)  # where the matcher read it

    def shortlist(v: Violation) -> list[str]:
        match = match_of[v.entry_id]
        nouns = fixes.nouns_near(masked, fixes.place_in(source, match.start, match.end), morph, k=None)
        if not morph.is_name(v.expected or ""):
            nouns = [n for n in nouns if not morph.is_name(n)]
        return _unexplained(ctx, text, match.text, nouns)[: fixes.SHORTLIST]

    return {match_of[v.entry_id].text: shortlist(v) for v in missing}


def _unexplained(ctx: AgentContext, text: str, phrase: str, nouns: list[str]) -> list[str]:
    """The nouns of a shortlist that render no other source word: none the job's alignment surely links to
    one, none spelled like one (`провинции` renders "province", `ситуацией` "situation": no place for
    "pneumonia"). All of them when every one renders something else."""
    said = [w.group() for w in words(phrase)]
    source = [w.group() for w in words(blank_markup(ctx.segment.source))]
    target = [w.group() for w in words(blank_markup(text))]
    said_folded = {w.casefold() for w in said}
    others = [e for e in source if e.casefold() not in said_folded]

    def elsewhere(noun: str) -> bool:
        if any(cognate(e, noun) for e in others) and not any(cognate(e, noun) for e in said):
            return True
        return ctx.lexicon is not None and renders_elsewhere(ctx.lexicon, said, source, target, noun)

    kept = [n for n in nouns if not elsewhere(n)]
    return kept or nouns


@dataclass(frozen=True)
class _Choice:
    """A term's place found, its form not: the forms it may take there (`der Antrag`, `den Antrag`), which
    replace the text from `forms.start` to `end`, and whether anything but the model confirmed the place."""

    forms: FormChoices
    end: int
    term: str
    why: str
    place_checked: bool


@dataclass
class _Log:
    """What the span repair tells the trace; the words the model named that are no place for the term
    (not a word of its kind, or of no form it can take), where a second pick may do better; and, per entry,
    the place whose form the model is to choose where no pick does better (its first pick's: the model's
    likeliest answer)."""

    notes: list[str] = field(default_factory=list)
    unfit: set[str] = field(default_factory=set)
    choices: dict[str, _Choice] = field(default_factory=dict)

    def refuse(self, note: str, unfit: str = "") -> None:
        self.notes.append(note)
        if unfit:
            self.unfit.add(unfit)


def _replacement_for(
    ctx: AgentContext,
    text: str,
    v: Violation,
    phrase: str,
    words: str,
    log: _Log,
    variants: Sequence[str] = (),
    by: str = "model",
) -> fixes.Replacement | None:
    """The replacement of the words that render a missing term (those the alignment or the model named,
    else the closest rendering), in the form the sentence needs; None, with the reason in `log`, where
    none is safe."""
    assert v.expected is not None
    morph = morphology(ctx.options.target_lang)
    span = fixes.find_words(text, words) if words and fixes.plausible_span(text, words, v.expected) else None
    how = f"{by} located {words!r}"
    if span is None and words:
        log.refuse(f"model named {words!r} for {phrase!r}: not usable", unfit=words)
    if span is None:
        span = fixes.closest_span(text, v.expected)
        how = "closest rendering"
    if span is not None and fixes.find_words(text, v.expected, fuzzy=False) is not None:
        log.refuse(f"{v.expected!r} is already there; not replacing again")
        return None
    if span is not None and fixes.duplicates_context(text, span, v.expected):
        log.refuse(f"not replacing {text[span[0] : span[1]]!r}: it would repeat words")
        return None
    if span is None:
        return None
    head = morph.term_place(text[span[0] : span[1]], v.expected) if len(v.expected.split()) == 1 else None
    if head is not None:  # the model named the word with its neighbours: keep them
        span = (span[0] + head[0], span[0] + head[1])
    shown = text[span[0] : span[1]]
    old = shown.split()
    if morph.cannot_replace(v.expected, old, fixes.sentence_start(text, span[0])):
        log.refuse(f"{shown!r} is no word of the kind {v.expected!r} is: not replacing", unfit=words)
        return None
    replacement = fixes.replace_span(text, span, v.expected, how, ctx.options.target_lang, variants)
    forbidden = v.start is not None and v.end is not None and span[0] < v.end and v.start < span[1]
    placed = how == "closest rendering" or forbidden or _confirmed(ctx, phrase, text, span, replacement.text)
    # `der Verschwörung` -> `der Grundstück`: the article before it cannot go with the term. With a full
    # dictionary, words whose case and number cannot be read are likelier no rendering of the term (`и есть
    # ли` for «насморк»): another pick first. Where the words read as two cases and the term's forms are
    # known (`die Frage`: `der` or `den Antrag`), the model chooses among them, unless a pick does better.
    clash = (
        replacement.start == span[0]
        and morph.fits(text[: span[0]], replacement.text, v.expected, None) is False
    )
    if clash or (not replacement.form_checked and morph.lexicon):
        choices = morph.form_choices(text[: span[0]], shown, v.expected)
        if choices is not None:
            log.choices.setdefault(v.entry_id or "", _Choice(choices, span[1], v.expected, how, placed))
        if clash:
            log.refuse(f"{replacement.text!r} cannot follow the words before {shown!r}: not replacing")
        else:
            log.refuse(f"{shown!r} cannot take the place of {v.expected!r}: not replacing", unfit=words)
        return None
    return replacement if placed else replace(replacement, place_checked=False)


def _replacements(
    ctx: AgentContext,
    text: str,
    missing: Sequence[Violation],
    phrase_of: dict[str, str],
    variants: dict[str, list[str]],
    aligned: dict[str, str],
    named: dict[str, str],
    log: _Log,
    by: str = "model",
) -> dict[str, fixes.Replacement | None]:
    """Per missing term (by entry id), its replacement at the words the job's alignment links to its phrase,
    else at those the model named, or None where none is safe."""
    out: dict[str, fixes.Replacement | None] = {}
    for v in missing:
        phrase = phrase_of.get(v.entry_id or "", "")
        key = phrase.casefold()
        words, how = (aligned[key], "alignment") if key in aligned else (named.get(key, ""), by)
        out[v.entry_id or ""] = _replacement_for(
            ctx, text, v, phrase, words, log, variants.get(v.entry_id or "", ()), how
        )
    return out


def _refused_picks(
    text: str,
    missing: Sequence[Violation],
    phrase_of: dict[str, str],
    hints: dict[str, list[str]],
    named: dict[str, str],
    unfit: set[str],
) -> dict[str, list[str]]:
    """The shortlists to offer again, less the noun the model named, for each term whose replacement there
    was refused as no place for it (`повреждение` cannot take the place of `пневмония`): a second pick among
    the other nouns costs a short call, where a draft that must fit the term in somewhere often fails. (A
    noun refused for the words before it may well render the term: a draft chooses its form.)"""
    again: dict[str, list[str]] = {}
    for v in missing:
        phrase = phrase_of.get(v.entry_id or "", "")
        pick = named.get(phrase.casefold(), "")
        left = [w for w in hints.get(phrase, []) if w != pick]
        if (
            pick in unfit
            and pick in hints.get(phrase, [])
            and left
            and fixes.find_words(text, v.expected or "", fuzzy=False) is None
        ):
            again[phrase] = left
    return again


def _aligned(ctx: AgentContext, text: str, phrases: Sequence[str]) -> dict[str, str]:
    """The words of `text` the job's alignment surely links to each source phrase (case-folded phrase ->
    words): how this MT renders the term throughout the job, found without a model call."""
    if ctx.lexicon is None:
        return {}
    plain, source = blank_markup(text), blank_markup(ctx.segment.source)
    spans = {p.casefold(): rendering(ctx.lexicon, p, source, plain) for p in phrases}
    return {p: text[s[0] : s[1]] for p, s in spans.items() if s is not None}


def _confirmed(ctx: AgentContext, phrase: str, text: str, span: tuple[int, int], term: str) -> bool:
    """Does anything but the model say the words it chose render the source phrase? Each replaced word is a
    form of a word of the term (a fix of its form), a short function word (`la` in `éclosion de la
    COVID-19`), or linked surely to the phrase by the job's word alignment; words confirmed by links alone
    render every content word of the phrase (`уровень` renders "rate", not "death rate"); and fewer words than
    the term has, one of them part of it, is no place for it: the rest would go beside words that may render it
    already (`hypertension artérielle` for "high blood pressure" takes no `tension artérielle`). Else other
    words are dropped (`transmission non détectée` -> `transmission communautaire`). (A forbidden rendering
    the glossary names is confirmed by the check that found it.)"""
    morph = morphology(ctx.options.target_lang)
    new = [w.group() for w in words(term)]
    old = [w.group() for w in words(text[span[0] : span[1]])]

    def of_term(w: str) -> bool:
        return any(w.casefold() == t.casefold() or morph.same_lexeme(w, t) for t in new)

    lexicon, said = ctx.lexicon, [w.group() for w in words(phrase)]
    source = [w.group() for w in words(blank_markup(ctx.segment.source))]
    target = [w.group() for w in words(blank_markup(text))]

    def linked(w: str) -> bool:
        return lexicon is not None and surely_renders(lexicon, said, source, target, w)

    kinds = [(of_term(w), linked(w)) for w in old]
    if any(part for part, _ in kinds) and len(old) < len(new):
        return False
    if not any(part or link for part, link in kinds):
        return False
    content = [e for e in said if len(e) > 3]
    if not any(part for part, _ in kinds) and not (
        lexicon is not None and renders_every_word(lexicon, content, source, target, old)
    ):
        return False
    return all(part or link or len(w) <= 3 for w, (part, link) in zip(old, kinds, strict=True))


async def _choose_forms(
    ctx: AgentContext,
    masks: SegmentMasks,
    text: str,
    choices: Sequence[_Choice],
    update: dict[str, Any],
    log: _Log,
) -> list[fixes.Replacement]:
    """The form of each term whose place is found but whose case the words around do not tell, as the model
    chooses among the generated forms, each shown in the sentence. The choice is the model's, so the form
    stays flagged `term-form-unverified`."""
    assert ctx.llm is not None
    out = []
    for c in choices:
        start, options = c.forms.start, c.forms.options
        versions = [masks.mask(text[:start] + o + text[c.end :]) for o in options]
        messages = prompting.choose_form_messages(
            ctx.system, source=masks.masked_source, term=c.term, versions=versions, options=options
        )
        try:
            reply = await ctx.llm.complete_json(
                messages, prompting.choose_form_schema(options), max_tokens=LOCATE_TOKENS_PER_TERM
            )
        except LLMError as exc:
            update["failure"] = f"model unavailable: {exc}"
            break
        update["calls"] = [*update.get("calls", []), reply.call]
        form = (reply.data or {}).get("form")
        if form not in options:
            log.refuse(f"model chose none of {list(options)} for {c.term!r}")
            continue
        why = f"{c.why} -> {form!r}, the model's choice among {list(options)}"
        out.append(fixes.Replacement(start, c.end, form, why, False, c.place_checked))
    return out


async def locate(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Span-level term repair: the model names the words that render each missing term; we replace them."""
    t0 = time.perf_counter()
    ctx = runtime.context
    candidate = state["candidate"]
    assert candidate is not None
    text = candidate.text
    matches = state.get("matches", [])
    missing = [
        v for v in candidate.violations if v.code in (Code.TERM_MISSING, Code.DNT_ALTERED) and v.expected
    ]
    phrase_of = {m.entry.id: m.text for m in matches}
    variants = {m.entry.id: [t.text for t in m.entry.allowed_targets] for m in matches}
    update: dict[str, Any] = {"tried": [f"locate:{text}"]}
    aligned = _aligned(ctx, text, [phrase_of[v.entry_id] for v in missing if v.entry_id in phrase_of])
    named: dict[str, str] = {}
    hints: dict[str, list[str]] = {}
    unsure = [v for v in missing if phrase_of.get(v.entry_id or "", "").casefold() not in aligned]
    can_ask = ctx.llm is not None and not state.get("failure")
    masks = state["masks"]
    masked = ""
    choices: list[str] = []
    if unsure and can_ask:
        phrases = [phrase_of[v.entry_id] for v in unsure if v.entry_id in phrase_of]
        masked = masks.mask(text)  # as the model sees it; only a model call needs it
        choices, hints = _where_to_look(ctx, text, masked, unsure, matches)
        named = await ask_where(ctx, masks.masked_source, masked, phrases, choices, update, hints)
    log = _Log()
    found = _replacements(ctx, text, missing, phrase_of, variants, aligned, named, log)
    again = _refused_picks(text, missing, phrase_of, hints, named, log.unfit)
    if named and again and "failure" not in update:
        dropped = {named[p.casefold()] for p in again}
        options = [c for c in choices if c not in dropped]
        second = await ask_where(ctx, masks.masked_source, masked, list(again), options, update, again)
        retry = [v for v in missing if phrase_of.get(v.entry_id or "", "") in again]
        found |= _replacements(ctx, text, retry, phrase_of, variants, {}, second, log, "second pick")
    replacements = [r for r in found.values() if r is not None]
    unchosen = [c for entry, c in log.choices.items() if found.get(entry) is None]
    if unchosen and can_ask and "failure" not in update:
        replacements += await _choose_forms(ctx, masks, text, unchosen, update, log)
    return _located(ctx, matches, candidate, text, replacements, log, update, t0)


def _located(
    ctx: AgentContext,
    matches: Sequence[Any],
    candidate: Candidate,
    text: str,
    replacements: list[fixes.Replacement],
    log: _Log,
    update: dict[str, Any],
    t0: float,
) -> dict[str, Any]:
    """The state update: the candidate with the replacements applied, and the trace of what was done."""
    new_text = fixes.apply(text, replacements)
    notes = [*log.notes, *(r.why for r in replacements)]
    if new_text != text:
        fixed = evaluate_edit(ctx, matches, candidate, new_text, replacements, "locate")
        update |= {"candidate": fixed, "candidates": [fixed]}
        update["trace"] = [
            TraceStep("locate", "; ".join(notes), ms(t0), {"text": new_text}),
            check_step(fixed, t0, "term fix"),
        ]
    else:
        detail = "; ".join(notes) if notes else "no rendering of the missing term(s) found"
        update["trace"] = [TraceStep("locate", detail, ms(t0))]
    return update
