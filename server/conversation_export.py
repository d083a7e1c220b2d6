"""Export the final segments of conversations: JSONL rows or an XLIFF 1.2 document.

The final segment is the version the linguist accepted, else the latest one. XLIFF inline tags in a
segment (`<g>`, `<x/>`, `<ph>`...) are written as markup, anything else as escaped text, so a CAT tool
reads back exactly what the playground showed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from server.conversation_schemas import Conversation

__all__ = ["to_jsonl", "to_xliff"]

XLIFF12_NS = "urn:oasis:names:tc:xliff:document:1.2"
_INLINE_TAG = re.compile(r"(</?(?:g|x|bx|ex|ph|bpt|ept|it|mrk|sub)(?:\s[^<>]*)?/?>)")


def _final(conv: Conversation) -> tuple[str | None, str | None, list[dict[str, object]]]:
    turn = conv.final_turn()
    if turn is None or turn.result is None:
        return None, None, []
    violations = [v.model_dump(exclude_none=True) for v in turn.result.violations]
    return turn.result.output, turn.result.status, violations


def to_jsonl(conversations: Sequence[Conversation]) -> str:
    """One row per conversation, in the shape of the evaluation sets (`id`, `src`, `mt`) plus the result."""
    rows = []
    for conv in conversations:
        output, status, violations = _final(conv)
        row: dict[str, object] = {
            "id": conv.id,
            "source_lang": conv.source_lang,
            "target_lang": conv.target_lang,
            "src": conv.source,
            "mt": conv.mt,
            "output": output,
            "status": status,
            "accepted": conv.accepted_turn is not None,
            "violations": violations,
        }
        if conv.glossary_id:
            row["glossary_id"] = conv.glossary_id
        if conv.styleguide_id:
            row["styleguide_id"] = conv.styleguide_id
        rows.append(json.dumps(row, ensure_ascii=False))
    return "".join(line + "\n" for line in rows)


def _inline(text: str) -> str:
    """`text` as XLIFF 1.2 element content: its inline tags as markup, everything else escaped.

    When the tags do not nest (a broken segment), the whole text is escaped rather than the file broken.
    """
    parts = _INLINE_TAG.split(text)
    body = "".join(part if i % 2 else escape(part) for i, part in enumerate(parts))
    if len(parts) == 1:
        return body
    try:
        etree.fromstring(f'<source xmlns="{XLIFF12_NS}">{body}</source>'.encode())
    except etree.XMLSyntaxError:
        return escape(text)
    return body


def _state(conv: Conversation, status: str | None) -> str:
    if conv.accepted_turn is not None:
        return "final"
    return "needs-review-translation" if status == "needs_review" else "translated"


def to_xliff(conversations: Sequence[Conversation]) -> bytes:
    """One `<file>` per language pair, one `<trans-unit>` per conversation with an answer."""
    pairs: dict[tuple[str, str], list[Conversation]] = {}
    for conv in conversations:
        pairs.setdefault((conv.source_lang, conv.target_lang), []).append(conv)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', f'<xliff version="1.2" xmlns="{XLIFF12_NS}">']
    for (src, tgt), convs in pairs.items():
        out.append(
            f"  <file original={quoteattr('playground')} source-language={quoteattr(src)} "
            f'target-language={quoteattr(tgt)} datatype="plaintext"><body>'
        )
        for conv in convs:
            output, status, violations = _final(conv)
            out.append(f"    <trans-unit id={quoteattr(conv.id)}>")
            out.append(f"      <source>{_inline(conv.source)}</source>")
            if output is not None:
                out.append(
                    f"      <target state={quoteattr(_state(conv, status))}>{_inline(output)}</target>"
                )
            for v in violations:
                note = escape(f"{v['code']}: {v['message']}")
                out.append(f'      <note from="postedit">{note}</note>')
            out.append("    </trans-unit>")
        out.append("  </body></file>")
    out.append("</xliff>")
    return ("\n".join(out) + "\n").encode("utf-8")
