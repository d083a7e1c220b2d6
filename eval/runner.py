"""Run systems over evaluation rows concurrently, appending each (system, segment) result as it lands.

Systems:
- `mt`: the MT as is (the baseline); its QA violations come from the agent's checker, no model.
- `rules`: `PostEditor(llm=None)`: deterministic fixes only.
- `agent-minimal` / `agent-full`: the agent in minimal / full mode against the configured model.
- `agent-minimal+tm`: minimal mode with a translation memory that learns each row's reference after the row,
  in dataset order (`eval.tm`): repeated sentences come back `tm_exact`, near ones are examples for the model.

Rows already in DIR/results.jsonl are skipped, so an interrupted run resumes where it stopped. A
system that raises still yields a row (the MT, `needs_review`, `error` set): a segment is never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from agent import EditOptions, MemoryMatch, Mode, Segment, SegmentResult, Status
from eval.datasets import EvalRow
from eval.store import ResultStore
from glossaries.model import Termbase

if TYPE_CHECKING:
    from agent import Lexicon
    from eval.tm import Learned
    from glossaries.style import StyleGuide

__all__ = [
    "MODEL_SYSTEMS",
    "REFERENCE",
    "SYSTEMS",
    "TM_SYSTEM",
    "RunSpec",
    "RunStats",
    "open_systems",
    "run_systems",
]

TM_SYSTEM = "agent-minimal+tm"
REFERENCE = "reference"  # the human text scored as a system: the ceiling of each metric
SYSTEMS = ("mt", REFERENCE, "rules", "agent-minimal", TM_SYSTEM, "agent-full")
MODEL_SYSTEMS = frozenset({"agent-minimal", TM_SYSTEM, "agent-full"})

Row = dict[str, Any]
SystemFn = Callable[[EvalRow], Awaitable[SegmentResult]]


@dataclass(frozen=True)
class RunSpec:
    """What to run: language pair, systems, resources, model config and concurrency."""

    source_lang: str
    target_lang: str
    systems: tuple[str, ...] = ("mt", "rules")
    glossary: Termbase | None = None
    style: StyleGuide | None = None
    config: Path | None = None
    concurrency: int = 4
    max_rounds: int = 2
    memory_tmx: Path | None = None  # seeds the memory of `agent-minimal+tm` (else it starts empty)


@dataclass(frozen=True)
class RunStats:
    done: int  # rows written by this run
    skipped: int  # rows already in the store
    errors: int
    wall_s: float
    model_s: float  # sum of the model time the agent reported (usage.model_ms)


def segment_of(row: EvalRow, memory: tuple[MemoryMatch, ...] = ()) -> Segment:
    return Segment(id=row.key, source=row.src, mt=row.mt, terms=row.terms, memory=memory)


def _mt_result(row: EvalRow, spec: RunSpec, output: str | None = None) -> SegmentResult:
    """The baseline: the MT untouched, with the QA findings the agent's checker reports on it. With
    `output` (the `reference` system: the human text as if it were a system's), the ceiling of each
    metric: WMT21's exact term success is 0.954 for its own references, which inflect terms."""
    from agent import run_checks
    from agent.checks.input import CheckInput
    from glossaries.matcher import TermMatcher

    base = spec.glossary or Termbase("none", "", spec.source_lang, spec.target_lang)
    extra = Termbase(f"row:{row.key}", row.key, spec.source_lang, spec.target_lang, row.terms)
    matcher = TermMatcher(base.merged(extra) if row.terms else base)
    output = row.mt or "" if output is None else output
    found = tuple(
        run_checks(
            CheckInput(
                source=row.src,
                target=output,
                source_lang=spec.source_lang,
                target_lang=spec.target_lang,
                matcher=matcher,
                style=spec.style,
            )
        )
    )
    return SegmentResult(
        id=row.key,
        source=row.src,
        mt=row.mt,
        output=output,
        status=Status.UNCHANGED,
        violations=found,
        violations_before=found,
    )


@contextlib.asynccontextmanager
async def open_systems(spec: RunSpec, rows: Sequence[EvalRow] = ()) -> AsyncIterator[dict[str, SystemFn]]:
    """One async callable per requested system, for the duration of the block.

    The model gateway is built only when a model system is asked for, and the embedded llama.cpp server
    is started (and stopped afterwards) when the config uses it. `agent-minimal+tm` needs `rows`, in
    dataset order: its memory learns them one after the other before any edit runs (`eval.tm`).
    """
    unknown = [s for s in spec.systems if s not in SYSTEMS]
    if unknown:
        raise ValueError(f"unknown system(s) {unknown}; choose from {list(SYSTEMS)}")
    fns: dict[str, SystemFn] = {}
    if "mt" in spec.systems:

        async def mt(row: EvalRow) -> SegmentResult:
            return _mt_result(row, spec)

        fns["mt"] = mt
    if REFERENCE in spec.systems:

        async def reference(row: EvalRow) -> SegmentResult:
            return _mt_result(row, spec, output=row.ref or "")

        fns[REFERENCE] = reference
    async with contextlib.AsyncExitStack() as stack:
        lexicon = await _job_lexicon(spec, rows) if set(spec.systems) - {"mt", REFERENCE} else None
        if "rules" in spec.systems:
            from agent import PostEditor

            fns["rules"] = _editor_fn(PostEditor(None), _options(spec, "rules"), spec, lexicon=lexicon)
        if MODEL_SYSTEMS & set(spec.systems):
            fns |= await _model_systems(spec, rows, stack, lexicon)
        yield {s: fns[s] for s in spec.systems}


async def _job_lexicon(spec: RunSpec, rows: Sequence[EvalRow]) -> Lexicon | None:
    """The dataset is the job: the word alignment a file or batch of the service learns from its own
    segments, to place lost tags and confirm the words a term repair replaces."""
    from agent import job_lexicon

    terms = spec.glossary is not None or any(r.terms for r in rows)
    return await asyncio.to_thread(job_lexicon, [(r.src, r.mt) for r in rows], terms=terms)


def _options(spec: RunSpec, system: str) -> EditOptions:
    mode = Mode.FULL if system == "agent-full" else Mode.MINIMAL
    return EditOptions(spec.source_lang, spec.target_lang, mode=mode, max_rounds=spec.max_rounds)


async def _model_systems(
    spec: RunSpec, rows: Sequence[EvalRow], stack: contextlib.AsyncExitStack, lexicon: Lexicon | None = None
) -> dict[str, SystemFn]:
    """The agent systems, sharing one editor and one model server; the memory is learned first, so a
    bad seed file fails before the model starts."""
    from agent import PostEditor
    from agent.llm import LLMGateway
    from eval.tm import learned_matches  # imports the server's recall: only when a model system runs
    from runtime.embedded import embedded_server_for

    learned: Learned = {}
    if TM_SYSTEM in spec.systems:
        if not rows:
            raise ValueError(f"{TM_SYSTEM} needs the rows, in dataset order, to learn them")
        learned = await learned_matches(
            rows,
            source_lang=spec.source_lang,
            target_lang=spec.target_lang,
            seed_tmx=spec.memory_tmx,
            glossary_version=spec.glossary.version if spec.glossary else None,
        )
    gateway = LLMGateway.from_config(spec.config)
    await stack.enter_async_context(embedded_server_for(gateway.config))
    editor = PostEditor(gateway)
    return {
        name: _editor_fn(editor, _options(spec, name), spec, learned if name == TM_SYSTEM else None, lexicon)
        for name in MODEL_SYSTEMS & set(spec.systems)
    }


def _editor_fn(
    editor: Any,
    options: EditOptions,
    spec: RunSpec,
    learned: Learned | None = None,
    lexicon: Lexicon | None = None,
) -> SystemFn:
    async def run(row: EvalRow) -> SegmentResult:
        memory = learned.get(row.key, ()) if learned is not None else ()
        result: SegmentResult = await editor.edit(
            segment_of(row, memory), options, glossary=spec.glossary, style=spec.style, lexicon=lexicon
        )
        return result

    return run


def _row(system: str, row: EvalRow, result: SegmentResult, wall_ms: float, error: str | None) -> Row:
    out: Row = {"system": system, "key": row.key, "dataset": row.dataset, "error": error}
    out.update(result.to_json())
    out["id"] = row.id
    out["wall_ms"] = round(wall_ms, 2)
    return out


def _failed(row: EvalRow) -> SegmentResult:
    return SegmentResult(
        id=row.key, source=row.src, mt=row.mt, output=row.mt or "", status=Status.NEEDS_REVIEW, reason="error"
    )


async def run_systems(
    rows: Sequence[EvalRow],
    spec: RunSpec,
    store: ResultStore,
    *,
    progress: bool = True,
    systems: dict[str, SystemFn],
) -> RunStats:
    """Run every (system, row) pair not yet in `store`, `spec.concurrency` at a time."""
    fns = systems
    todo = [(s, r) for r in rows for s in fns if (s, r.key) not in store]
    skipped = len(rows) * len(fns) - len(todo)
    queue: asyncio.Queue[tuple[str, EvalRow]] = asyncio.Queue()
    for item in todo:
        queue.put_nowait(item)
    errors = 0
    model_ms = 0.0
    bar = tqdm(total=len(todo), disable=not progress, desc="eval", unit="seg")
    start = time.perf_counter()

    async def worker() -> None:
        nonlocal errors, model_ms
        while True:
            try:
                system, row = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            t0 = time.perf_counter()
            error: str | None = None
            try:
                result = await fns[system](row)
            except Exception as e:  # a failing system must not stop the run; the row records why
                errors += 1
                error = f"{type(e).__name__}: {e}"
                result = _failed(row)
            model_ms += result.usage.model_ms
            store.append(_row(system, row, result, (time.perf_counter() - t0) * 1000, error))
            bar.update(1)

    try:
        await asyncio.gather(*(worker() for _ in range(max(1, spec.concurrency))))
    finally:
        bar.close()
    return RunStats(len(todo), skipped, errors, time.perf_counter() - start, model_ms / 1000)
