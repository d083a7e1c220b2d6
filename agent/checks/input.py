"""What every check reads: one source/target pair, its language pair, term matches and style guide."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from glossaries.matcher import TermMatch, TermMatcher

if TYPE_CHECKING:
    from glossaries.style import StyleGuide

__all__ = ["CheckInput"]


@dataclass(frozen=True)
class CheckInput:
    """The inputs of a QA run. `matches` are the glossary entries found in the source (computed from
    `matcher` when empty); `style` is the client's style guide, if any."""

    source: str
    target: str
    source_lang: str
    target_lang: str
    matches: Sequence[TermMatch] = ()
    matcher: TermMatcher | None = None
    style: StyleGuide | None = None
