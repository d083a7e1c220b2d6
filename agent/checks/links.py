"""URLs and e-mail addresses are copied, never translated (pofilter `urls`, `emails`)."""

from __future__ import annotations

import re
from collections import Counter

from agent.checks.input import CheckInput
from agent.checks.plain import EMAIL_RE, URL_RE
from agent.violations import Severity, Violation

__all__ = ["email_changed", "url_changed"]


def _compare(inp: CheckInput, pattern: re.Pattern[str], code: str, what: str) -> list[Violation]:
    src = Counter(m.group() for m in pattern.finditer(inp.source))
    tgt = list(pattern.finditer(inp.target))
    left = Counter(src)
    out: list[Violation] = []
    for m in tgt:
        if left[m.group()] > 0:
            left[m.group()] -= 1
        else:
            out.append(
                Violation(
                    code, Severity.ERROR, f"{what} {m.group()} is not in the source", m.start(), m.end()
                )
            )
    for text, n in left.items():
        out += [
            Violation(code, Severity.ERROR, f"{what} {text} from the source is missing", expected=text)
        ] * n
    return out


def url_changed(inp: CheckInput) -> list[Violation]:
    """URL changed, missing or added"""
    return _compare(inp, URL_RE, "url-changed", "URL")


def email_changed(inp: CheckInput) -> list[Violation]:
    """E-mail address changed, missing or added"""
    return _compare(inp, EMAIL_RE, "email-changed", "e-mail address")
