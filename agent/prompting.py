"""Turn a segment's matches, style rules and violations into prompt messages and JSON schemas.

Static parts first (system text, style rules), per-segment parts last, so vLLM and llama.cpp reuse the
cached prefix across segments of one job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import permutations
from typing import TYPE_CHECKING, Any, cast

from agent.llm import grammar_safe
from agent.markup import blank_markup
from agent.types import MEMORY_CLOSE, MEMORY_FLOOR, MemoryMatch
from agent.violations import Violation
from glossaries.languages import language_name
from glossaries.model import Entry
from prompts import Message, render

if TYPE_CHECKING:
    from glossaries.matcher import TermMatch
    from glossaries.style import StyleGuide

OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"output": {"type": "string"}},
    "required": ["output"],
    "additionalProperties": False,
}

EXPLAINED_OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "output": {"type": "string"},
        "edits": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "before": {"type": "string"},
                    "after": {"type": "string"},
                    "reason": {"type": "string"},
                },
                "required": ["before", "after", "reason"],
            },
        },
    },
    "required": ["output", "edits"],
}

_FREE = r'[^"\\\n\r]*'  # any run of characters but quotes, backslashes and line breaks
_REGEX_META = frozenset("|()[]{}*+?")
MAX_FORCED_TERMS = 3  # every order of the terms is one branch of the pattern: 3! = 6 branches


def output_schema(*, explain: bool, must_contain: Sequence[str | Sequence[str]] = ()) -> dict[str, Any]:
    """The draft's schema; with `must_contain`, its `output` is constrained to contain those terms, each
    in one of its forms when a term is given as a tuple of forms.

    Lexically constrained decoding: a small model told twice to use a term may still not, but a
    JSON-schema `pattern` (enforced by llama.cpp's grammar and by vLLM's xgrammar) leaves it no way
    around it, while it still chooses where the term goes and how the sentence fits around it.
    """
    base = EXPLAINED_OUTPUT_SCHEMA if explain else OUTPUT_SCHEMA
    pattern = term_pattern(must_contain)
    if pattern is None:
        return base
    output = {"type": "string", "pattern": pattern}
    return {**base, "properties": {**base["properties"], "output": output}}


def term_pattern(terms: Sequence[str | Sequence[str]]) -> str | None:
    """A regex (in the subset both grammar engines read) matching texts that contain every term, a term
    being one string or the tuple of its forms (any one of which will do).

    None when there is nothing to force or a term cannot be written in that subset.
    """
    groups: dict[tuple[str, ...], None] = {}
    for term in terms:
        forms = tuple(dict.fromkeys(f.strip() for f in ((term,) if isinstance(term, str) else term)))
        if any(forms):
            groups[tuple(f for f in forms if f)] = None
    literals = [_alternatives([_literal(f) for f in forms]) for forms in groups]
    if not literals or any(lit is None for lit in literals) or len(literals) > MAX_FORCED_TERMS:
        return None
    branches = [_FREE + _FREE.join(order) + _FREE for order in permutations(cast(list[str], literals))]
    return "^(" + "|".join(branches) + ")$"


def _alternatives(literals: Sequence[str | None]) -> str | None:
    """One literal as is; several as a group `(a|b)`; None if any cannot be written."""
    if any(lit is None for lit in literals):
        return None
    return cast(str, literals[0]) if len(literals) == 1 else "(" + "|".join(cast(list[str], literals)) + ")"


def _literal(term: str) -> str | None:
    """`term` as regex text; its first letter may take either case (it may start the sentence)."""
    if not grammar_safe(term) or any(ch in term for ch in "^$\n\r"):
        return None
    out: list[str] = []
    for i, ch in enumerate(term):
        if i == 0 and ch.isalpha() and ch.lower() != ch.upper():
            out.append(f"[{ch.upper()}{ch.lower()}]")
        elif ch == ".":
            out.append("[.]")  # llama.cpp's converter keeps `\.` as an escape GBNF does not know
        elif ch in _REGEX_META:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _locate_shape(phrase: dict[str, Any], words: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "spans": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"phrase": phrase, "words": words},
                    "required": ["phrase", "words"],
                },
            }
        },
        "required": ["spans"],
    }


LOCATE_SCHEMA = _locate_shape({"type": "string"}, {"type": "string"})


def _enum_or_string(values: Sequence[str]) -> dict[str, Any]:
    """An enum of `values`, unless one cannot stand as a grammar literal."""
    if not all(grammar_safe(v) for v in values):
        return {"type": "string"}
    return {"type": "string", "enum": list(dict.fromkeys(values))}


def locate_schema(phrases: Sequence[str], choices: Sequence[str]) -> dict[str, Any]:
    """The locate answer, with `words` limited to runs of words of the translation (or "" for none).

    A small model asked to copy words freely often paraphrases them; an enum makes every answer usable.
    Replies are read against the looser `LOCATE_SCHEMA`, for servers that cannot enforce an enum.
    """
    return _locate_shape(_enum_or_string(phrases), {"type": "string", "enum": ["", *choices]})


def choose_form_schema(options: Sequence[str]) -> dict[str, Any]:
    """The form a term takes, one of the generated `options`."""
    return {"type": "object", "properties": {"form": _enum_or_string(options)}, "required": ["form"]}


CHAT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"reply": {"type": "string"}, "output": {"type": "string"}},
    "required": ["reply", "output"],
}

_EXPLAIN_FIELD = ', "edits": [{"before": "old words", "after": "new words", "reason": "why"}]'


def system_message(source_lang: str, target_lang: str, style: StyleGuide | None) -> Message:
    rules = style.prompt_rules(source_lang, target_lang) if style is not None else []
    block = ""
    if rules:
        block = "\nThe client's style guide:\n" + "\n".join(f"- {r}" for r in rules) + "\n"
    text = render(
        "system",
        source_name=language_name(source_lang),
        source_lang=source_lang,
        target_name=language_name(target_lang),
        target_lang=target_lang,
        style_block=block,
    )
    return {"role": "system", "content": text}


def glossary_block(matches: Sequence[TermMatch]) -> str:
    """Only the entries that occur in this segment: a 100k-entry termbase costs what a 10-entry one does."""
    seen: set[str] = set()
    lines: list[str] = []
    for match in matches:
        if match.entry.id in seen:
            continue
        seen.add(match.entry.id)
        lines.append(_entry_line(match.text, match.entry))
    if not lines:
        return ""
    return "\nGlossary (required):\n" + "\n".join(lines) + "\n"


MEMORY_EXAMPLES = 3  # memory matches shown to the model, best first


def memory_block(memory: Sequence[MemoryMatch], *, translating: bool = False) -> str:
    """Approved translations of similar sentences: the client's wording, which a glossary cannot hold.
    Tags are blanked: the segment's own are masked differently, and their places differ anyway."""
    shown = [m for m in memory if m.score >= MEMORY_FLOOR][:MEMORY_EXAMPLES]
    if not shown:
        return ""
    lines = [
        f"- {m.score:.0f}% <tm_source>{_squeeze(blank_markup(m.source))}</tm_source>"
        f" <tm_target>{_squeeze(blank_markup(m.target))}</tm_target>"
        for m in shown
    ]
    lead = "\nTranslation memory (approved translations of similar sentences; reuse their wording where they agree):\n"
    tail = ""
    if translating and shown[0].score >= MEMORY_CLOSE:
        tail = "The first is close: start from its translation and change only what the source changes.\n"
    return lead + "\n".join(lines) + "\n" + tail


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _entry_line(source_text: str, entry: Entry) -> str:
    if entry.is_dnt:
        return f'- "{source_text}": do not translate, copy it exactly'
    parts: list[str] = []
    preferred = entry.preferred_target
    if preferred is not None:
        parts.append(f'- "{source_text}" -> "{preferred.text}"')
    else:
        parts.append(f'- "{source_text}"')
    others = [t.text for t in entry.allowed_targets[1:]]
    if others:
        parts.append("(also allowed: " + ", ".join(f'"{o}"' for o in others) + ")")
    forbidden = [t.text for t in entry.forbidden_targets]
    if forbidden:
        parts.append("(never: " + ", ".join(f'"{f}"' for f in forbidden) + ")")
    note = entry.note or (preferred.note if preferred else None)
    if note:
        parts.append(f"- note: {note}")
    return " ".join(parts)


