"""The stub model's answers for the playground: echo the MT, follow 'informal du' requests, answer questions.

Outputs are predictable, so the tests can name the words a linguist would see change.
"""

from __future__ import annotations

import re
from typing import Any

from tests.support.stub_llm import Reply

__all__ = ["ANSWER", "playground_handler"]

ANSWER = "The glossary forbids “Sichern”, so I used “Speichern”."


def pseudo_translate(source: str) -> str:
    """A stand-in translation the agent accepts: every word changed (`folder` -> `folderen`), markup kept."""
    return re.sub(r"(?<![⟦/])\b([A-Za-z]{2,})\b", r"\1en", source)


def _between(tag: str, text: str) -> str | None:
    found = re.search(rf"<{tag}>(.*?)</{tag}>", text, re.S)
    return found.group(1) if found else None


def playground_handler() -> Any:
    def answer(body: dict[str, Any]) -> Reply:
        prompt = str(body["messages"][-1]["content"])
        if "find the words in the translation" in prompt:
            return Reply({"spans": []})
        if "A linguist is reviewing" in prompt:
            return Reply({"reply": ANSWER, "output": _between("current", prompt) or ""})
        draft = _between("draft", prompt)
        if draft is not None:
            return Reply({"output": draft, "edits": []})
        mt = _between("mt", prompt)
        if mt is not None:
            if "informal du" in prompt:
                mt = mt.replace("Ihre", "deine")
            return Reply({"output": mt, "edits": []})
        return Reply({"output": pseudo_translate(_between("source", prompt) or ""), "edits": []})

    return answer
