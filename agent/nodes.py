"""The agent's steps as plain functions: state in, partial state out. The graph in `graph.py` wires them.

prepare (retrieve, protect, check the MT) -> (fix | locate | rewrite | place) -> check ... -> finalize
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Sequence
from typing import Any, Literal

from langgraph.runtime import Runtime

from agent import fixes, prompting
from agent.checks import CheckInput, run_checks
from agent.checks.length import ratio_bounds
from agent.diff import edit_rate
from agent.llm import LLMError, LLMReply
from agent.markup import blank_markup, enclosed_text, partner_of, restore, validate, without_pair, wrap_pair
from agent.protection import mask_segment
from agent.state import AgentContext, AgentState, Candidate, ModelEdit
from agent.types import Mode, TraceStep
from agent.violations import REVIEW_CODES, Severity, Violation
from glossaries.languages import language_name
from glossaries.morphology import morphology, written_in
from glossaries.text import primary_lang
from prompts import Message

Route = Literal["fix", "locate", "place", "rewrite", "finalize"]

LOCATE_TOKENS_PER_TERM = 40  # {"phrase": ..., "words": ...} for one term, with room to spare


def output_budget(text: str, *, explain: bool) -> int:
    """Completion tokens for a draft: about twice the text's tokens plus the JSON around it.

    A small model that starts repeating itself is cut off after this many tokens instead of the
    gateway's maximum, which on CPU is the difference between 5 and 40 seconds.
    """
    wide = sum(1 for ch in text if ord(ch) >= 0x2E80)  # CJK: about a token per character
    estimate = wide + (len(text) - wide) // 3 + 1  # European languages: about 3 characters per token
    return min(2048, 2 * estimate + 48 + (160 if explain else 0))


MAX_LOCATES = 2  # span-level term repairs per segment; after that only full drafts may help
MAX_FIXES = 3  # deterministic repair passes per segment: a repair that leaves errors must not loop

MARKUP_CODES = frozenset(
    {"tag-missing", "tag-extra", "tag-duplicated", "placeholder-missing", "placeholder-extra",
     "placeholder-duplicated"}
)  # fmt: skip
FIXABLE_CODES = MARKUP_CODES | {"term-forbidden", "dnt-altered", "whitespace-leading", "whitespace-trailing",
                                "whitespace-double"}  # fmt: skip


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 3)


def actionable(v: Violation) -> bool:
    """What makes the agent act: errors, and any broken style-guide rule. Other warnings are only reported."""
    return v.severity is Severity.ERROR or v.code.startswith("style-")


def evaluate(ctx: AgentContext, matches: Sequence[Any], text: str, origin: str) -> Candidate:
    matcher = ctx.matchers[0] if ctx.matchers else None
    found = run_checks(
        CheckInput(
            source=ctx.segment.source,
            target=text,
            source_lang=ctx.options.source_lang,
            target_lang=ctx.options.target_lang,
            matches=tuple(matches),
            matcher=matcher,
            style=ctx.style,
            placeholders=ctx.placeholders,
        )
    )
    return Candidate(text=text, violations=tuple(found), origin=origin)


def _evaluate_edit(
    ctx: AgentContext,
    matches: Sequence[Any],
    previous: Candidate | None,
    text: str,
    replacements: Sequence[fixes.Replacement],
    origin: str,
    extra: Sequence[Violation] = (),
) -> Candidate:
    """Check an edit; what the checks cannot see (a term form or a tag place nobody verified) stays on it,
    from this edit and from earlier ones whose words are still there."""
    checked = evaluate(ctx, matches, text, origin)
    earlier = previous.violations if previous is not None else ()
    kept = [v for v in earlier if v.code in REVIEW_CODES and v.expected and v.expected in text]
    notes = list(dict.fromkeys([*kept, *fixes.unchecked_forms(text, replacements), *extra]))
    return Candidate(checked.text, (*checked.violations, *notes), origin) if notes else checked


UNPLACED = "tag-placement-unverified"


def _markup_errors(violations: Sequence[Violation]) -> int:
    return sum(v.code in MARKUP_CODES and v.severity is Severity.ERROR for v in violations)


def placement_guesses(
    tags: Sequence[str], how: str = "where it sat relative to its neighbours in the source"
) -> list[Violation]:
    """A `tag-placement-unverified` warning per tag or placeholder put back at a guessed place."""
    return [
        Violation(
            UNPLACED, Severity.WARNING, f"{tag} was put back {how}: check what it encloses", expected=tag
        )
        for tag in dict.fromkeys(tags)
    ]


def _guessed_pairs(state: AgentState, candidate: Candidate) -> list[tuple[str, str]]:
    """(open mask, source words it encloses) of each tag pair whose two halves went back at a guessed place."""
    guessed = {v.expected for v in candidate.violations if v.code == UNPLACED and v.expected}
    masks = state["masks"]
    tokens = masks.source.tokens
    closes = {t.token: t.text for t in tokens if t.kind == "close"}
    pairs = []
    for tok in tokens:
        close = closes.get(partner_of(tok.token))
        if tok.kind == "open" and tok.text in guessed and close in guessed:
            words = enclosed_text(masks.masked_source, tok.token)
            if words:
                pairs.append((tok.token, words))
    return pairs


# --- nodes ------------------------------------------------------------------------------------------


async def prepare(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Retrieve the glossary terms, mask markup and DNT terms, check the MT: one graph step, three traced.

    None of them can fail or branch, and each graph step costs LangGraph about 0.2 ms of CPU per segment
    (a twentieth of the API's per-segment budget with a model answering instantly).
    """
    ctx = runtime.context
    matches, retrieved = _retrieve(ctx)
    update = _protect(ctx, matches)
    update["trace"].insert(0, retrieved)
    return {"matches": matches, **update}


