"""The form a model gave a term it had to add to a draft, read against the words around it.

The draft's pattern admits every form of the term's lexeme, so that the model can inflect it; which one it
picks, nothing else checks. Where the morphology layer can tell that the form contradicts the word before it
(a preposition's case, a quantity's genitive, an adjective's agreement) or the source's number, the draft
carries `term-form-unverified`, and a linguist looks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from agent.violations import Code, Severity, Violation
from glossaries.morphology import morphology, primary_lang

__all__ = ["misfit_terms"]


def _plural(phrase: str, source_lang: str) -> bool | None:
    """Does the source say the thing is plural? English only: a last word in -s that the lemmatiser
    takes back to its singular (`droplets`, `studies`; not `news`, `virus`)."""
    last = phrase.split()[-1].casefold() if phrase.split() else ""
    if primary_lang(source_lang) != "en" or not last.isalpha():
        return None
    singular = morphology("en").lemmas(last)[0]
    return last.endswith("s") and singular != last and last.startswith(singular[:-1])


def misfit_terms(
    text: str, problems: Sequence[Violation], matches: Sequence[Any], source_lang: str, target_lang: str
) -> list[Violation]:
    """A `term-form-unverified` warning for each term the draft had to add (`problems`' missing terms) that
    it wrote in a form its neighbours or the source's number contradict (`больше капли` for "more droplets")."""
    morph = morphology(target_lang)
    phrase_of = {m.entry.id: m.text for m in matches}
    out: list[Violation] = []
    for v in problems:
        if v.code != Code.TERM_MISSING or not v.expected or v.entry_id not in phrase_of:
            continue
        forms = sorted(morph.forms(v.expected), key=len, reverse=True)
        found = re.search(r"(?<!\w)(?:" + "|".join(map(re.escape, forms)) + r")(?!\w)", text, re.IGNORECASE)
        if found is None:
            continue
        plural = _plural(phrase_of[v.entry_id], source_lang)
        if morph.fits(text[: found.start()], found.group(), v.expected, plural) is False:
            message = (
                f"'{found.group()}' may not fit the words before it or the source's number: check its case "
                "and number"
            )
            out.append(
                Violation(
                    Code.TERM_FORM_UNVERIFIED,
                    Severity.WARNING,
                    message,
                    start=found.start(),
                    end=found.end(),
                    expected=found.group(),
                )
            )
    return out
