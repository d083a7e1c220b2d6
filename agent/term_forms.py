"""The form a model gave a term it had to add to a draft, read against the words around it.

The draft's pattern admits every form of the term's lexeme, so that the model can inflect it; which one it
picks, nothing else checks. Where the morphology layer can tell that the form contradicts the word before it
(a preposition's case, a quantity's genitive, an adjective's agreement) or the source's number, the term
takes the one form that fits, if exactly one does, and the draft carries `term-form-unverified` either way:
a linguist looks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from agent.violations import Code, Severity, Violation
from glossaries.morphology import Morphology, morphology, primary_lang

__all__ = ["refit_terms"]


def _plural(phrase: str, source_lang: str) -> bool | None:
    """Does the source say the thing is plural? English only: a last word in -s that the lemmatiser
    takes back to its singular (`droplets`, `studies`; not `news`, `virus`)."""
    last = phrase.split()[-1].casefold() if phrase.split() else ""
    if primary_lang(source_lang) != "en" or not last.isalpha():
        return None
    singular = morphology("en").lemmas(last)[0]
    return last.endswith("s") and singular != last and last.startswith(singular[:-1])


def refit_terms(
    text: str, problems: Sequence[Violation], matches: Sequence[Any], source_lang: str, target_lang: str
) -> tuple[str, list[Violation]]:
    """`text` with each term the draft had to add (`problems`' missing terms) that it wrote in a form its
    neighbours or the source's number contradict put in the one form that fits them, where exactly one
    does (`больше капли` -> `больше капель` for "more droplets"), and a `term-form-unverified` warning on
    each such term, refitted or not: the rule read the word before it, not the sentence."""
    morph = morphology(target_lang)
    phrase_of = {m.entry.id: m.text for m in matches}
    edits = [
        edit
        for v in problems
        if v.code == Code.TERM_MISSING and v.expected and v.entry_id in phrase_of
        if (edit := _refit(morph, text, v.expected, _plural(phrase_of[v.entry_id], source_lang)))
    ]
    return _applied(text, edits)


_Edit = tuple[int, int, str, str]  # start, end, the words to put there, why


def _refit(morph: Morphology, text: str, term: str, plural: bool | None) -> _Edit | None:
    """The term's form in `text`, if its neighbours contradict it: the one form that fits them, or as is."""
    forms = sorted(morph.forms(term), key=len, reverse=True)
    found = re.search(r"(?<!\w)(?:" + "|".join(map(re.escape, forms)) + r")(?!\w)", text, re.IGNORECASE)
    if found is None:
        return None
    written, before = found.group(), text[: found.start()]
    if morph.fits(before, written, term, plural) is not False:
        return None
    size = len(written.split())
    fitting = {
        f.casefold(): f for f in forms if len(f.split()) == size and morph.fits(before, f, term, plural)
    }
    if len(fitting) != 1:
        why = f"'{written}' may not fit the words before it or the source's number: check its case and number"
        return found.start(), found.end(), written, why
    (new,) = fitting.values()
    new = new[:1].upper() + new[1:] if written[:1].isupper() else new
    why = f"'{written}' did not fit the words before it or the source's number; '{new}', the one form that does, "
    return found.start(), found.end(), new, why + "took its place: check it"


def _applied(text: str, edits: Sequence[_Edit]) -> tuple[str, list[Violation]]:
    """The text with the edits made, left to right, and a warning on each."""
    out, shift, flags = text, 0, list[Violation]()
    for start, end, new, why in sorted(edits):
        at = start + shift
        if flags and at < (flags[-1].end or 0):
            continue  # two terms found the same words: the first stands
        out = out[:at] + new + out[at + end - start :]
        flags.append(
            Violation(
                Code.TERM_FORM_UNVERIFIED, Severity.WARNING, why, start=at, end=at + len(new), expected=new
            )
        )
        shift += len(new) - (end - start)
    return out, flags
