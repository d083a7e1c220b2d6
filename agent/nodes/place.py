"""Tag pairs put back at a guessed place: the model names the words each encloses."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from langgraph.runtime import Runtime

from agent import fixes
from agent.markup import enclosed_text, partner_of, restore, without_pair, wrap_pair
from agent.nodes.common import UNPLACED, check_step, evaluate_edit, ms, placement_guesses
from agent.nodes.locate import ask_where
from agent.state import AgentContext, AgentState, Candidate
from agent.types import TraceStep


def guessed_pairs(state: AgentState, candidate: Candidate) -> list[tuple[str, str]]:
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
    pairs = guessed_pairs(state, candidate)
    if not pairs:
        update["trace"] = [TraceStep("place", "no tag pair to place", ms(t0))]
        return update
    masks = state["masks"]
    masked = masks.mask(candidate.text)
    bare = masked
    for mask, _ in pairs:
        bare = without_pair(bare, mask)
    phrases = [words for _, words in pairs]
    longest = max(len(words.split()) for words in phrases) + 2
    named = await ask_where(
        ctx, masks.masked_source, bare, phrases, fixes.span_choices(bare, longest), update
    )
    masked, placed = _move_pairs(masked, pairs, named)
    new_text = restore(masked, masks.table)
    if new_text == candidate.text:
        update["trace"] = [
            TraceStep("place", "the model named no usable words; tags stay where guessed", ms(t0))
        ]
        return update
    texts = {t.token: t.text for t in masks.table.tokens}
    pairs_moved = {texts[m]: texts[partner_of(m)] for m in placed}
    earlier = _without_placement_findings(candidate, {*pairs_moved, *pairs_moved.values()})
    # One finding per moved pair (the fix step named each half): a reviewer checks one span per pair.
    fixed = evaluate_edit(
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
            ms(t0),
            {"text": new_text},
        ),
        check_step(fixed, t0, "placed"),
    ]
    return update
