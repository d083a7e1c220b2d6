"""Deterministic repairs that are safe without a model, each a pure function of (source, target, violation).

Applied before any model call and on every model draft: a forbidden term with a glossary replacement, a
DNT term in the wrong case, outer whitespace, double spaces, and term renderings located by the model
(`replace_span`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from agent.elision import Mended, mend_before
from agent.llm import grammar_safe
from agent.markup import MASK_RE, blank_markup
from agent.violations import Severity, Violation
from glossaries.morphology import Morphology, morphology


@dataclass(frozen=True)
class Replacement:
    start: int
    end: int
    text: str
    why: str
    form_checked: bool = True  # False: a term put in without knowing the form the sentence needs
    place_checked: bool = True  # False: the words it replaced are the model's pick, and nothing confirms them


_FORM_UNCHECKED = "was put in as the glossary writes it: check its case, number and agreement"
_PLACE_UNCHECKED = "took the place of words the model chose: check they rendered the term"


def unchecked_forms(new_text: str, replacements: Sequence[Replacement]) -> list[Violation]:
    """A `term-form-unverified` warning for each term put in without a known form, a `term-place-unverified`
    one for each put in place of words only the model chose: the segment needs a linguist's look (its status
    becomes needs_review), as an edit the agent cannot verify must."""
    out = []
    for r in replacements:
        at = new_text.find(r.text)
        if at < 0:
            continue
        for checked, code, why in (
            (r.form_checked, "term-form-unverified", _FORM_UNCHECKED),
            (r.place_checked, "term-place-unverified", _PLACE_UNCHECKED),
        ):
            if not checked:
                message = f"'{r.text}' {why}"
                out.append(
                    Violation(
                        code, Severity.WARNING, message, start=at, end=at + len(r.text), expected=r.text
                    )
                )
    return out


def apply(target: str, replacements: Sequence[Replacement]) -> str:
    """Apply non-overlapping replacements (later ones first, so offsets stay valid)."""
    out = target
    last_start = len(target) + 1
    for r in sorted(replacements, key=lambda r: r.start, reverse=True):
        if r.end > last_start:
            continue  # overlaps one already applied
        out = out[: r.start] + r.text + out[r.end :]
        last_start = r.start
    return out


def match_case(replacement: str, replaced: str, at_sentence_start: bool) -> str:
    """Keep a capital at the start of a sentence; otherwise use the glossary's own casing."""
    if at_sentence_start and replaced[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip()
    return not before or before[-1] in ".!?:;»\"'¿¡…"


def term_in_form(
    expected: str, replaced: str, target_lang: str, variants: Sequence[str] = (), before: str = ""
) -> tuple[str, bool]:
    """The glossary term in the grammatical form of the words it replaces, and whether that form is known.

    `вид` replacing `типы` becomes `виды`, `Einstellung` replacing `Optionen` becomes `Einstellungen`. Where
    the entry allows several targets (`grippal`, `grippale`, `grippe`), the first that fits the replaced
    words as it is, else the first that can be put in their form (`grippe` for the noun `influenza`). Where
    the morphology cannot tell the form, the term goes in as the glossary has it, and the caller flags it;
    a language without morphology gets the glossary's form unflagged, as it always did.
    """
    if SequenceMatcher(a=expected.casefold(), b=replaced.casefold(), autojunk=False).ratio() >= 0.85:
        return expected, True  # a misspelling of the term (`Einstelungen`): the form is the glossary's
    morph = morphology(target_lang)
    if not morph.inflects:
        return expected, True  # no morphology for this language: as written, as before this layer
    candidates = list(dict.fromkeys([expected, *variants]))
    forms = [morph.inflect_like(c, replaced, before) for c in candidates]
    as_is = next(
        (f for c, f in zip(candidates, forms, strict=True) if f and f.casefold() == c.casefold()), None
    )
    form = as_is or next((f for f in forms if f is not None), None)
    return (form, True) if form is not None else (expected, False)


def forbidden_term(target: str, v: Violation, target_lang: str) -> Replacement | None:
    if v.code != "term-forbidden" or v.start is None or v.end is None or not v.expected:
        return None
    replaced = target[v.start : v.end]
    form, checked = term_in_form(v.expected, replaced, target_lang, before=target[: v.start])
    text = match_case(form, replaced, sentence_start(target, v.start))
    return _in_sentence(target, (v.start, v.end), text, "forbidden term replaced by", target_lang, checked)


def whitespace(source: str, target: str, v: Violation) -> Replacement | None:
    if v.code == "whitespace-leading":
        lead_src = source[: len(source) - len(source.lstrip())]
        lead_tgt = target[: len(target) - len(target.lstrip())]
        return Replacement(0, len(lead_tgt), lead_src, "leading whitespace made equal to the source")
    if v.code == "whitespace-trailing":
        trail_src = source[len(source.rstrip()) :]
        trail_tgt = target[len(target.rstrip()) :]
        return Replacement(len(target) - len(trail_tgt), len(target), trail_src, "trailing whitespace fixed")
    if v.code == "whitespace-double" and v.start is not None and v.end is not None:
        return Replacement(v.start, v.end, " ", "double space removed")
    return None


def dnt_case(source_form: str, target: str) -> Replacement | None:
    """A DNT term present with other casing (`cloud console` for `Cloud Console`) is restored verbatim."""
    m = re.search(rf"(?<!\w){re.escape(source_form)}(?!\w)", target, re.IGNORECASE)
    if m is None or m.group() == source_form:
        return None
    return Replacement(m.start(), m.end(), source_form, f"do-not-translate term restored as {source_form!r}")


def find_words(target: str, words: str, *, fuzzy: bool = True) -> tuple[int, int] | None:
    """Where the model-named `words` occur in the target, as whole words, case-insensitively.

    Spacing and apostrophes between the words may differ (`d'essai` names `d' essai` in tokenized text),
    and a near miss (`trousses d'essai` for `trousse d' essai`) is taken when it is clearly the same words.
    """
    words = words.strip().strip("\"'«»“”")
    if not words or "⟦" in words:
        return None
    tokens = re.findall(r"\w+", words)
    if not tokens:
        return None
    pattern = r"(?<!\w)" + r"[\s'’\-]{0,3}".join(map(re.escape, tokens)) + r"(?!\w)"
    m = re.search(pattern, target, re.IGNORECASE)
    if m:
        return m.start(), m.end()
    return closest_span(target, " ".join(tokens), threshold=0.85) if fuzzy else None


def replace_span(
    target: str,
    span: tuple[int, int],
    expected: str,
    why: str,
    target_lang: str,
    variants: Sequence[str] = (),
) -> Replacement:
    replaced = target[span[0] : span[1]]
    form, checked = term_in_form(expected, replaced, target_lang, variants, target[: span[0]])
    text = match_case(form, replaced, sentence_start(target, span[0]))
    return _in_sentence(target, span, text, f"{why} ->", target_lang, checked)


def _in_sentence(
    target: str, span: tuple[int, int], text: str, why: str, target_lang: str, checked: bool
) -> Replacement:
    """The replacement with the word before it mended for its first letter (French `d'` -> `de`); a
    word that cannot be mended (`l'`: le or la?) leaves the form unchecked."""
    mended = mend_before(target, span[0], text, target_lang)
    morph = morphology(target_lang)
    agreed = None
    if mended is None:  # the article and adjectives before a German noun, put in the term's gender
        agreed = morph.agree_before(target[: span[0]], target[span[0] : span[1]], text)
    if agreed is not None:
        mended, checked = Mended(agreed.start, agreed.text, sure=True), checked and agreed.sure
    if mended is None:
        if morph.fits(target[: span[0]], text, text, None) is False:
            checked = False  # `die Vertrag`: the article before it asks for another noun
        return Replacement(span[0], span[1], text, f"{why} {text!r}", checked)
    new = mended.text + text if mended.sure else target[mended.start : span[0]] + text
    return Replacement(mended.start, span[1], new, f"{why} {new!r}", checked and mended.sure)


_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def closest_span(target: str, expected: str, *, threshold: float = 0.72) -> tuple[int, int] | None:
    """The target n-gram most like `expected` (a misspelt or mis-inflected rendering), if close enough.

    Used without a model (the `rules` system) and when the model names no words: it catches
    `corona virus` for `coronavirus` but not a synonym, which is the model's job.
    """
    words = list(_WORD.finditer(target))
    want = expected.casefold()
    n = max(1, len(expected.split()))
    best: tuple[float, int, int] | None = None
    for size in {max(1, n - 1), n, n + 1}:
        for i in range(len(words) - size + 1):
            start, end = words[i].start(), words[i + size - 1].end()
            score = SequenceMatcher(a=want, b=target[start:end].casefold(), autojunk=False).ratio()
            if best is None or score > best[0]:
                best = (score, start, end)
    if best is None or best[0] < threshold:
        return None
    return best[1], best[2]


def _long_words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text) if len(w) >= 3 and not w.isdigit()]


