"""Answers for the stub model: echo the (masked) MT or draft back with a marker, so outputs are predictable
and every mask (tag, placeholder) survives, as a well-behaved model's would."""

from __future__ import annotations

import re
from typing import Any

from tests.support.stub_llm import Reply

__all__ = ["echo_handler", "mark", "pseudo_translate", "user_prompt"]


def user_prompt(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["content"])


def _between(tag: str, text: str) -> str | None:
    found = re.search(rf"<{tag}>(.*?)</{tag}>", text, re.S)
    return found.group(1) if found else None


def mark(text: str, suffix: str) -> str:
    """`text` with `suffix` before its end punctuation (so the QA end-punctuation check stays happy)."""
    if suffix.strip() in text:
        return text
    body = text.rstrip(".!?:; \u00a0")
    return body + suffix + text[len(body) :]


def pseudo_translate(text: str) -> str:
    """A deterministic 'translation' that differs from the source but keeps every mask: word -> worden."""
    return re.sub(r"(?<![\w⟦/])([A-Za-z]+)(?![\w⟧])", r"\1en", text)


def echo_handler(suffix: str = " ✓") -> Any:
    """Full mode: MT + suffix (before end punctuation). Translate: `pseudo_translate`. Repair: the draft."""

    def answer(body: dict[str, Any]) -> Reply:
        prompt = user_prompt(body)
        if "find the words in the translation" in prompt:
            return Reply({"spans": []})
        draft = _between("draft", prompt)
        if draft is not None:
            return Reply({"output": draft})
        extra: dict[str, Any] = {"edits": []} if '"edits"' in prompt else {}
        mt = _between("mt", prompt)
        if mt is not None:
            return Reply({"output": mark(mt, suffix), **extra})
        source = _between("source", prompt) or ""
        return Reply({"output": pseudo_translate(source), **extra})

    return answer
