"""The agent's public data: what goes in (a segment and options) and what comes out (a checked result)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from agent.violations import Violation
from glossaries.model import Entry


class Mode(StrEnum):
    MINIMAL = (
        "minimal"  # fix only what checks and style rules flag; clean MT is returned without a model call
    )
    FULL = "full"  # also review accuracy and fluency


class Status(StrEnum):
    UNCHANGED = "unchanged"
    EDITED = "edited"
    NEEDS_REVIEW = "needs_review"
    TM_EXACT = (
        "tm_exact"  # a 100% translation-memory match, returned as stored (checks passed, no model call)
    )


# A memory match below this fuzzy score misleads more than it helps (the CAT tools' usual floor): the server and
# the eval harness retrieve none below it, and the prompt shows none.
MEMORY_FLOOR = 75.0
# From this score a match's translation is the draft to start from, when translating without MT.
MEMORY_CLOSE = 85.0


@dataclass(frozen=True)
class MemoryMatch:
    """A translation-memory entry retrieved for a segment (the `memory` package scores and finds them)."""

    source: str
    target: str
    score: float  # 0-100 CAT-style fuzzy score; 100: same text and tags, usable as is
    entry: str = ""  # the memory entry's id, for the trace

    @property
    def exact(self) -> bool:
        return self.score >= 100.0


@dataclass(frozen=True)
class Segment:
    id: str
    source: str
    mt: str | None = None  # None: translate from scratch
    context: str | None = None
    terms: tuple[Entry, ...] = ()  # per-segment glossary entries, added to the request's glossary
    memory: tuple[MemoryMatch, ...] = ()  # translation-memory matches, best first


@dataclass(frozen=True)
class EditOptions:
    source_lang: str
    target_lang: str
    mode: Mode = Mode.MINIMAL
    explain: bool = False
    max_rounds: int = 2
    instructions: tuple[str, ...] = ()  # extra user instructions, e.g. a playground follow-up ("use du")
    placeholders: tuple[str, ...] = ()  # placeholder profiles (glossaries.placeholder_profiles); () = default


@dataclass(frozen=True)
class Edit:
    """One word-level change from the MT to the output (offsets are character offsets)."""

    op: str  # "insert" | "delete" | "replace"
    before: str
    after: str
    mt_start: int
    mt_end: int
    out_start: int
    out_end: int
    reason: str | None = None


@dataclass
class Usage:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    retries: int = 0
    model_ms: float = 0.0
    models: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TraceStep:
    """One step of the agent, as streamed to the playground and kept in the result."""

    step: str  # protect | retrieve | draft | check | repair | fix | finalize | cache
    detail: str
    ms: float
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SegmentResult:
    id: str
    source: str
    mt: str | None
    output: str
    status: Status
    edits: tuple[Edit, ...] = ()
    violations: tuple[Violation, ...] = ()  # remaining in the output
    violations_before: tuple[Violation, ...] = ()  # found in the MT
    rounds: int = 0
    usage: Usage = field(default_factory=Usage)
    latency_ms: float = 0.0
    trace: tuple[TraceStep, ...] = ()
    cached: bool = False
    reason: str | None = None  # why needs_review, when it is

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "mt": self.mt,
            "output": self.output,
            "status": self.status.value,
            "edits": [asdict(e) for e in self.edits],
            "violations": [v.to_json() for v in self.violations],
            "violations_before": [v.to_json() for v in self.violations_before],
            "rounds": self.rounds,
            "usage": asdict(self.usage),
            "latency_ms": round(self.latency_ms, 2),
            "trace": [asdict(t) for t in self.trace],
            "cached": self.cached,
            "reason": self.reason,
        }


def result_from_json(data: dict[str, Any]) -> SegmentResult:
    """Inverse of `SegmentResult.to_json` (used by caches and job checkpoints)."""
    from agent.violations import Severity

    def violation(v: dict[str, Any]) -> Violation:
        return Violation(
            code=v["code"],
            severity=Severity(v["severity"]),
            message=v["message"],
            start=v.get("start"),
            end=v.get("end"),
            entry_id=v.get("entry_id"),
            expected=v.get("expected"),
        )

    return SegmentResult(
        id=data["id"],
        source=data["source"],
        mt=data.get("mt"),
        output=data["output"],
        status=Status(data["status"]),
        edits=tuple(Edit(**e) for e in data.get("edits", [])),
        violations=tuple(violation(v) for v in data.get("violations", [])),
        violations_before=tuple(violation(v) for v in data.get("violations_before", [])),
        rounds=data.get("rounds", 0),
        usage=Usage(**data.get("usage", {})),
        latency_ms=data.get("latency_ms", 0.0),
        trace=tuple(TraceStep(**t) for t in data.get("trace", [])),
        cached=data.get("cached", False),
        reason=data.get("reason"),
    )
