"""PostEditor: the one entry point the CLI, the server and the eval harness use to post-edit segments."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from agent.alignment import Lexicon
from agent.cache import ResultCache, cache_key
from agent.diff import word_edits
from agent.graph import build_graph
from agent.markup import find_markup
from agent.nodes import best_candidate
from agent.prompting import system_message
from agent.protection import job_lexicon
from agent.state import AgentContext, Candidate, ModelEdit, merged
from agent.types import Edit, EditOptions, Segment, SegmentResult, Status, TraceStep, Usage
from agent.violations import REVIEW_CODES
from glossaries.matcher import TermMatcher
from glossaries.model import Termbase, content_version
from prompts import PROMPT_VERSION

# Bump when the agent's steps change answers without a template changing (decoding constraints, guards),
# so cached results of the old behaviour are not served as the new one's.
AGENT_REVISION = 3


def agent_version() -> str:
    """The prompts' content hash and the agent's revision: what a cached result or a score was made with."""
    return f"{PROMPT_VERSION}/{AGENT_REVISION}"


if TYPE_CHECKING:
    from agent.conversation import TurnResult
    from agent.llm import LLMCall, LLMGateway
    from glossaries.style import StyleGuide

RECURSION_LIMIT = 60

log = logging.getLogger(__name__)


class PostEditor:
    """Post-edits segments with an LLM (or, with `llm=None`, with deterministic fixes only).

    Model failures never raise: the segment comes back `needs_review` with the best candidate.
    """

    def __init__(
        self,
        llm: LLMGateway | None,
        *,
        cache: ResultCache | None = None,
        samples: int = 1,
        max_matchers: int = 32,
    ) -> None:
        self.llm = llm
        self.cache = cache
        self.samples = samples
        self._matchers: OrderedDict[str, TermMatcher] = OrderedDict()
        self._max_matchers = max_matchers

    @property
    def model_name(self) -> str:
        return self.llm.model_name if self.llm is not None else "rules"

    def rules_only(self) -> PostEditor:
        """A model-free editor sharing this one's matcher cache: re-checking a text never rebuilds an index."""
        twin = PostEditor(None, samples=self.samples, max_matchers=self._max_matchers)
        twin._matchers = self._matchers
        return twin

    async def ready(self) -> bool:
        return True if self.llm is None else await self.llm.ping()

    async def follow_up(
        self,
        segment: Segment,
        options: EditOptions,
        *,
        current: str,
        history: Sequence[tuple[str, str]],
        message: str,
        glossary: Termbase | None = None,
        style: StyleGuide | None = None,
        cache_scope: str = "",
    ) -> TurnResult:
        """One linguist message about `segment`, whose current post-edit is `current`
        (`agent.conversation.follow_up`)."""
        from agent.conversation import follow_up

        return await follow_up(
            self,
            segment,
            options,
            current=current,
            history=history,
            message=message,
            glossary=glossary,
            style=style,
            cache_scope=cache_scope,
        )

    def matcher(self, termbase: Termbase) -> TermMatcher:
        """Matchers are built once per termbase version (a 50k-entry index takes seconds)."""
        key = f"{termbase.id}@{termbase.version}"
        found = self._matchers.get(key)
        if found is None:
            found = TermMatcher(termbase)
            self._matchers[key] = found
            while len(self._matchers) > self._max_matchers:
                self._matchers.popitem(last=False)
        self._matchers.move_to_end(key)
        return found

    async def edit(
        self,
        segment: Segment,
        options: EditOptions,
        *,
        glossary: Termbase | None = None,
        style: StyleGuide | None = None,
        cache_scope: str = "",
        lexicon: Lexicon | None = None,
    ) -> SegmentResult:
        result: SegmentResult | None = None
        async for item in self.stream(
            segment, options, glossary=glossary, style=style, cache_scope=cache_scope, lexicon=lexicon
        ):
            if isinstance(item, SegmentResult):
                result = item
        assert result is not None
        return result

    async def edit_many(
        self,
        segments: Iterable[Segment],
        options: EditOptions,
        *,
        glossary: Termbase | None = None,
        style: StyleGuide | None = None,
        concurrency: int = 8,
        cache_scope: str = "",
        lexicon: Lexicon | None = None,
    ) -> AsyncIterator[SegmentResult]:
        """Results as they finish (not in input order); model calls overlap up to `concurrency`. Lost tag
        pairs are placed by word alignment learned from the batch (`job_lexicon`) unless `lexicon` is given."""
        segments = list(segments)
        if lexicon is None:
            terms = glossary is not None or any(s.terms for s in segments)
            lexicon = await asyncio.to_thread(job_lexicon, [(s.source, s.mt) for s in segments], terms=terms)
        gate = asyncio.Semaphore(concurrency)

        async def one(seg: Segment) -> SegmentResult:
            async with gate:
                return await self.edit(
                    seg, options, glossary=glossary, style=style, cache_scope=cache_scope, lexicon=lexicon
                )

        for next_done in asyncio.as_completed([one(s) for s in segments]):
            yield await next_done

    async def stream(
        self,
        segment: Segment,
        options: EditOptions,
        *,
        glossary: Termbase | None = None,
        style: StyleGuide | None = None,
        cache_scope: str = "",
        lexicon: Lexicon | None = None,
    ) -> AsyncIterator[TraceStep | SegmentResult]:
        """The agent's steps as they happen, then the result (always last). `lexicon`: word alignment
        learned from the segment's job, to place tag pairs the MT lost."""
        t0 = time.perf_counter()
        key = (
            self._key(segment, options, glossary, style, cache_scope, lexicon)
            if self.cache is not None
            else ""
        )
        if self.cache is not None:
            hit = await self._cached(key)
            if hit is not None:
                step = TraceStep("cache", "served from the result cache", _ms(t0))
                yield step
                yield _replace_cached(hit, segment, step, _ms(t0))
                return
        context = self._context(segment, options, glossary, style, lexicon)
        state: dict[str, Any] = {}
        try:
            async for update in build_graph().astream(
                {}, config={"recursion_limit": RECURSION_LIMIT}, context=context, stream_mode="updates"
            ):
                for node_update in update.values():
                    if not node_update:
                        continue
                    for step in node_update.get("trace", []):
                        yield step
                    state = merged(state, node_update)
        except Exception as exc:  # a bug in a step must not lose the segment
            step = TraceStep("error", f"agent failed: {type(exc).__name__}: {exc}", _ms(t0))
            state.setdefault("trace", []).append(step)
            state["failure"] = step.detail
            yield step
        result = _result(segment, options, state, _ms(t0))
        if self.cache is not None and not state.get("failure"):
            await self._remember(key, result)
        yield result

    async def _cached(self, key: str) -> SegmentResult | None:
        """A cache that cannot answer (Redis down) is a miss: the segment is edited, never lost."""
        assert self.cache is not None
        try:
            return await self.cache.get(key)
        except Exception as exc:
            log.warning("result cache unavailable, editing without it: %s: %s", type(exc).__name__, exc)
            return None

    async def _remember(self, key: str, result: SegmentResult) -> None:
        """Store a result; a cache that cannot take it means a later repeat is edited again, nothing more."""
        assert self.cache is not None
        try:
            await self.cache.set(key, result)
        except Exception as exc:
            log.warning("result cache unavailable, result not stored: %s: %s", type(exc).__name__, exc)

    def matchers_for(
        self, segment: Segment, options: EditOptions, glossary: Termbase | None
    ) -> tuple[TermMatcher, ...]:
        """The request glossary's matcher (cached per version) and one for the segment's own terms."""
        matchers: list[TermMatcher] = []
        if glossary is not None and len(glossary):
            matchers.append(self.matcher(glossary))
        if segment.terms:
            own = Termbase(
                id=f"segment:{segment.id}",
                version=content_version(repr(segment.terms).encode()),
                source_lang=options.source_lang,
                target_lang=options.target_lang,
                entries=segment.terms,
            )
            matchers.append(TermMatcher(own))
        return tuple(matchers)

    def _context(
        self,
        segment: Segment,
        options: EditOptions,
        glossary: Termbase | None,
        style: StyleGuide | None,
        lexicon: Lexicon | None = None,
    ) -> AgentContext:
        return AgentContext(
            segment=segment,
            options=options,
            llm=self.llm,
            matchers=self.matchers_for(segment, options, glossary),
            style=style,
            system=system_message(options.source_lang, options.target_lang, style),
            samples=self.samples,
            lexicon=lexicon,
        )

    def _key(
        self,
        segment: Segment,
        options: EditOptions,
        glossary: Termbase | None,
        style: StyleGuide | None,
        scope: str,
        lexicon: Lexicon | None = None,
    ) -> str:
        versions = (glossary.version if glossary else "-", style.version if style else "-")
        return cache_key(
            segment,
            options,
            resource_versions=versions,
            prompt_version=agent_version(),
            model=self.model_name,
            scope=scope,
            alignment=_alignment_of(segment, lexicon),
        )


