"""The prose of a segment: markup, URLs and e-mails blanked out, offsets kept.

Checks that read words, numbers or brackets must not see `%1$s`, `<g id="2">` or `http://a.b/3`;
blanking with spaces (not deleting) keeps every offset a valid offset in the original text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from agent import markup  # module import: agent.markup itself imports agent.violations

__all__ = ["EMAIL_RE", "URL_RE", "plain"]

URL_RE = re.compile(
    r"\b(?:(?:https?|ftp|file)://|www\.)[^\s<>\"'\u00a0\u202f]+[^\s<>\"'\u00a0\u202f.,;:!?)\]}»”’]"
)
EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")


@lru_cache(maxsize=256)
def plain(text: str) -> str:
    """`text` with markup, URLs and e-mails replaced by spaces of the same length."""
    chars = list(text)
    spans = [(u.start, u.end) for u in markup.find_markup(text)]
    spans += [m.span() for m in URL_RE.finditer(text)]
    spans += [m.span() for m in EMAIL_RE.finditer(text)]
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)
