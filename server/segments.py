"""Wire segments to agent segments and back, and a batch runner where one bad segment never fails the rest."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

from agent import EditOptions, Lexicon, Mode, Segment, SegmentResult, job_lexicon
from glossaries.languages import is_supported
from glossaries.model import Entry, Term, Termbase, TermStatus
from memory import MemoryStore
from memory.recall import Recall
from server import metrics
from server.engine import Editor
from server.rejections import ResourceNotFound, UnsupportedLanguage, require_pair
from server.schemas import ErrorBody, SegmentIn, SegmentOut, TermIn, TokensOut, ViolationOut
from server.state import AppState

__all__ = ["BatchContext", "error_out", "make_context", "result_out", "run_batch", "to_segment"]

log = logging.getLogger(__name__)


def _entry(index: int, segment_id: str, term: TermIn) -> Entry:
    status = TermStatus(term.status)
    targets = tuple(
        Term(t, TermStatus.FORBIDDEN if status is TermStatus.FORBIDDEN else TermStatus.PREFERRED)
        for t in term.target
    )
    source_status = TermStatus.DNT if status is TermStatus.DNT else TermStatus.PREFERRED
    return Entry(id=f"{segment_id}#term{index}", source=(Term(term.source, source_status),), target=targets)


def to_segment(seg: SegmentIn) -> Segment:
    return Segment(
        id=seg.id,
        source=seg.source,
        mt=seg.mt,
        context=seg.context,
        terms=tuple(_entry(i, seg.id, t) for i, t in enumerate(seg.terms)),
    )


def result_out(result: SegmentResult, *, explain: bool = False) -> SegmentOut:
    return SegmentOut(
        id=result.id,
        output=result.output,
        status=result.status.value,
        edits=list(result.edits),
        violations=[ViolationOut.model_validate(v.to_json()) for v in result.violations],
        cached=result.cached,
        latency_ms=round(result.latency_ms, 2),
        tokens=TokensOut(prompt=result.usage.prompt_tokens, completion=result.usage.completion_tokens),
        rounds=result.rounds,
        reason=result.reason,
        trace=[asdict(t) for t in result.trace] if explain else None,
    )


def error_out(segment_id: str, code: str, message: str) -> SegmentOut:
    return SegmentOut(id=segment_id, output=None, status="error", error=ErrorBody(code=code, message=message))


class BatchContext:
    """Everything shared by the segments of one request or job."""

    def __init__(
        self,
        editor: Editor,
        options: EditOptions,
        *,
        glossary: Termbase | None = None,
        style: Any = None,
        tenant: str = "",
        max_chars: int = 5000,
        concurrency: int = 16,
        memory: Recall | None = None,
    ) -> None:
        self.editor = editor
        self.options = options
        self.glossary = glossary
        self.style = style
        self.tenant = tenant
        self.memory = memory
        self.max_chars = max_chars
        self.semaphore = asyncio.Semaphore(max(1, concurrency))
        self.lexicon: Lexicon | None = None

    async def learn_alignment(self, segments: Sequence[SegmentIn]) -> None:
        """Word alignment from the request's or job's own (source, MT) pairs, to place lost tag pairs by
        what they enclose and confirm the words a term repair replaces; a few thousand pairs take seconds,
        so off the event loop. It only adds certainty: if it cannot be learned, tags are placed as for a
        segment alone, term repairs are flagged, and the batch goes on."""
        try:
            terms = self.glossary is not None or any(s.terms for s in segments)
            pairs = [(s.source, s.mt) for s in segments]
            self.lexicon = await asyncio.to_thread(job_lexicon, pairs, terms=terms)
        except Exception:
            log.exception("word alignment could not be learned; lost tags are placed without it")
            self.lexicon = None

    def check(self, seg: SegmentIn) -> str | None:
        """Why this segment cannot be edited, or None."""
        if not seg.source.strip():
            return "source is empty"
        for name, text in (("source", seg.source), ("mt", seg.mt or "")):
            if len(text) > self.max_chars:
                return f"{name} has {len(text)} characters; the maximum is {self.max_chars}"
        return None

    async def recalled(self, segment: Segment) -> Segment:
        """The segment with its translation-memory matches, when the request names a memory."""
        if self.memory is None:
            return segment
        return replace(segment, memory=await self.memory.matches(segment.source))

    async def run(self, seg: SegmentIn) -> SegmentOut:
        problem = self.check(seg)
        if problem is not None:
            metrics.SEGMENTS.labels(status="error").inc()
            return error_out(seg.id, "invalid_segment", problem)
        async with self.semaphore:
            try:
                segment = await self.recalled(to_segment(seg))
                result = await self.editor.edit(
                    segment,
                    self.options,
                    glossary=self.glossary,
                    style=self.style,
                    cache_scope=self.tenant,
                    lexicon=self.lexicon,
                )
            except Exception as exc:  # the agent promises not to raise; if it does, only this segment fails
                log.exception("segment %s failed", seg.id)
                metrics.SEGMENTS.labels(status="error").inc()
                return error_out(
                    seg.id, "agent_error", f"{type(exc).__name__}: could not post-edit this segment"
                )
        metrics.observe_result(result)
        return result_out(result, explain=self.options.explain)


async def run_batch(ctx: BatchContext, segments: Sequence[SegmentIn]) -> list[SegmentOut]:
    """All segments concurrently (bounded by the context's semaphore), answers in request order."""
    await ctx.learn_alignment(segments)
    return list(await asyncio.gather(*(ctx.run(seg) for seg in segments)))


async def open_recall(
    store: MemoryStore,
    tenant: str,
    memory_id: str | None,
    source_lang: str,
    target_lang: str,
    glossary: Termbase | None,
) -> Recall | None:
    """The request's memory, checked like a glossary: unknown ids are 404s, another pair a 422."""
    if not memory_id:
        return None
    info = await store.get(tenant, memory_id)
    if info is None:
        raise ResourceNotFound("memory", memory_id)
    require_pair("memory", memory_id, (info.source_lang, info.target_lang), (source_lang, target_lang))
    return Recall(store, memory_id, glossary.version if glossary else None)


async def make_context(
    state: AppState,
    tenant: str,
    *,
    source_lang: str,
    target_lang: str,
    glossary_id: str | None = None,
    styleguide_id: str | None = None,
    memory_id: str | None = None,
    mode: Mode = Mode.MINIMAL,
    explain: bool = False,
    max_rounds: int = 2,
    instructions: tuple[str, ...] = (),
    placeholders: Sequence[str] = (),
) -> BatchContext:
    """Validate languages, load the tenant's resources (unknown ids are 404s) and build the batch context."""
    for name, code in (("source_lang", source_lang), ("target_lang", target_lang)):
        if not is_supported(code):
            raise UnsupportedLanguage(f"{name}: unsupported language code {code!r}")
    glossary: Termbase | None = None
    if glossary_id:
        glossary = await state.resources.load(tenant, "glossary", glossary_id)
        if glossary is None:
            raise ResourceNotFound("glossary", glossary_id)
        pair = (glossary.source_lang, glossary.target_lang)
        require_pair("glossary", glossary_id, pair, (source_lang, target_lang))
    style = None
    if styleguide_id:
        style = await state.resources.load(tenant, "styleguide", styleguide_id)
        if style is None:
            raise ResourceNotFound("styleguide", styleguide_id)
    recall = await open_recall(state.memories, tenant, memory_id, source_lang, target_lang, glossary)
    options = EditOptions(
        source_lang=source_lang,
        target_lang=target_lang,
        mode=mode,
        explain=explain,
        max_rounds=max_rounds,
        instructions=instructions,
        placeholders=tuple(placeholders),
    )
    return BatchContext(
        state.editor,
        options,
        glossary=glossary,
        style=style,
        tenant=tenant,
        max_chars=state.settings.max_segment_chars,
        concurrency=state.settings.concurrency,
        memory=recall,
    )