def problem_lines(violations: Sequence[Violation]) -> str:
    lines = []
    for v in violations:
        if v.code == "term-missing" and v.expected:
            lines.append(f'- {v.message} Use "{v.expected}".')
        elif v.code == "term-forbidden" and v.expected:
            lines.append(f'- {v.message} Use "{v.expected}" instead.')
        else:
            lines.append(f"- {v.message}")
    return "\n".join(lines) if lines else "- (none)"


def _instructions(instructions: Sequence[str]) -> str:
    if not instructions:
        return ""
    return "\nThe linguist asks:\n" + "\n".join(f"- {i}" for i in instructions) + "\n"


def postedit_messages(
    system: Message,
    *,
    full: bool,
    source: str,
    mt: str,
    matches: Sequence[TermMatch],
    violations: Sequence[Violation],
    instructions: Sequence[str] = (),
    explain: bool = False,
    memory: Sequence[MemoryMatch] = (),
) -> list[Message]:
    problems = problem_lines(violations)
    if full:
        body = render(
            "postedit_full",
            glossary_block=glossary_block(matches),
            memory_block=memory_block(memory),
            instructions_block=_instructions(instructions),
            problems_block=f"\nKnown problems:\n{problems}\n" if violations else "",
            source=source,
            mt=mt,
            explain_field=_EXPLAIN_FIELD if explain else "",
        )
    else:
        body = render(
            "postedit_minimal",
            glossary_block=glossary_block(matches),
            memory_block=memory_block(memory),
            instructions_block=_instructions(instructions),
            problems=problems,
            source=source,
            mt=mt,
            explain_field=_EXPLAIN_FIELD if explain else "",
        )
    return [system, {"role": "user", "content": body}]


