"""Versioned prompt templates and the small renderer that fills them.

Templates live in `prompts/templates/*.md` and use `$name` placeholders (string.Template), so braces in
segment text never break rendering. The prompt version is a hash of every template: any wording change
gives a new version, and cached results keyed on it are never served for the new prompts.
"""

from __future__ import annotations

from prompts.render import PROMPT_VERSION, Message, PromptError, render, template_names

__all__ = ["PROMPT_VERSION", "Message", "PromptError", "render", "template_names"]
