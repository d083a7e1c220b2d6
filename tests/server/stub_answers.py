"""Answers for the stub model: echo the (masked) MT or draft back with a marker, so outputs are predictable
and every mask (tag, placeholder) survives, as a well-behaved model's would."""

from __future__ import annotations

import re
from typing import Any

from tests.support.stub_llm import Reply

__all__ = ["echo_handler", "user_prompt"]


def user_prompt(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["content"])


def _between(tag: str, text: str) -> str | None:
    found = re.search(rf"<{tag}>(.*?)</{tag}>", text, re.S)
    return found.group(1) if found else None


def echo_handler(suffix: str = " ✓", translate_prefix: str = "T: ") -> Any:
    """Full mode: MT + suffix. Translate: prefix + source. Repair: the draft unchanged."""

    def answer(body: dict[str, Any]) -> Reply:
        prompt = user_prompt(body)
        if "find the words in the translation" in prompt:
            return Reply({"spans": []})
        draft = _between("draft", prompt)
        if draft is not None:
            return Reply({"output": draft})
        mt = _between("mt", prompt)
        if mt is not None:
            return Reply({"output": mt if mt.endswith(suffix) else mt + suffix})
        source = _between("source", prompt) or ""
        return Reply({"output": translate_prefix + source})

    return answer
