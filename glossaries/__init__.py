"""Termbases and style guides: readers, validation, the term matcher and bundled examples."""

from glossaries.loader import load_termbase, parse_termbase
from glossaries.matcher import TermMatch, TermMatcher
from glossaries.model import Entry, ResourceError, Term, Termbase, TermStatus
from glossaries.style import StyleGuide, load_style_guide, parse_style_guide

__all__ = [
    "Entry",
    "ResourceError",
    "StyleGuide",
    "Term",
    "TermMatch",
    "TermMatcher",
    "TermStatus",
    "Termbase",
    "load_style_guide",
    "load_termbase",
    "parse_style_guide",
    "parse_termbase",
]