def source_overlap(source: str, target: str) -> float:
    """Share of the target's words (3+ letters) that are also source words: high for a copied source.

    Markup is not counted: tag names, attributes and `translate="no"` content are copied by design.
    """
    words = _long_words(blank_markup(target))
    if not words:
        return 0.0
    src = set(_long_words(blank_markup(source)))
    return sum(w in src for w in words) / len(words)


def duplicates_context(target: str, span: tuple[int, int], expected: str) -> bool:
    """Would putting `expected` at `span` repeat words already next to it (`lavez-vous les mains souvent les mains`)?

    A located span that covers only part of a discontinuous rendering must not be replaced: the model
    redrafts the segment instead.
    """
    words = [w.casefold() for w in _WORD.findall(expected)]
    if len(words) < 2:
        return False
    outside = [w.casefold() for w in _WORD.findall(target[: span[0]] + " \u2029 " + target[span[1] :])]
    inside = {w.casefold() for w in _WORD.findall(target[span[0] : span[1]])}
    return any(w in outside and w not in inside and len(w) >= 3 for w in words)


_END_PUNCT = ".!?…。！？:;"
_CJK_END = {".": "。", "!": "！", "?": "？"}


def end_punctuation(source: str, target: str, v: Violation, target_lang: str) -> Replacement | None:
    """A target that lost the source's final `.`, `!` or `?` gets it back; any other mismatch is the model's."""
    if v.code != "end-punctuation":
        return None
    src_end = source.rstrip()[-1:]
    body = target.rstrip()
    if src_end not in ".!?" or not body or body[-1] in _END_PUNCT or not body[-1].isalnum():
        return None
    mark = _CJK_END[src_end] if target_lang.split("-")[0].lower() in ("zh", "ja") else src_end
    return Replacement(len(body), len(body), mark, f"final {mark!r} restored as in the source")


