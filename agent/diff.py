"""Word-level edits between the MT and the output, as character spans a CAT tool or the playground can mark."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from agent.types import Edit

_WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


def word_edits(mt: str, output: str) -> tuple[Edit, ...]:
    """Insertions, deletions and replacements of whole words (punctuation counts as a word)."""
    a, b = _words(mt), _words(output)
    matcher = SequenceMatcher(a=[w for w, _, _ in a], b=[w for w, _, _ in b], autojunk=False)
    edits: list[Edit] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        mt_start = a[i1][1] if i1 < len(a) else len(mt)
        mt_end = a[i2 - 1][2] if i2 > i1 else mt_start
        out_start = b[j1][1] if j1 < len(b) else len(output)
        out_end = b[j2 - 1][2] if j2 > j1 else out_start
        edits.append(
            Edit(
                op={"replace": "replace", "delete": "delete", "insert": "insert"}[op],
                before=mt[mt_start:mt_end],
                after=output[out_start:out_end],
                mt_start=mt_start,
                mt_end=mt_end,
                out_start=out_start,
                out_end=out_end,
            )
        )
    return tuple(edits)


def words_touched(mt: str, output: str) -> float:
    """Share of MT words touched: 0.0 for an untouched segment; used to prefer the least invasive candidate."""
    a = [w for w, _, _ in _words(mt)]
    b = [w for w, _, _ in _words(output)]
    if not a:
        return 0.0 if not b else 1.0
    same = sum(block.size for block in SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks())
    return (max(len(a), len(b)) - same) / len(a)
