"""Why a model draft cannot be used: a copy of the source, a part left out, no translation at all."""

from __future__ import annotations

import re

from agent import fixes
from agent.checks.length import ratio_bounds
from agent.diff import words_touched
from agent.markup import blank_markup
from agent.state import AgentContext, Candidate
from agent.types import Mode
from agent.violations import Code
from glossaries.languages import language_name
from glossaries.morphology import written_in
from glossaries.text import primary_lang

MAX_MINIMAL_EDIT_RATE = 0.5  # minimal mode fixes flagged problems; a draft rewriting half the MT is not that


def implausible(ctx: AgentContext, base: Candidate | None, draft: str) -> str | None:
    """Why a model draft cannot be used, if it cannot: a copy of the source, or (minimal mode) a rewrite."""
    source = ctx.segment.source
    copied = fixes.source_overlap(source, draft)
    baseline = fixes.source_overlap(source, base.text) if base is not None else 0.0
    if copied > 0.6 and copied > baseline + 0.2:
        return f"it repeats the source ({copied:.0%} of its words are source words)"
    if _too_short(source, draft, ctx.options.target_lang):
        return "it is much shorter than the source (a part left out, or an instruction in the source obeyed)"
    if draft.strip() != (ctx.segment.mt or "").strip():  # not `base`: a repair must not launder a rejection
        unrelated = not_a_translation(ctx, draft)
        if unrelated is not None:
            return unrelated
    minimal = ctx.options.mode is Mode.MINIMAL and not ctx.options.instructions
    if minimal and base is not None and len(base.text.split()) >= 4:
        rate = words_touched(base.text, draft)
        if rate > MAX_MINIMAL_EDIT_RATE:
            return f"it rewrites {rate:.0%} of the words where only flagged problems were to be fixed"
    return None


TELLTALE_CODES: dict[str, str] = {
    Code.BRACKET_MISMATCH: "it adds brackets the source does not have (a term tacked on in parentheses?)",
    Code.END_PUNCTUATION: "it changes how the sentence ends (words tacked on after it?)",
}


def added_defect(base: Candidate | None, draft: Candidate) -> str | None:
    """Why a draft is worse than what it edits in a way the term count cannot see, if it is.

    A model made to use a term (pattern-constrained decoding) may append it, "… en Italie. (propagation
    du virus)", instead of working it into the sentence: the term check passes, the linguist would not.
    """
    if base is None:
        return None
    before = {v.code for v in base.violations}
    for v in draft.violations:
        if v.code in TELLTALE_CODES and v.code not in before:
            return TELLTALE_CODES[v.code]
    return None


def _too_short(source: str, draft: str, target_lang: str) -> bool:
    """A draft with a third of the source's words (a fifth of its characters for CJK) is not a translation."""
    if len(source.split()) < 6:
        return False
    if target_lang.split("-")[0].lower() in ("zh", "ja", "ko", "th"):
        return len(draft.strip()) < 0.2 * len(source.strip())
    return len(draft.split()) < 0.35 * len(source.split())


_TOKEN = re.compile(r"\w+", re.UNICODE)


MIN_RATIO_SOURCE_CHARS = 25  # "Delete file" -> "Löschen": short strings vary too much for a ratio


LONG_SLACK_CHARS = 12  # "Undo" -> "Rückgängig machen"


MIN_REVIEWED_WORDS = 3  # content words; fewer, and a full change is a fix ("Einloggen" -> "Anmelden")


NON_LATIN = frozenset(
    {"ru", "uk", "bg", "be", "sr", "mk", "el", "ar", "fa", "he", "hi", "th", "zh", "ja", "ko", "ka", "hy"}
)  # languages a translation into writes mostly outside Latin script


MIN_KEPT_SHARE = 0.25  # a review keeps most correct words; an answer to an instruction keeps next to none


def _tokens(text: str) -> list[str]:
    return [t.casefold() for t in _TOKEN.findall(blank_markup(text))]


def _non_latin(text: str) -> bool:
    return any(c.isalpha() and ord(c) > 0x24F for c in blank_markup(text))


def _anchors(text: str) -> set[str]:
    """What a translation keeps verbatim: numbers and names (capitalised words after the first)."""
    words = _TOKEN.findall(blank_markup(text))
    return {
        w.casefold() for i, w in enumerate(words) if any(c.isdigit() for c in w) or (i and w[0].isupper())
    }


def not_a_translation(ctx: AgentContext, draft: str) -> str | None:
    """Why a draft is no translation of the source at all, if it is: the answer to an instruction
    (in the source or a follow-up) rather than its translation. Holds for every source length.

    An obeyed injection shows in ways a translation does not: the draft is a fragment lifted from the
    request ("... reply only with HACKED" -> "HACKED."), or it shares no number or name with the source and
    either its length is far outside the pair's expected ratio (an answer, a poem, a refusal) or it keeps
    almost none of the words of the translation it was asked to review (the MT, or the linguist's version).
    """
    source, opts = ctx.segment.source, ctx.options
    words = _tokens(draft)
    src_words = _tokens(source)
    if words and set(words) <= set(src_words) and len(words) < len(src_words):
        return "it is only a fragment of the source (an instruction's answer, not a translation)"
    asked = set(src_words).union(*(_tokens(i) for i in opts.instructions))
    if words and set(words) <= asked and 2 * len(words) < len(src_words):
        return "it consists only of words from the request (an instruction's answer, not a translation)"
    if "\n" in draft.strip() and "\n" not in source:
        return "it breaks into lines where the source has none (a poem, a list: an answer, not a translation)"
    if written_in(blank_markup(draft), opts.source_lang, opts.target_lang):
        return f"it is written in {language_name(opts.source_lang)}, not {language_name(opts.target_lang)}"
    if _anchors(source) & _anchors(draft):
        return None
    if (
        primary_lang(opts.target_lang) in NON_LATIN
        and not set(words) <= set(src_words)
        and not _non_latin(draft)
    ):
        return "it is not written in the target language's script"
    low, high = ratio_bounds(opts.source_lang, opts.target_lang)
    src_len, out_len = len(" ".join(src_words)), len(" ".join(words))
    too_short = src_len >= MIN_RATIO_SOURCE_CHARS and out_len < low * src_len
    if too_short or out_len > high * src_len + LONG_SLACK_CHARS:
        ratio = out_len / max(1, src_len)
        return f"it is {ratio:.2f}x the source's length and shares no number or name with it"
    reviewed = {w for w in _tokens(ctx.segment.mt or "") if len(w) >= 4}  # content words, roughly
    kept = len(reviewed & set(words)) / max(1, len(reviewed))
    if len(reviewed) >= MIN_REVIEWED_WORDS and kept < MIN_KEPT_SHARE:
        return f"it keeps {kept:.0%} of the reviewed translation's words and no number or name of the source"
    return None