def _alignment_of(segment: Segment, lexicon: Lexicon | None) -> str:
    """What of the job's alignment a cached result depends on: its digest, for a segment with tag pairs."""
    if lexicon is None or not any(u.kind == "open" for u in find_markup(segment.source)):
        return ""
    return lexicon.digest


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 3)


def _usage(calls: Sequence[LLMCall]) -> Usage:
    return Usage(
        calls=len(calls),
        prompt_tokens=sum(c.prompt_tokens for c in calls),
        completion_tokens=sum(c.completion_tokens for c in calls),
        retries=sum(c.retries for c in calls),
        model_ms=round(sum(c.latency_ms for c in calls), 3),
        models=sorted({c.model for c in calls}),
    )


def _explained(edits: tuple[Edit, ...], model_edits: Sequence[ModelEdit]) -> tuple[Edit, ...]:
    """Attach the model's reason to the diff edit it describes (same new words)."""
    if not model_edits:
        return edits
    out = []
    for e in edits:
        reason = next((m.reason for m in model_edits if m.after and m.after.strip() in e.after), None)
        reason = reason or next((m.reason for m in model_edits if e.after and e.after in m.after), None)
        out.append(replace(e, reason=reason))
    return tuple(out)


def _result(
    segment: Segment, options: EditOptions, state: dict[str, Any], latency_ms: float
) -> SegmentResult:
    final: Candidate | None = state.get("candidate")
    candidates: list[Candidate] = state.get("candidates", [])
    if candidates and (final is None or final not in candidates):
        final = best_candidate(candidates)
    trace = tuple(state.get("trace", []))
    usage = _usage(state.get("calls", []))
    rounds = int(state.get("rounds", 0))
    before = tuple(state.get("violations_before", ()))
    failure: str | None = state.get("failure")
    if final is None:  # no MT and no usable translation: never drop the segment
        return SegmentResult(
            id=segment.id, source=segment.source, mt=segment.mt, output=segment.mt or "",
            status=Status.NEEDS_REVIEW, violations_before=before, rounds=rounds, usage=usage,
            latency_ms=latency_ms, trace=trace, reason=failure or "no translation could be produced",
        )  # fmt: skip
    errors = [v for v in final.violations if v.severity.value == "error" or v.code in REVIEW_CODES]
    if errors:
        status = Status.NEEDS_REVIEW
        reason = "; ".join(dict.fromkeys(v.code for v in errors))
        if failure:
            reason = f"{failure}; remaining: {reason}"
    elif state.get("from_memory"):
        status, reason = Status.TM_EXACT, None
    elif segment.mt is not None and final.text == segment.mt:
        status, reason = Status.UNCHANGED, None
    else:
        status, reason = Status.EDITED, None
    edits = word_edits(segment.mt, final.text) if segment.mt is not None else ()
    if options.explain:
        edits = _explained(edits, state.get("model_edits", []))
    return SegmentResult(
        id=segment.id,
        source=segment.source,
        mt=segment.mt,
        output=final.text,
        status=status,
        edits=edits,
        violations=final.violations,
        violations_before=before,
        rounds=rounds,
        usage=usage,
        latency_ms=latency_ms,
        trace=trace,
        reason=reason,
    )


def _replace_cached(
    hit: SegmentResult, segment: Segment, step: TraceStep, latency_ms: float
) -> SegmentResult:
    """The cached result as this request's: its id (the cache key leaves ids out), served from the cache."""
    return replace(hit, id=segment.id, cached=True, latency_ms=latency_ms, trace=(step,))