def _retrieve(ctx: AgentContext) -> tuple[list[Any], TraceStep]:
    t0 = time.perf_counter()
    plain = blank_markup(ctx.segment.source)
    matches = sorted(
        (m for matcher in ctx.matchers for m in matcher.match_source(plain)), key=lambda m: (m.start, -m.end)
    )
    kept: list[Any] = []
    for m in matches:  # the request glossary wins over a segment term covering the same words
        if not kept or m.start >= kept[-1].end:
            kept.append(m)
    terms = [
        {
            "source": m.text,
            "start": m.start,
            "end": m.end,
            "target": m.entry.preferred_target.text if m.entry.preferred_target else None,
            "dnt": m.entry.is_dnt,
            "forbidden": [t.text for t in m.entry.forbidden_targets],
            "note": m.entry.note,
        }
        for m in kept
    ]
    return kept, TraceStep(
        "retrieve", f"{len(kept)} glossary term(s) in the source", _ms(t0), {"terms": terms}
    )


def _protect(ctx: AgentContext, matches: Sequence[Any]) -> dict[str, Any]:
    t0 = time.perf_counter()
    dnt = [m.text for m in matches if m.entry.is_dnt]
    masks, masked_mt = mask_segment(ctx.segment.source, ctx.segment.mt, dnt, ctx.placeholders)
    n = len(masks.source.tokens)
    step = TraceStep("protect", f"{n} tag(s), placeholder(s) and DNT term(s) masked", _ms(t0))
    update: dict[str, Any] = {"masks": masks, "masked_mt": masked_mt, "trace": [step], "rounds": 0}
    if ctx.segment.mt is not None:
        mt = evaluate(ctx, matches, ctx.segment.mt, "mt")
        update |= {"candidate": mt, "candidates": [mt], "violations_before": list(mt.violations)}
        update["trace"].append(_check_step(mt, t0, "MT"))
    return update


def _check_step(candidate: Candidate, t0: float, what: str) -> TraceStep:
    codes = [v.code for v in candidate.violations]
    detail = f"{what}: {len(codes)} finding(s)" + (f" ({', '.join(sorted(set(codes)))})" if codes else "")
    return TraceStep(
        "check",
        detail,
        _ms(t0),
        {"text": candidate.text, "violations": [v.to_json() for v in candidate.violations]},
    )