def _unmasked_words(target: str) -> list[re.Match[str]]:
    """The words of `target` outside masked markup (`⟦…⟧`)."""
    masked = [(m.start(), m.end()) for m in MASK_RE.finditer(target)]
    return [w for w in _WORD.finditer(target) if not any(a <= w.start() < b for a, b in masked)]


def span_choices(target: str, max_words: int) -> list[str]:
    """Every run of 1..`max_words` whole words in `target`, as written there, first occurrence first.

    The locate prompt constrains the model's answer to these (a JSON-schema enum), so it can only name
    words that are really in the translation; masked markup (`⟦…⟧`) and punctuation between words are
    never part of a choice (a replacement would drop them), nor is text `grammar_safe` rejects.
    """
    words = _unmasked_words(target)
    seen: dict[str, None] = {}
    for i in range(len(words)):
        for j in range(i, min(len(words), i + max_words)):
            text = target[words[i].start() : words[j].end()]
            if any(ch in text for ch in "⟦⟧()[]{},;:!?«»") or ". " in text or not grammar_safe(text):
                break  # replacing it would drop markup or punctuation; or it cannot go into the schema
            if target[words[j].end() : words[j].end() + 1] in ("'", "’"):
                continue  # ends on an elided article (`ou d' une`): replacing it would strand the apostrophe
            seen.setdefault(text, None)
    return list(seen)


SHORTLIST = (
    4  # nouns offered to the model for a one-word noun term; the rendering is among them in 9 of 10 rows
)


def place_in(text: str, start: int, end: int) -> float:
    """Where the span `start:end` sits in `text`, as a share of its words (0 = first, 1 = after the last)."""
    words = _WORD.findall(text)
    before = len(_WORD.findall(text[:start]))
    inside = len(_WORD.findall(text[start:end]))
    return (before + inside / 2) / max(1, len(words))


def nouns_near(target: str, where: float, morph: Morphology, k: int | None = SHORTLIST) -> list[str]:
    """The `k` nouns of `target` (all of them where `k` is None) nearest the place `where` (from `place_in`)
    a term holds in the source, nearest first.

    A small model asked to pick from every run of words of a long sentence often names the wrong noun. Technical
    prose keeps most nouns near their place in the source, so a one-word noun term's rendering is one of the few
    nouns around that place: offered only those, the model picks among plausible words, not among all of them.
    """
    safe = set(span_choices(target, 1))
    words = _unmasked_words(target)
    nouns = [
        (abs((i + 0.5) / len(words) - where), i, w.group())
        for i, w in enumerate(words)
        if w.group() in safe and morph.is_noun(w.group())
    ]
    return list(dict.fromkeys(w for _, _, w in sorted(nouns)[:k]))


def span_limit(target: str, expected: str) -> int:
    """The longest rendering `plausible_span` accepts for `expected` in `target`, in words."""
    return min(2 * len(_WORD.findall(expected)) + 2, max(2, len(_WORD.findall(target)) // 2))


def plausible_span(target: str, words: str, expected: str) -> bool:
    """A located rendering is term-sized: a model that names half the sentence has not located anything."""
    return 0 < len(_WORD.findall(words)) <= span_limit(target, expected)
