"""Whitespace: leading and trailing whitespace as in the source, no doubled spaces
(pofilter `startwhitespace`, `endwhitespace`, `doublespacing`; CheckMate's whitespace checks).
Segments are concatenated by CAT tools, so a lost trailing space joins two sentences."""

from __future__ import annotations

import re

from agent.checks.input import CheckInput
from agent.violations import Severity, Violation

__all__ = ["whitespace_double", "whitespace_leading", "whitespace_trailing"]

_LEADING = re.compile(r"^\s*")
_TRAILING = re.compile(r"\s*$")
_DOUBLE = re.compile(r"(?<=\S)[ \u00a0\u202f]{2,}(?=\S)")


def _show(ws: str) -> str:
    return repr(ws) if ws else "none"


def whitespace_leading(inp: CheckInput) -> list[Violation]:
    """Leading whitespace differs from the source"""
    src = _LEADING.match(inp.source)
    tgt = _LEADING.match(inp.target)
    assert src is not None and tgt is not None
    if src.group() == tgt.group() or not inp.target.strip():
        return []
    return [
        Violation(
            "whitespace-leading",
            Severity.WARNING,
            f"leading whitespace {_show(tgt.group())} should be {_show(src.group())} as in the source",
            start=0,
            end=tgt.end(),
            expected=src.group(),
        )
    ]


def whitespace_trailing(inp: CheckInput) -> list[Violation]:
    """Trailing whitespace differs from the source"""
    src = _TRAILING.search(inp.source)
    tgt = _TRAILING.search(inp.target)
    assert src is not None and tgt is not None
    if src.group() == tgt.group() or not inp.target.strip():
        return []
    return [
        Violation(
            "whitespace-trailing",
            Severity.WARNING,
            f"trailing whitespace {_show(tgt.group())} should be {_show(src.group())} as in the source",
            start=tgt.start(),
            end=len(inp.target),
            expected=src.group(),
        )
    ]


def whitespace_double(inp: CheckInput) -> list[Violation]:
    """Double space inside the target"""
    if _DOUBLE.search(inp.source):
        return []  # the source spaces this way on purpose (alignment, tokenized text)
    return [
        Violation("whitespace-double", Severity.WARNING, "double space", m.start(), m.end(), expected=" ")
        for m in _DOUBLE.finditer(inp.target)
    ]