async def route(state: AgentState, runtime: Runtime[AgentContext]) -> Route:
    ctx = runtime.context
    candidate = state.get("candidate")
    tried = set(state.get("tried", []))
    can_ask = ctx.llm is not None and not state.get("failure")
    limit = ctx.options.max_rounds + (1 if ctx.segment.mt is None else 0)
    if candidate is None:
        return "rewrite" if can_ask and state.get("rounds", 0) < limit else "finalize"
    codes = {v.code for v in candidate.violations}
    # Whitespace warnings alone do not justify an edit ("do no harm"); they are fixed along with real errors.
    must_fix = {v.code for v in candidate.violations if actionable(v)} & FIXABLE_CODES
    fixed = sum(t.startswith("fix:") for t in tried)
    if must_fix and f"fix:{candidate.text}" not in tried and fixed < MAX_FIXES:
        return "fix"
    located = sum(t.startswith("locate:") for t in tried)
    if (
        codes & {"term-missing", "dnt-altered"}
        and f"locate:{candidate.text}" not in tried
        and located < MAX_LOCATES
    ):
        return "locate"
    if not can_ask:
        return "finalize"
    wants_review = (ctx.options.mode is Mode.FULL or bool(ctx.options.instructions)) and not state.get(
        "reviewed"
    )
    if wants_review and state.get("rounds", 0) <= limit:
        return "rewrite"
    if any(actionable(v) for v in candidate.violations) and state.get("rounds", 0) < limit:
        return "rewrite"
    if UNPLACED in codes and not any(t.startswith("place:") for t in tried):
        return "place"
    return "finalize"


