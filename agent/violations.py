"""What a QA check returns: typed violations with a code, a severity and a span in the target."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Code(StrEnum):
    """Every finding code a check or the agent reports; a `StrEnum`, so each member equals its wire string."""

    BRACKET_MISMATCH = "bracket-mismatch"
    CAPITALIZATION_START = "capitalization-start"
    DNT_ALTERED = "dnt-altered"
    EMAIL_CHANGED = "email-changed"
    EMPTY_TARGET = "empty-target"
    END_PUNCTUATION = "end-punctuation"
    IMPLAUSIBLE_DRAFT = "implausible-draft"
    LENGTH_MAX = "length-max"
    LENGTH_RATIO = "length-ratio"
    NUMBER_MISMATCH = "number-mismatch"
    PLACEHOLDER_ALTERED = "placeholder-altered"
    PLACEHOLDER_DUPLICATED = "placeholder-duplicated"
    PLACEHOLDER_EXTRA = "placeholder-extra"
    PLACEHOLDER_MISSING = "placeholder-missing"
    PUNCTUATION_INVERTED = "punctuation-inverted"
    PUNCTUATION_SPACING = "punctuation-spacing"
    REPEATED_WORD = "repeated-word"
    STYLE_BANNED = "style-banned"
    STYLE_FORMALITY = "style-formality"
    STYLE_PREFERRED = "style-preferred"
    STYLE_QUOTES = "style-quotes"
    STYLE_REGEX = "style-regex"
    STYLE_REGEX_SKIPPED = "style-regex-skipped"
    TAG_ATTRIBUTE_CHANGED = "tag-attribute-changed"
    TAG_DUPLICATED = "tag-duplicated"
    TAG_EXTRA = "tag-extra"
    TAG_MISNESTED = "tag-misnested"
    TAG_MISSING = "tag-missing"
    TAG_PLACEMENT_UNVERIFIED = "tag-placement-unverified"
    TERM_COMPOUND = "term-compound"
    TERM_DERIVED = "term-derived"
    TERM_FORBIDDEN = "term-forbidden"
    TERM_FORM_UNVERIFIED = "term-form-unverified"
    TERM_INFLECTED = "term-inflected"
    TERM_IN_NAME = "term-in-name"
    TERM_MISSING = "term-missing"
    TERM_PLACE_UNVERIFIED = "term-place-unverified"
    TERM_SPLIT = "term-split"
    UNTRANSLATED = "untranslated"
    URL_CHANGED = "url-changed"
    WHITESPACE_DOUBLE = "whitespace-double"
    WHITESPACE_LEADING = "whitespace-leading"
    WHITESPACE_TRAILING = "whitespace-trailing"


@dataclass(frozen=True)
class Violation:
    """One QA finding. `start`/`end` are character offsets in the target (None when not locatable).

    `entry_id` names the glossary entry for term findings; `expected` is what the check wanted to see
    (a preferred term, a missing tag or placeholder), which the agent uses for deterministic fixes and
    targeted repair prompts.
    """

    code: str
    severity: Severity
    message: str
    start: int | None = None
    end: int | None = None
    entry_id: str | None = None
    expected: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "start": self.start,
            "end": self.end,
        }


# Findings that make a segment `needs_review` without being errors the agent should act on: an edit it
# made but could not verify (a term form it could not check, a tag it put back at a guessed place).
REVIEW_CODES = frozenset(
    {Code.TERM_FORM_UNVERIFIED, Code.TERM_PLACE_UNVERIFIED, Code.TAG_PLACEMENT_UNVERIFIED}
)
