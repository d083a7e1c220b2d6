"""What every step shares: evaluating a candidate text, the check step of the trace, finding codes."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from agent import fixes
from agent.checks import CheckInput, run_checks
from agent.state import AgentContext, Candidate
from agent.types import TraceStep
from agent.violations import REVIEW_CODES, Code, Severity, Violation

MARKUP_CODES = frozenset(
    {
        Code.TAG_MISSING,
        Code.TAG_EXTRA,
        Code.TAG_DUPLICATED,
        Code.PLACEHOLDER_MISSING,
        Code.PLACEHOLDER_EXTRA,
        Code.PLACEHOLDER_DUPLICATED,
        Code.PLACEHOLDER_ALTERED,
    }
)
FIXABLE_CODES = MARKUP_CODES | {
    Code.TERM_FORBIDDEN,
    Code.DNT_ALTERED,
    Code.WHITESPACE_LEADING,
    Code.WHITESPACE_TRAILING,
    Code.WHITESPACE_DOUBLE,
}
UNPLACED = Code.TAG_PLACEMENT_UNVERIFIED


def ms(t0: float) -> float:
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


def evaluate_edit(
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


def markup_errors(violations: Sequence[Violation]) -> int:
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


def check_step(candidate: Candidate, t0: float, what: str) -> TraceStep:
    codes = [v.code for v in candidate.violations]
    detail = f"{what}: {len(codes)} finding(s)" + (f" ({', '.join(sorted(set(codes)))})" if codes else "")
    return TraceStep(
        "check",
        detail,
        ms(t0),
        {"text": candidate.text, "violations": [v.to_json() for v in candidate.violations]},
    )


def best_candidate(candidates: Sequence[Candidate], *, prefer_latest: bool = False) -> Candidate:
    """Fewest errors, then fewest warnings. On a tie the earliest wins ("do no harm": the MT comes first),
    unless the model was asked to review (full mode, linguist instructions): then its latest version wins."""
    order = -1 if prefer_latest else 1
    return min(enumerate(candidates), key=lambda ic: (ic[1].rank, order * ic[0]))[1]
