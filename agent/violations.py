"""What a QA check returns: typed violations with a code, a severity and a span in the target."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


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
REVIEW_CODES = frozenset({"term-form-unverified", "tag-placement-unverified"})
