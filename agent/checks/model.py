"""Moved: import from `agent.violations` (kept until every module is switched)."""

from agent.violations import Severity, Violation

__all__ = ["Severity", "Violation"]
