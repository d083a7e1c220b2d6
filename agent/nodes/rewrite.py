"""Model drafts: translation, review, draft or repair of a segment, in one or several samples."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from langgraph.runtime import Runtime

from agent import prompting
from agent.llm import LLMReply
from agent.nodes.common import actionable, check_step, evaluate, evaluate_edit, ms, placement_guesses
from agent.nodes.guards import added_defect, implausible
from agent.state import AgentContext, AgentState, Candidate, ModelEdit
from agent.term_forms import refit_terms
from agent.types import Mode, TraceStep
from agent.violations import Code, Severity, Violation
from glossaries.morphology import morphology
from prompts import Message


def output_budget(text: str, *, explain: bool) -> int:
    """Completion tokens for a draft: about twice the text's tokens plus the JSON around it.

    A small model that starts repeating itself is cut off after this many tokens instead of the
    gateway's maximum, which on CPU is the difference between 5 and 40 seconds.
    """
    wide = sum(1 for ch in text if ord(ch) >= 0x2E80)  # CJK: about a token per character
    estimate = wide + (len(text) - wide) // 3 + 1  # European languages: about 3 characters per token
    return min(2048, 2 * estimate + 48 + (160 if explain else 0))


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
    drafts, edits, rejected = _read_drafts(state, ctx, replies, kind, problems)
    if not drafts:
        if errors and not replies:
            reason = f"model unavailable: {errors[0]}"
        elif rejected:
            reason = f"model draft rejected: {rejected[0]}"
        else:
            reason = "model returned no usable output (invalid JSON or empty)"
        update["failure"] = reason
        update["trace"] = [TraceStep(kind, reason, ms(t0))]
        return update
    best = min(drafts, key=lambda c: c.rank)
    update |= {"candidate": best, "candidates": [best], "model_edits": edits}
    update["trace"] = [
        TraceStep(
            kind, f"{len(drafts)} sample(s), best has {best.errors} error(s)", ms(t0), {"text": best.text}
        ),
        check_step(best, t0, kind),
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
            memory=ctx.segment.memory,
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
            memory=ctx.segment.memory,
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
    state: AgentState,
    ctx: AgentContext,
    replies: Sequence[LLMReply],
    kind: str,
    problems: Sequence[Violation],
) -> tuple[list[Candidate], list[ModelEdit], list[str]]:
    """The usable drafts of the replies, the model's explained edits, and why the others were rejected.
    A term the draft had to add (`problems`) in a form its neighbours contradict is put in the one form
    that fits them, if one does, and flagged.
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
            text, misfits = refit_terms(
                text, problems, matches, ctx.options.source_lang, ctx.options.target_lang
            )
            flags = [*placement_guesses(guessed), *misfits]
            # What nobody verified in the text the model started from stays flagged where the draft keeps it.
            draft = evaluate_edit(ctx, matches, candidate, text, (), kind, flags)
            why_not = added_defect(candidate, draft)
            if why_not is None:
                drafts.append(draft)
                continue
        rejected.append(why_not)
        if candidate is None:
            flagged = evaluate(ctx, matches, text, kind)
            finding = Violation(
                Code.IMPLAUSIBLE_DRAFT, Severity.ERROR, f"the model's draft was rejected: {why_not}"
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
    return [morph.forms(v.expected) for v in problems if v.code == Code.TERM_MISSING and v.expected]
