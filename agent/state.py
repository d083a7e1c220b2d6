"""The agent graph's state (what nodes update) and context (what a run reads but never changes)."""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, TypedDict, get_origin, get_type_hints

from agent.alignment import Lexicon
from agent.llm import LLMCall, LLMGateway
from agent.protection import SegmentMasks
from agent.types import EditOptions, Segment, TraceStep
from agent.violations import Severity, Violation
from glossaries.matcher import TermMatch, TermMatcher
from glossaries.style import StyleGuide
from prompts import Message

# LangGraph reads these annotations at run time, so every type above is a real import.


@dataclass(frozen=True)
class Candidate:
    """One target text the agent produced or kept, with its QA verdict."""

    text: str
    violations: tuple[Violation, ...]
    origin: str  # mt | fix | locate | draft | repair | review | translate

    @property
    def errors(self) -> int:
        return sum(v.severity is Severity.ERROR for v in self.violations)

    @property
    def rank(self) -> tuple[int, int]:
        """Fewer errors first, then fewer warnings; ties keep the earlier (closer to the MT) candidate."""
        warnings = sum(v.severity is Severity.WARNING for v in self.violations)
        return (self.errors, warnings)


@dataclass(frozen=True)
class ModelEdit:
    before: str
    after: str
    reason: str


@dataclass(frozen=True)
class AgentContext:
    segment: Segment
    options: EditOptions
    llm: LLMGateway | None
    matchers: tuple[TermMatcher, ...]  # the request glossary's (cached) and the segment's own terms
    style: StyleGuide | None
    system: Message
    samples: int = 1
    extra: dict[str, object] = field(default_factory=dict)
    lexicon: Lexicon | None = None  # word alignment learned from the segment's job, to place lost tag pairs

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The placeholder profiles in force: the request's (or file type's), else the style guide's."""
        if self.options.placeholders or self.style is None:
            return self.options.placeholders
        return tuple(self.style.rules_for(self.options.target_lang).placeholders)


class AgentState(TypedDict, total=False):
    masks: SegmentMasks
    masked_mt: str | None
    matches: list[TermMatch]
    candidate: Candidate | None  # the one the next step works on
    candidates: Annotated[list[Candidate], operator.add]
    violations_before: list[Violation]
    tried: Annotated[list[str], operator.add]  # "<action>:<candidate text>" already attempted
    rounds: int
    reviewed: bool
    failure: str | None  # why the model could not help (outage, timeout, garbage)
    from_memory: bool  # the candidate is a 100% memory match whose checks pass: nothing left to do
    model_edits: Annotated[list[ModelEdit], operator.add]
    calls: Annotated[list[LLMCall], operator.add]
    trace: Annotated[list[TraceStep], operator.add]


# The keys whose updates LangGraph appends (`Annotated[list, operator.add]`); every other key is replaced.
APPENDED = frozenset(
    name
    for name, hint in get_type_hints(AgentState, include_extras=True).items()
    if get_origin(hint) is Annotated
)


def merged(state: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """The state after a node's update, as LangGraph's reducers make it (`state` is left as it was)."""
    after = dict(state)
    for key, value in update.items():
        after[key] = [*after.get(key, ()), *value] if key in APPENDED else value
    return after
