"""The post-editing agent: a LangGraph of checks, deterministic fixes and model calls around one segment.

The public API is below; everything else is the agent's own. Names load on first use, so importing a
submodule (`agent.types`, `agent.markup`) stays cheap and the graph's imports are paid only by an editor.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.alignment import Lexicon
    from agent.cache import InMemoryResultCache, RedisResultCache, ResultCache
    from agent.checks import CheckInput, Severity, Violation, has_errors, run_checks
    from agent.conversation import TurnResult, follow_up
    from agent.editor import PostEditor, agent_version
    from agent.protection import job_lexicon
    from agent.types import (
        Edit,
        EditOptions,
        MemoryMatch,
        Mode,
        Segment,
        SegmentResult,
        Status,
        TraceStep,
        Usage,
    )
    from agent.violations import Code

_HOMES = {
    "PostEditor": "agent.editor",
    "agent_version": "agent.editor",
    "Segment": "agent.types",
    "EditOptions": "agent.types",
    "Mode": "agent.types",
    "MemoryMatch": "agent.types",
    "Status": "agent.types",
    "SegmentResult": "agent.types",
    "Edit": "agent.types",
    "TraceStep": "agent.types",
    "Usage": "agent.types",
    "CheckInput": "agent.checks",
    "Code": "agent.violations",
    "Violation": "agent.checks",
    "Severity": "agent.checks",
    "run_checks": "agent.checks",
    "has_errors": "agent.checks",
    "follow_up": "agent.conversation",
    "TurnResult": "agent.conversation",
    "ResultCache": "agent.cache",
    "InMemoryResultCache": "agent.cache",
    "RedisResultCache": "agent.cache",
    "Lexicon": "agent.alignment",
    "job_lexicon": "agent.protection",
}

__all__ = [
    "CheckInput",
    "Code",
    "Edit",
    "EditOptions",
    "InMemoryResultCache",
    "Lexicon",
    "MemoryMatch",
    "Mode",
    "PostEditor",
    "RedisResultCache",
    "ResultCache",
    "Segment",
    "SegmentResult",
    "Severity",
    "Status",
    "TraceStep",
    "TurnResult",
    "Usage",
    "Violation",
    "agent_version",
    "follow_up",
    "has_errors",
    "job_lexicon",
    "run_checks",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'agent' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
