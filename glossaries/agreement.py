"""What the words before a Russian noun ask of its form: the cases a preposition or a quantity word governs,
and the case and number an adjective before it agrees in.

A model that writes a term into a draft may pick any form of it (the draft's pattern admits them all), and
nothing else reads the one it picked: `больше капли` for "more droplets" reads as "more than a droplet".
These tables let the agent say when the form contradicts its neighbours or the source's number; where they
say nothing, nothing is claimed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Context", "fits"]

_GENITIVE = ("для", "без", "до", "из", "от", "у", "около", "после", "вокруг", "среди", "против", "кроме",
             "вместо", "возле", "из-за", "из-под", "мимо", "вдоль", "внутри", "вне", "позади", "ради")  # fmt: skip
GOVERNS: dict[str, frozenset[str]] = {
    **{p: frozenset({"gent"}) for p in _GENITIVE},
    **{p: frozenset({"datv"}) for p in ("к", "ко", "благодаря", "согласно", "вопреки")},
    **{p: frozenset({"accs", "loct"}) for p in ("в", "во", "на")},
    **{p: frozenset({"loct", "accs"}) for p in ("о", "об", "обо")},
    "при": frozenset({"loct"}),
    "по": frozenset({"datv", "loct", "accs"}),
    **{p: frozenset({"gent", "ablt", "accs"}) for p in ("с", "со")},
    **{p: frozenset({"accs", "ablt"}) for p in ("за", "под", "подо")},
    **{p: frozenset({"ablt"}) for p in ("над", "перед", "передо")},
    "между": frozenset({"ablt", "gent"}),
    **{p: frozenset({"accs"}) for p in ("через", "про", "сквозь")},
}
# Words of quantity take the genitive (`больше капель`, `несколько случаев`).
QUANTITY = frozenset(
    {"больше", "меньше", "много", "мало", "немного", "немало", "несколько", "сколько", "столько", "множество",
     "большинство", "количество", "число", "ряд"}
)  # fmt: skip
_SAME_CASE = {"gen1": "gent", "gen2": "gent", "loc1": "loct", "loc2": "loct", "acc2": "accs"}


@dataclass(frozen=True)
class Context:
    """What is known around a term's head noun in a sentence: the word before the term (lower-cased, with
    its hyphens) and its parses, and whether the source says the thing is plural (None: it does not say)."""

    before: str
    before_parses: Sequence[Any]
    plural: bool | None


def _case(parse: Any) -> str | None:
    case = parse.tag.case
    return _SAME_CASE.get(str(case), str(case)) if case else None


def _adjective_readings(parses: Sequence[Any]) -> list[tuple[str, str]] | None:
    """The (case, number) readings of an adjective directly before the term; None if it may be no
    adjective (a noun the term depends on: `случаи пневмонии`)."""
    if not parses or any(
        p.tag.POS not in ("ADJF", "PRTF") for p in parses if p.score >= 0.2 * parses[0].score
    ):
        return None
    return [(c, str(p.tag.number)) for p in parses if (c := _case(p)) and p.tag.number]


def fits(head_parses: Sequence[Any], context: Context) -> bool | None:
    """Can the term's head noun, read as `head_parses` (those of the term's lexeme), stand after
    `context.before` with the source's number? None where nothing around it constrains the form."""
    cases = GOVERNS.get(context.before) or (frozenset({"gent"}) if context.before in QUANTITY else None)
    adjective = None if cases is not None else _adjective_readings(context.before_parses)
    numeral = context.before.isdigit() or any(p.tag.POS == "NUMR" for p in context.before_parses)
    plural = None if numeral else context.plural
    if cases is None and adjective is None and plural is None:
        return None

    def ok(p: Any) -> bool:
        case, number = _case(p), str(p.tag.number) if p.tag.number else None
        if cases is not None and case not in cases:
            return False
        if adjective is not None and (case, number) not in adjective:
            return False
        return not plural or number == "plur" or "Sgtm" in p.tag or "Fixd" in p.tag

    return any(ok(p) for p in head_parses)
