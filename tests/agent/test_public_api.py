"""The agent's public surface is deliberate: this pins it."""

import agent


def test_public_api_is_pinned() -> None:
    assert agent.__all__ == [
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
    assert all(getattr(agent, name) is not None for name in agent.__all__)
