"""Inline tags and placeholders: the target must carry exactly the source's (pofilter `xmltags`,
`printf`, `pythonbraceformat`; CheckMate tag and pattern checks). Delegates to `agent.markup.validate`."""

from __future__ import annotations

from agent import markup  # module import: agent.markup itself imports agent.violations
from agent.checks.input import CheckInput
from agent.violations import Violation

__all__ = ["tags_and_placeholders"]


def tags_and_placeholders(inp: CheckInput) -> list[Violation]:
    """Tags and placeholders missing, extra, duplicated or mis-nested"""
    return markup.validate(inp.source, inp.target, inp.placeholders)
