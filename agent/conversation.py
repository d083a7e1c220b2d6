"""Follow-up turns on one segment (the playground's chat): refine the post-edit or explain it.

A request ("use the informal du", "keep 'Cloud' in English") reruns the agent on the current version with
the message as an instruction, so the glossary and the checks stay in force. A question ("why did you
change X?") is answered by the model from the source, the MT and the current version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from agent import prompting
from agent.editor import PostEditor
from agent.llm import LLMError
from agent.types import EditOptions, Segment, SegmentResult

if TYPE_CHECKING:
    from glossaries.model import Termbase
    from glossaries.style import StyleGuide

_QUESTION_WORDS = ("why", "what", "how", "which", "where", "when", "is ", "are ", "does ", "do ", "can ",
                   "warum", "wieso", "pourquoi", "qu", "por qué")  # fmt: skip


@dataclass(frozen=True)
class TurnResult:
    kind: str  # "revision" | "answer"
    reply: str
    result: SegmentResult


def is_question(message: str) -> bool:
    text = message.strip().lower()
    return text.endswith("?") or (text.startswith(_QUESTION_WORDS) and not text.startswith(("use", "keep")))


async def follow_up(
    editor: PostEditor,
    segment: Segment,
    options: EditOptions,
    *,
    current: str,
    history: Sequence[tuple[str, str]],
    message: str,
    glossary: Termbase | None = None,
    style: StyleGuide | None = None,
    cache_scope: str = "",
) -> TurnResult:
    """One linguist message about `segment`, whose current post-edit is `current`."""
    if not is_question(message):
        base = replace(segment, mt=current)
        asked = replace(options, instructions=(*options.instructions, message))
        result = await editor.edit(base, asked, glossary=glossary, style=style, cache_scope=cache_scope)
        reply = "Updated." if result.output != current else "No change was needed."
        if result.reason:
            reply += f" Needs review: {result.reason}."
        return TurnResult("revision", reply, result)

    # A question: answer it; the current version is re-checked so the badges stay true.
    checked = await editor.rules_only().edit(
        replace(segment, mt=current), options, glossary=glossary, style=style
    )
    if editor.llm is None:
        return TurnResult("answer", "No model is configured to answer questions.", checked)
    matchers = editor.matchers_for(segment, options, glossary)
    matches = [m for matcher in matchers for m in matcher.match_source(segment.source)]
    messages = prompting.chat_messages(
        prompting.system_message(options.source_lang, options.target_lang, style),
        source=segment.source,
        mt=segment.mt or "",
        current=current,
        matches=matches,
        history=history,
        message=message,
    )
    try:
        answer = await editor.llm.complete_json(messages, prompting.CHAT_SCHEMA)
    except LLMError as exc:
        return TurnResult("answer", f"The model is unavailable: {exc}", checked)
    said = (answer.data or {}).get("reply")
    reply = (
        said if isinstance(said, str) and said.strip() else answer.text.strip() or "The model gave no answer."
    )
    return TurnResult("answer", reply, checked)
