"""restore(protect(x)) == x for every string, and masks hide every markup unit from the model."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.markup import find_markup, masks_in, protect, repair_masks, restore, validate

_WORDS = st.sampled_from(
    ["Save", "the", "file", " ", "  ", "50%", "&", "<", ">", "{", "}", "⟦", "⟧", "1,5", "é"]
)
_UNITS = st.sampled_from(
    [
        '<x id="1"/>',
        '<ph id="2">&lt;br/&gt;</ph>',
        '<bpt id="3">&lt;b&gt;</bpt>',
        '<ept id="3">&lt;/b&gt;</ept>',
        "%s",
        "%1$d",
        "%.2f",
        "%%",
        "%(name)s",
        "{0}",
        "{name}",
        "{{var}}",
        "${var}",
        "{n, plural, one {# item} other {# items}}",
        "&amp;",
        "⟦1⟧",
    ]
)


@st.composite
def marked_up(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 5))):
        choice = draw(st.integers(0, 3 if depth < 2 else 2))
        if choice == 0:
            parts.append(draw(_WORDS))
        elif choice in (1, 2):
            parts.append(draw(_UNITS))
        else:
            name, ident = draw(
                st.sampled_from([("g", ' id="1"'), ("g", ' id="2"'), ("b", ""), ("pc", ' id="5"')])
            )
            parts.append(f"<{name}{ident}>{draw(marked_up(depth + 1))}</{name}>")
    return "".join(parts)


@given(st.text(), st.lists(st.text(min_size=1, max_size=5), max_size=3))
def test_round_trip_on_any_text(text: str, dnt: list[str]) -> None:
    p = protect(text, dnt)
    assert restore(p.masked, p) == text


@settings(max_examples=300)
@given(marked_up(), st.lists(st.sampled_from(["Save", "file", "é"]), max_size=2))
def test_round_trip_and_full_masking_on_marked_up_text(text: str, dnt: list[str]) -> None:
    p = protect(text, dnt)
    assert restore(p.masked, p) == text
    # Nothing the model sees is still markup, and every unit has exactly one mask. (Masks read as they are:
    # blanked to " ", `<Save⟦>` would become a tag `<Save >` that nobody sees.)
    assert find_markup(p.masked) == []
    assert masks_in(p.masked) == [t.token for t in p.tokens]
    assert validate(text, text) == []


@given(marked_up(), st.randoms(use_true_random=False))
def test_repair_restores_exactly_the_source_masks(text: str, rnd: object) -> None:
    import random

    assert isinstance(rnd, random.Random)
    masked = protect(text).masked
    masks = masks_in(masked)
    kept = [m for m in masks if rnd.random() < 0.5] + ["⟦99⟧"]
    rnd.shuffle(kept)
    output = " word ".join(kept)
    assert sorted(masks_in(repair_masks(masked, output))) == sorted(masks)