async def fix(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Safe deterministic repairs; each is named in the trace."""
    t0 = time.perf_counter()
    ctx = runtime.context
    candidate = state["candidate"]
    assert candidate is not None
    text = candidate.text
    source_forms = {m.entry.id: m.text for m in state.get("matches", [])}
    replacements: list[fixes.Replacement] = []
    notes: list[str] = []
    for v in candidate.violations:
        r = (
            fixes.forbidden_term(text, v, ctx.options.target_lang)
            or fixes.whitespace(ctx.segment.source, text, v)
            or fixes.end_punctuation(ctx.segment.source, text, v, ctx.options.target_lang)
        )
        if r is None and v.code == "dnt-altered" and v.entry_id in source_forms:
            r = fixes.dnt_case(source_forms[v.entry_id], text)
        if r is not None:
            replacements.append(r)
    new_text = fixes.apply(text, replacements)
    notes += [r.why for r in replacements]
    guessed: tuple[str, ...] = ()
    markup_errors = _markup_errors(candidate.violations)
    if markup_errors:
        masks = state["masks"]
        restored, guessed = masks.unmask_placed(masks.mask(new_text))
        after = _markup_errors(validate(ctx.segment.source, restored, ctx.placeholders))
        if after < markup_errors:  # a restore that does not reduce the markup errors is no repair
            notes.append("tags/placeholders restored to match the source")
            new_text = restored
        else:
            guessed = ()
    update: dict[str, Any] = {"tried": [f"fix:{text}"]}
    if new_text != text:
        fixed = _evaluate_edit(
            ctx,
            state.get("matches", []),
            candidate,
            new_text,
            replacements,
            "fix",
            placement_guesses(guessed),
        )
        update |= {"candidate": fixed, "candidates": [fixed]}
        update["trace"] = [
            TraceStep("fix", "; ".join(notes), _ms(t0), {"text": new_text}),
            _check_step(fixed, t0, "fixed"),
        ]
    else:
        update["trace"] = [TraceStep("fix", "no safe deterministic fix applies", _ms(t0))]
    return update


async def _ask_where(
    ctx: AgentContext,
    source: str,
    target: str,
    phrases: Sequence[str],
    choices: Sequence[str],
    update: dict[str, Any],
) -> dict[str, str]:
    """Which words of `target` render each source phrase, as the model names them (case-folded phrase ->
    words), its answer limited to `choices` (runs of words really in the target). The call and any failure go
    into `update`; a failed call names nothing."""
    assert ctx.llm is not None
    schema = prompting.locate_schema(phrases, choices)
    messages = prompting.locate_messages(ctx.system, source=source, mt=target, phrases=phrases)
    named: dict[str, str] = {}
    try:
        reply = await ctx.llm.complete_json(
            messages,
            schema,
            max_tokens=LOCATE_TOKENS_PER_TERM * (len(phrases) + 1),
            accept=prompting.LOCATE_SCHEMA,
        )
        update["calls"] = [reply.call]
        for span in (reply.data or {}).get("spans", []) or []:
            if isinstance(span, dict) and isinstance(span.get("phrase"), str):
                named[span["phrase"].strip().strip("\"'").casefold()] = str(span.get("words") or "")
    except LLMError as exc:
        update["failure"] = f"model unavailable: {exc}"
    return named


def _where_to_look(
    ctx: AgentContext, text: str, masked: str, missing: Sequence[Violation], matches: Sequence[Any]
) -> list[str]:
    """The runs of words of `masked` (the candidate `text` as the model sees it) the model may name: for
    one-word noun terms in a language with a dictionary, the few nouns near each term's place in the source;
    else every term-sized run of words."""
    morph = morphology(ctx.options.target_lang)
    match_of = {m.entry.id: m for m in matches}
    nouns = morph.lexicon and all(
        v.entry_id in match_of and len((v.expected or "").split()) == 1 and morph.is_noun(v.expected or "")
        for v in missing
    )
    if nouns:
        source = blank_markup(ctx.segment.source)  # where the matcher read it
        places = [
            fixes.place_in(source, match_of[v.entry_id].start, match_of[v.entry_id].end) for v in missing
        ]
        near = list(dict.fromkeys(w for where in places for w in fixes.nouns_near(masked, where, morph)))
        if near:
            return near
    longest = max((fixes.span_limit(text, v.expected or "") for v in missing), default=2)
    return fixes.span_choices(masked, longest)


def _replacement_for(
    ctx: AgentContext, text: str, v: Violation, phrase: str, words: str, notes: list[str]
) -> fixes.Replacement | None:
    """The replacement of the words that render a missing term (those the model named, else the closest
    rendering), in the form the sentence needs; None, with the reason in `notes`, where none is safe."""
    assert v.expected is not None
    morph = morphology(ctx.options.target_lang)
    span = fixes.find_words(text, words) if words and fixes.plausible_span(text, words, v.expected) else None
    how = f"model located {words!r}"
    if span is None and words:
        notes.append(f"model named {words!r} for {phrase!r}: not usable")
    if span is None:
        span = fixes.closest_span(text, v.expected)
        how = "closest rendering"
    if span is not None and fixes.find_words(text, v.expected, fuzzy=False) is not None:
        notes.append(f"{v.expected!r} is already there; not replacing again")
        return None
    if span is not None and fixes.duplicates_context(text, span, v.expected):
        notes.append(f"not replacing {text[span[0] : span[1]]!r}: it would repeat words")
        return None
    if span is None:
        return None
    head = morph.head_noun(text[span[0] : span[1]]) if len(v.expected.split()) == 1 else None
    if head is not None:  # the model named the noun with its neighbours: keep them
        span = (span[0] + head[0], span[0] + head[1])
    replacement = fixes.replace_span(text, span, v.expected, how, ctx.options.target_lang)
    if not replacement.form_checked and morph.lexicon:
        # With a full dictionary, words whose case and number cannot be read are no rendering of a
        # term (`и есть ли` for «насморк»): a draft does better than a replacement of the wrong words.
        notes.append(f"{text[span[0] : span[1]]!r} cannot take the place of {v.expected!r}: not replacing")
        return None
    return replacement


async def locate(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Span-level term repair: the model names the words that render each missing term; we replace them."""
    t0 = time.perf_counter()
    ctx = runtime.context
    candidate = state["candidate"]
    assert candidate is not None
    text = candidate.text
    matches = state.get("matches", [])
    missing = [v for v in candidate.violations if v.code in ("term-missing", "dnt-altered") and v.expected]
    phrase_of = {m.entry.id: m.text for m in matches}
    update: dict[str, Any] = {"tried": [f"locate:{text}"]}
    named: dict[str, str] = {}
    if ctx.llm is not None and not state.get("failure"):
        phrases = [phrase_of[v.entry_id] for v in missing if v.entry_id in phrase_of]
        masks = state["masks"]
        masked = masks.mask(text)
        choices = _where_to_look(ctx, text, masked, missing, matches)
        named = await _ask_where(ctx, masks.masked_source, masked, phrases, choices, update)
    replacements: list[fixes.Replacement] = []
    notes: list[str] = []
    for v in missing:
        phrase = phrase_of.get(v.entry_id or "", "")
        found = _replacement_for(ctx, text, v, phrase, named.get(phrase.casefold(), ""), notes)
        if found is not None:
            replacements.append(found)
    new_text = fixes.apply(text, replacements)
    notes += [r.why for r in replacements]
    if new_text != text:
        fixed = _evaluate_edit(ctx, matches, candidate, new_text, replacements, "locate")
        update |= {"candidate": fixed, "candidates": [fixed]}
        update["trace"] = [
            TraceStep("locate", "; ".join(notes), _ms(t0), {"text": new_text}),
            _check_step(fixed, t0, "term fix"),
        ]
    else:
        detail = "; ".join(notes) if notes else "no rendering of the missing term(s) found"
        update["trace"] = [TraceStep("locate", detail, _ms(t0))]
    return update


async def rewrite(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """A model draft: translation, review (full mode / instructions) or repair, in several samples if asked."""
    t0 = time.perf_counter()
    ctx = runtime.context
    candidate = state.get("candidate")
    wants_review = (ctx.options.mode is Mode.FULL or bool(ctx.options.instructions)) and not state.get(
        "reviewed"
    )
    problems = [v for v in candidate.violations if actionable(v)] if candidate else []
    kind, messages = _draft_prompt(state, ctx, problems, wants_review)
    masked = state["masks"].mask(candidate.text) if candidate else ""
    forced = forced_terms(problems, ctx.options.target_lang, state["masks"].masked_source, masked)
    results = await _sample(ctx, messages, forced)
    update: dict[str, Any] = {"rounds": state.get("rounds", 0) + 1}
    if wants_review:
        update["reviewed"] = True
    replies = [r for r in results if isinstance(r, LLMReply)]
    errors = [r for r in results if isinstance(r, BaseException)]
    update["calls"] = [r.call for r in replies]
    drafts, edits, rejected = _read_drafts(state, ctx, replies, kind)
    if not drafts:
        if errors and not replies:
            reason = f"model unavailable: {errors[0]}"
        elif rejected:
            reason = f"model draft rejected: {rejected[0]}"
        else:
            reason = "model returned no usable output (invalid JSON or empty)"
        update["failure"] = reason
        update["trace"] = [TraceStep(kind, reason, _ms(t0))]
        return update
    best = min(drafts, key=lambda c: c.rank)
    update |= {"candidate": best, "candidates": [best], "model_edits": edits}
    update["trace"] = [
        TraceStep(
            kind, f"{len(drafts)} sample(s), best has {best.errors} error(s)", _ms(t0), {"text": best.text}
        ),
        _check_step(best, t0, kind),
    ]
    return update


def _draft_prompt(
    state: AgentState, ctx: AgentContext, problems: Sequence[Violation], wants_review: bool
) -> tuple[str, list[Message]]:
    """Which draft to ask for and its prompt: a translation (no MT), a review or draft of the MT, or a
    repair of the model's own earlier draft."""
    masks, matches, candidate = state["masks"], state.get("matches", []), state.get("candidate")
    if candidate is None:
        return "translate", prompting.translate_messages(
            ctx.system,
            source=masks.masked_source,
            matches=matches,
            instructions=ctx.options.instructions,
            context=ctx.segment.context,
        )
    masked = masks.mask(candidate.text)
    if wants_review or candidate.origin in ("mt", "fix", "locate"):
        return ("review" if wants_review else "draft"), prompting.postedit_messages(
            ctx.system,
            full=wants_review,
            source=masks.masked_source,
            mt=masked,
            matches=matches,
            violations=problems,
            instructions=ctx.options.instructions,
            explain=ctx.options.explain,
        )
    return "repair", prompting.repair_messages(
        ctx.system, source=masks.masked_source, draft=masked, matches=matches, violations=problems
    )


async def _sample(
    ctx: AgentContext, messages: list[Message], forced: list[tuple[str, ...]]
) -> list[LLMReply | BaseException]:
    """`ctx.samples` drafts in parallel: the first greedy, the others sampled; a failed call is returned."""
    assert ctx.llm is not None
    loose = prompting.output_schema(explain=ctx.options.explain)
    schema = prompting.output_schema(explain=ctx.options.explain, must_contain=forced)
    budget = output_budget(ctx.segment.mt or ctx.segment.source, explain=ctx.options.explain)
    return await asyncio.gather(
        *(
            ctx.llm.complete_json(
                messages,
                schema,
                temperature=0.0 if i == 0 else 0.7,
                seed=None if i == 0 else 1000 + i,
                max_tokens=budget,
                accept=loose,
            )
            for i in range(max(1, ctx.samples))
        ),
        return_exceptions=True,
    )


def _read_drafts(
    state: AgentState, ctx: AgentContext, replies: Sequence[LLMReply], kind: str
) -> tuple[list[Candidate], list[ModelEdit], list[str]]:
    """The usable drafts of the replies, the model's explained edits, and why the others were rejected.
    With nothing to fall back on (no MT), a rejected draft is kept, flagged, so a repair round can fix it."""
    masks, matches, candidate = state["masks"], state.get("matches", []), state.get("candidate")
    drafts: list[Candidate] = []
    edits: list[ModelEdit] = []
    rejected: list[str] = []
    for reply in replies:
        output = (reply.data or {}).get("output")
        if not isinstance(output, str) or not output.strip():
            continue
        text, guessed = masks.unmask_placed(output)
        for e in (reply.data or {}).get("edits", []) or []:
            if isinstance(e, dict) and all(isinstance(e.get(k), str) for k in ("before", "after", "reason")):
                edits.append(ModelEdit(e["before"], e["after"], e["reason"]))
        why_not = implausible(ctx, candidate, text)
        if why_not is None:
            draft = _evaluate_edit(ctx, matches, None, text, (), kind, placement_guesses(guessed))
            why_not = added_defect(candidate, draft)
            if why_not is None:
                drafts.append(draft)
                continue
        rejected.append(why_not)
        if candidate is None:
            flagged = evaluate(ctx, matches, text, kind)
            finding = Violation(
                "implausible-draft", Severity.ERROR, f"the model's draft was rejected: {why_not}"
            )
            drafts.append(Candidate(flagged.text, (finding, *flagged.violations), kind))
    return drafts, edits, rejected


def forced_terms(problems: Sequence[Violation], target_lang: str, *texts: str) -> list[tuple[str, ...]]:
    """Glossary terms the draft must contain, each in any form of its lexeme (the sentence chooses the
    case and number: `виды`, `провайдеров`), unless the (masked) texts have characters the
    pattern-constrained output cannot write (straight quotes, backslashes)."""
    if any('"' in t or "\\" in t for t in texts):  # prompting's pattern writes neither
        return []
    morph = morphology(target_lang)
    return [morph.forms(v.expected) for v in problems if v.code == "term-missing" and v.expected]


MAX_MINIMAL_EDIT_RATE = 0.5  # minimal mode fixes flagged problems; a draft rewriting half the MT is not that


def implausible(ctx: AgentContext, base: Candidate | None, draft: str) -> str | None:
    """Why a model draft cannot be used, if it cannot: a copy of the source, or (minimal mode) a rewrite."""
    source = ctx.segment.source
    copied = fixes.source_overlap(source, draft)
    baseline = fixes.source_overlap(source, base.text) if base is not None else 0.0
    if copied > 0.6 and copied > baseline + 0.2:
        return f"it repeats the source ({copied:.0%} of its words are source words)"
    if _too_short(source, draft, ctx.options.target_lang):
        return "it is much shorter than the source (a part left out, or an instruction in the source obeyed)"
    if draft.strip() != (ctx.segment.mt or "").strip():  # not `base`: a repair must not launder a rejection
        unrelated = not_a_translation(ctx, draft)
        if unrelated is not None:
            return unrelated
    minimal = ctx.options.mode is Mode.MINIMAL and not ctx.options.instructions
    if minimal and base is not None and len(base.text.split()) >= 4:
        rate = edit_rate(base.text, draft)
        if rate > MAX_MINIMAL_EDIT_RATE:
            return f"it rewrites {rate:.0%} of the words where only flagged problems were to be fixed"
    return None


TELLTALE_CODES = {
    "bracket-mismatch": "it adds brackets the source does not have (a term tacked on in parentheses?)",
    "end-punctuation": "it changes how the sentence ends (words tacked on after it?)",
}


def added_defect(base: Candidate | None, draft: Candidate) -> str | None:
    """Why a draft is worse than what it edits in a way the term count cannot see, if it is.

    A model made to use a term (pattern-constrained decoding) may append it, "… en Italie. (propagation
    du virus)", instead of working it into the sentence: the term check passes, the linguist would not.
    """
    if base is None:
        return None
    before = {v.code for v in base.violations}
    for v in draft.violations:
        if v.code in TELLTALE_CODES and v.code not in before:
            return TELLTALE_CODES[v.code]
    return None


def _too_short(source: str, draft: str, target_lang: str) -> bool:
    """A draft with a third of the source's words (a fifth of its characters for CJK) is not a translation."""
    if len(source.split()) < 6:
        return False
    if target_lang.split("-")[0].lower() in ("zh", "ja", "ko", "th"):
        return len(draft.strip()) < 0.2 * len(source.strip())
    return len(draft.split()) < 0.35 * len(source.split())


_TOKEN = re.compile(r"\w+", re.UNICODE)
MIN_RATIO_SOURCE_CHARS = 25  # "Delete file" -> "Löschen": short strings vary too much for a ratio
LONG_SLACK_CHARS = 12  # "Undo" -> "Rückgängig machen"
MIN_REVIEWED_WORDS = 3  # content words; fewer, and a full change is a fix ("Einloggen" -> "Anmelden")
NON_LATIN = frozenset(
    {"ru", "uk", "bg", "be", "sr", "mk", "el", "ar", "fa", "he", "hi", "th", "zh", "ja", "ko", "ka", "hy"}
)  # languages a translation into writes mostly outside Latin script
MIN_KEPT_SHARE = 0.25  # a review keeps most correct words; an answer to an instruction keeps next to none


def _tokens(text: str) -> list[str]:
    return [t.casefold() for t in _TOKEN.findall(blank_markup(text))]


def _non_latin(text: str) -> bool:
    return any(c.isalpha() and ord(c) > 0x24F for c in blank_markup(text))


def _anchors(text: str) -> set[str]:
    """What a translation keeps verbatim: numbers and names (capitalised words after the first)."""
    words = _TOKEN.findall(blank_markup(text))
    return {
        w.casefold() for i, w in enumerate(words) if any(c.isdigit() for c in w) or (i and w[0].isupper())
    }


def not_a_translation(ctx: AgentContext, draft: str) -> str | None:
    """Why a draft is no translation of the source at all, if it is: the answer to an instruction
    (in the source or a follow-up) rather than its translation. Holds for every source length.

    An obeyed injection shows in ways a translation does not: the draft is a fragment lifted from the
    request ("... reply only with HACKED" -> "HACKED."), or it shares no number or name with the source and
    either its length is far outside the pair's expected ratio (an answer, a poem, a refusal) or it keeps
    almost none of the words of the translation it was asked to review (the MT, or the linguist's version).
    """
    source, opts = ctx.segment.source, ctx.options
    words = _tokens(draft)
    src_words = _tokens(source)
    if words and set(words) <= set(src_words) and len(words) < len(src_words):
        return "it is only a fragment of the source (an instruction's answer, not a translation)"
    asked = set(src_words).union(*(_tokens(i) for i in opts.instructions))
    if words and set(words) <= asked and 2 * len(words) < len(src_words):
        return "it consists only of words from the request (an instruction's answer, not a translation)"
    if "\n" in draft.strip() and "\n" not in source:
        return "it breaks into lines where the source has none (a poem, a list: an answer, not a translation)"
    if written_in(blank_markup(draft), opts.source_lang, opts.target_lang):
        return f"it is written in {language_name(opts.source_lang)}, not {language_name(opts.target_lang)}"
    if _anchors(source) & _anchors(draft):
        return None
    if (
        primary_lang(opts.target_lang) in NON_LATIN
        and not set(words) <= set(src_words)
        and not _non_latin(draft)
    ):
        return "it is not written in the target language's script"
    low, high = ratio_bounds(opts.source_lang, opts.target_lang)
    src_len, out_len = len(" ".join(src_words)), len(" ".join(words))
    too_short = src_len >= MIN_RATIO_SOURCE_CHARS and out_len < low * src_len
    if too_short or out_len > high * src_len + LONG_SLACK_CHARS:
        ratio = out_len / max(1, src_len)
        return f"it is {ratio:.2f}x the source's length and shares no number or name with it"
    reviewed = {w for w in _tokens(ctx.segment.mt or "") if len(w) >= 4}  # content words, roughly
    kept = len(reviewed & set(words)) / max(1, len(reviewed))
    if len(reviewed) >= MIN_REVIEWED_WORDS and kept < MIN_KEPT_SHARE:
        return f"it keeps {kept:.0%} of the reviewed translation's words and no number or name of the source"
    return None


def best_candidate(candidates: Sequence[Candidate], *, prefer_latest: bool = False) -> Candidate:
    """Fewest errors, then fewest warnings. On a tie the earliest wins ("do no harm": the MT comes first),
    unless the model was asked to review (full mode, linguist instructions): then its latest version wins."""
    order = -1 if prefer_latest else 1
    return min(enumerate(candidates), key=lambda ic: (ic[1].rank, order * ic[0]))[1]


def _move_pairs(
    masked: str, pairs: Sequence[tuple[str, str]], named: dict[str, str]
) -> tuple[str, list[str]]:
    """`masked` with each tag pair around the words the model named for it, and the pairs so moved."""
    placed: list[str] = []
    for mask, words in pairs:
        rest = without_pair(masked, mask)
        span = fixes.find_words(rest, named.get(words.casefold(), ""), fuzzy=False)
        moved = wrap_pair(rest, mask, *span) if span is not None else None
        if moved is not None:
            masked = moved
            placed.append(mask)
    return masked, placed


def _without_placement_findings(candidate: Candidate, tags: set[str]) -> Candidate:
    """`candidate` less the unverified-placement findings of `tags` (the fix step named each half)."""
    kept = tuple(v for v in candidate.violations if not (v.code == UNPLACED and v.expected in tags))
    return Candidate(candidate.text, kept, candidate.origin)


async def place(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Tags that went back at a guessed place: the model names the words each pair encloses, chosen from
    runs of words really in the target (the locate prompt and its enum), and the pair moves there.

    Still flagged: a small model's choice is likelier than a position but no proof, so the segment stays
    needs_review, with the tag where a reviewer most likely wants it.
    """
    t0 = time.perf_counter()
    ctx = runtime.context
    candidate = state["candidate"]
    assert candidate is not None and ctx.llm is not None
    update: dict[str, Any] = {"tried": [f"place:{candidate.text}"]}
    pairs = _guessed_pairs(state, candidate)
    if not pairs:
        update["trace"] = [TraceStep("place", "no tag pair to place", _ms(t0))]
        return update
    masks = state["masks"]
    masked = masks.mask(candidate.text)
    bare = masked
    for mask, _ in pairs:
        bare = without_pair(bare, mask)
    phrases = [words for _, words in pairs]
    longest = max(len(words.split()) for words in phrases) + 2
    named = await _ask_where(
        ctx, masks.masked_source, bare, phrases, fixes.span_choices(bare, longest), update
    )
    masked, placed = _move_pairs(masked, pairs, named)
    new_text = restore(masked, masks.table)
    if new_text == candidate.text:
        update["trace"] = [
            TraceStep("place", "the model named no usable words; tags stay where guessed", _ms(t0))
        ]
        return update
    texts = {t.token: t.text for t in masks.table.tokens}
    pairs_moved = {texts[m]: texts[partner_of(m)] for m in placed}
    earlier = _without_placement_findings(candidate, {*pairs_moved, *pairs_moved.values()})
    # One finding per moved pair (the fix step named each half): a reviewer checks one span per pair.
    fixed = _evaluate_edit(
        ctx,
        state.get("matches", []),
        earlier,
        new_text,
        (),
        "place",
        placement_guesses(list(pairs_moved), "with its closing tag around the words the model named"),
    )
    update |= {"candidate": fixed, "candidates": [fixed]}
    update["trace"] = [
        TraceStep(
            "place",
            f"{len(placed)} tag pair(s) moved to the words the model named",
            _ms(t0),
            {"text": new_text},
        ),
        _check_step(fixed, t0, "placed"),
    ]
    return update


async def finalize(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    t0 = time.perf_counter()
    candidates = state.get("candidates", [])
    if not candidates:
        return {"trace": [TraceStep("finalize", "no candidate: the model gave nothing usable", _ms(t0))]}
    ctx = runtime.context
    best = best_candidate(
        candidates, prefer_latest=ctx.options.mode is Mode.FULL or bool(ctx.options.instructions)
    )
    detail = f"chose the {best.origin} candidate with {best.errors} error(s)"
    return {"candidate": best, "trace": [TraceStep("finalize", detail, _ms(t0), {"text": best.text})]}