def translate_messages(
    system: Message,
    *,
    source: str,
    matches: Sequence[TermMatch],
    instructions: Sequence[str] = (),
    context: str | None = None,
    memory: Sequence[MemoryMatch] = (),
) -> list[Message]:
    body = render(
        "translate",
        glossary_block=glossary_block(matches),
        memory_block=memory_block(memory, translating=True),
        instructions_block=_instructions(instructions),
        context_block=f"\n<context>{context}</context>\n" if context else "",
        source=source,
    )
    return [system, {"role": "user", "content": body}]


def repair_messages(
    system: Message, *, source: str, draft: str, matches: Sequence[TermMatch], violations: Sequence[Violation]
) -> list[Message]:
    body = render(
        "repair",
        glossary_block=glossary_block(matches),
        problems=problem_lines(violations),
        source=source,
        draft=draft,
    )
    return [system, {"role": "user", "content": body}]


def locate_messages(
    system: Message,
    *,
    source: str,
    mt: str,
    phrases: Sequence[str],
    hints: Mapping[str, Sequence[str]] | None = None,
) -> list[Message]:
    """The locate prompt; `hints` lists, per phrase, the words likeliest to render it (likeliest first)."""

    def line(p: str) -> str:
        shortlist = (hints or {}).get(p)
        return f'- "{p}" (one of: {", ".join(shortlist)})' if shortlist else f'- "{p}"'

    body = render("locate", source=source, mt=mt, phrases="\n".join(line(p) for p in phrases))
    return [system, {"role": "user", "content": body}]


def choose_form_messages(
    system: Message, *, source: str, term: str, versions: Sequence[str], options: Sequence[str]
) -> list[Message]:
    """The prompt that asks which of the generated forms of a term the sentence needs, shown in place."""
    body = render(
        "choose_form",
        source=source,
        term=term,
        versions="\n".join(f"<version>{v}</version>" for v in versions),
        options=", ".join(f'"{o}"' for o in options),
    )
    return [system, {"role": "user", "content": body}]


def chat_messages(
    system: Message,
    *,
    source: str,
    mt: str,
    current: str,
    matches: Sequence[TermMatch],
    history: Sequence[tuple[str, str]],
    message: str,
) -> list[Message]:
    body = render(
        "chat",
        glossary_block=glossary_block(matches),
        source=source,
        mt=mt,
        current=current,
        history="\n".join(f"{who}: {text}" for who, text in history) or "(none)",
        message=message,
    )
    return [system, {"role": "user", "content": body}]
