"""Load the templates once and render them; static text first, per-segment text last (prefix caching)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from string import Template
from typing import Literal, TypedDict

TEMPLATE_DIR = Path(__file__).parent / "templates"


class Message(TypedDict):
    role: Literal["system", "user", "assistant"]
    content: str


class PromptError(KeyError):
    """A template asked for a value the caller did not give: a programming error, named precisely."""


@cache
def _templates() -> dict[str, Template]:
    return {p.stem: Template(p.read_text(encoding="utf-8")) for p in sorted(TEMPLATE_DIR.glob("*.md"))}


def _version() -> str:
    digest = hashlib.sha256()
    for name, template in _templates().items():
        digest.update(name.encode() + b"\0" + template.template.encode() + b"\0")
    return digest.hexdigest()[:12]


PROMPT_VERSION = _version()


def template_names() -> list[str]:
    return list(_templates())


def render(name: str, **values: str) -> str:
    """Fill template `name`; every `$placeholder` must be given (a missing one is a bug, not an empty string)."""
    try:
        template = _templates()[name]
    except KeyError:
        raise PromptError(f"no prompt template {name!r}; have {template_names()}") from None
    try:
        return template.substitute(values).strip() + "\n"
    except KeyError as missing:
        raise PromptError(f"template {name!r} needs a value for {missing}") from None
