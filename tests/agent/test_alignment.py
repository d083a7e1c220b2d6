"""Lost tag pairs placed by word alignment learned from the job's own segments (EUR-Lex markup set, CC BY 4.0)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agent import InMemoryResultCache, Lexicon, Segment, Status, job_lexicon
from agent.alignment import SURE_LINK, keyed_whole, learn_lexicon, project, rendering
from agent.editor import PostEditor
from agent.protection import MAX_ALIGNMENT_PAIRS, MIN_ALIGNMENT_PAIRS, mask_segment
from agent.types import EditOptions


def _untagged(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)


@pytest.fixture(scope="module")
def eurlex_de(shared_data: Path) -> list[tuple[str, str]]:
    """(English with tags, German reference with tags) of both markup files."""
    files = sorted((shared_data / "markup").glob("mt-markup-tags.*.dev.jsonl"))
    rows = [json.loads(line) for f in files for line in f.open(encoding="utf-8")]
    return [(r["en"], r["de"]) for r in rows if r.get("de")]


@pytest.fixture(scope="module")
def lexicon_de(eurlex_de: list[tuple[str, str]]) -> Lexicon:
    """What a job of these segments learns: its sources and its MT (here the references without tags)."""
    lexicon = job_lexicon((src, _untagged(ref)) for src, ref in eurlex_de)
    assert lexicon is not None
    return lexicon


def test_the_job_teaches_the_words_tags_mark(lexicon_de: Lexicon) -> None:
    assert lexicon_de.pairs > 2000
    for en, de in [("four", "vier"), ("data", "daten"), ("research", "forschung"), ("since", "seit")]:
        assert lexicon_de.link(en, de) >= SURE_LINK, (en, de)
    # Function words that co-occur with everything are no translation of a content word.
    assert lexicon_de.link("government", "des") < 0.05
    assert lexicon_de.link("2019", "2019") == 1.0  # numbers are their own translation


def test_a_lost_pair_goes_around_the_word_that_translates_it(
    eurlex_de: list[tuple[str, str]], lexicon_de: Lexicon
) -> None:
    src = (
        "No specific rules on this point could be identified in the legislation of "
        '<g id="1">four</g> Member States.'
    )
    ref = next(r for s, r in eurlex_de if s == src)
    assert ref == (
        'In den Rechtsvorschriften von <g id="1">vier</g> Mitgliedstaaten konnten keine spezifischen '
        "Vorschriften zu diesem Punkt festgestellt werden."
    )
    alone, masked = mask_segment(src, _untagged(ref))
    assert masked is not None
    output, guessed = alone.unmask_placed(masked)
    assert output != ref and guessed  # by position: wrong, and said to be a guess

    masks, masked = mask_segment(src, _untagged(ref), lexicon=lexicon_de)
    assert masked is not None
    assert masks.unmask_placed(masked) == (ref, ())  # by alignment: right, and sure


def test_a_pair_whose_words_the_job_never_saw_is_still_flagged(lexicon_de: Lexicon) -> None:
    masks, masked = mask_segment(
        'Open the <g id="1">frobnicator</g> first.', "Öffnen Sie zuerst den Quirlomaten.", lexicon=lexicon_de
    )
    assert masked is not None
    output, guessed = masks.unmask_placed(masked)
    assert output.count('<g id="1">') == 1 and output.count("</g>") == 1
    assert guessed == ('<g id="1">', "</g>")


def test_projection_is_unsure_when_a_word_between_renders_something_outside() -> None:
    lexicon = learn_lexicon(
        [("red car", "rotes Auto"), ("red house", "rotes Haus"), ("car house", "Auto Haus")] * 5
    )
    both = project(lexicon, ["red", "car"], range(0, 1), ["rotes", "auto"])
    assert both is not None and (both.first, both.last, both.sure) == (0, 0, True)
    # "Auto" renders "car", which lies outside the pair: the span stops before it.
    crossed = project(lexicon, ["red", "car", "house"], range(0, 3, 2), ["rotes", "auto", "haus"])
    assert crossed is not None and not crossed.sure


def test_no_lexicon_from_a_small_job_or_one_without_tag_pairs(eurlex_de: list[tuple[str, str]]) -> None:
    tagged = [(s, _untagged(r)) for s, r in eurlex_de if "</g>" in s]
    assert job_lexicon(tagged[: MIN_ALIGNMENT_PAIRS - 1]) is None  # chance co-occurrences, not translations
    plain = [(_untagged(s), _untagged(r)) for s, r in eurlex_de]
    assert job_lexicon(plain) is None  # nothing to place
    with_terms = job_lexicon(plain[:200], terms=True)  # a term repair's replaced words to confirm
    assert with_terms is not None and with_terms.link("four", "vier") >= SURE_LINK
    assert job_lexicon([(s, None) for s, _ in tagged]) is None  # no MT: nothing to learn from


async def test_a_batch_places_its_lost_tags_by_what_it_learned(eurlex_de: list[tuple[str, str]]) -> None:
    """`edit_many` learns the alignment from its own segments: the row whose MT lost its tags comes back as
    the reference, `edited`, with no review finding, and no model is involved."""
    batch = eurlex_de[-286:]  # the glossary file: 286 segments
    target = next(i for i, (s, _) in enumerate(batch) if '<g id="1">four</g>' in s)
    segments = [
        Segment(str(i), src, _untagged(ref) if i == target else ref) for i, (src, ref) in enumerate(batch)
    ]
    results = {r.id: r async for r in PostEditor(None).edit_many(segments, EditOptions("en", "de"))}
    got = results[str(target)]
    assert got.output == batch[target][1]
    assert got.status is Status.EDITED
    assert not [v for v in got.violations if v.code == "tag-placement-unverified"]

    alone = await PostEditor(None).edit(segments[target], EditOptions("en", "de"))
    assert alone.status is Status.NEEDS_REVIEW  # the same row alone: a guessed place, flagged


def test_a_place_found_through_a_shared_key_is_no_proof() -> None:
    """Words are known by their first six letters: `negyedévében` ("in the quarter") shares `negyedik`'s
    ("fourth") key, and a hyphenated compound holds more than the word; a tag placed by them is flagged."""
    assert keyed_whole("vier") and keyed_whole("Forschung")
    assert not keyed_whole("negyedévében")
    assert not keyed_whole("kutatás-fejlesztési")


def test_a_large_job_learns_from_a_sample_with_its_tagged_segments_first(
    eurlex_de: list[tuple[str, str]],
) -> None:
    pairs = [(src, _untagged(ref)) for src, ref in eurlex_de] * 2  # 4,340 pairs
    lexicon = job_lexicon(pairs)
    assert (
        lexicon is not None and MAX_ALIGNMENT_PAIRS - 10 <= lexicon.pairs <= MAX_ALIGNMENT_PAIRS
    )  # wordless rows drop
    assert lexicon.link("four", "vier") >= SURE_LINK  # the tagged rows' words are learned


@pytest.mark.parametrize(
    "row", ["Customs duties on products imported", "These dimensions, which are closely"]
)
def test_a_pair_that_closes_after_a_full_stop_takes_the_translations_full_stop(
    eurlex_de: list[tuple[str, str]], lexicon_de: Lexicon, row: str
) -> None:
    src, ref = next((s, r) for s, r in eurlex_de if row in s)
    masks, masked = mask_segment(src, _untagged(ref), lexicon=lexicon_de)
    assert masked is not None
    output, _ = masks.unmask_placed(masked)
    assert re.sub(r"\s+", "", output) == re.sub(
        r"\s+", "", ref
    )  # `Zuckerabgaben.</g>`, not `Zuckerabgaben</g>.`


@pytest.mark.parametrize(
    "row",
    [
        # A tag on one part of a hyphenated compound (`BIP-<g>Wachstum</g>` for "GDP <g>growth</g>").
        'potential GDP <g id="1">growth</g>',
        # `the` is written twice: the one nearer the diagonal renders `die` (not `the procedures`).
        '<g id="2">the management of preferential tariff measures</g>',
        # `en` taken by another `in`, inside the phrase, is the aligner's slip (`valeur en douane`).
        '<g id="2">the control strategy in the field of customs value</g>',
    ],
)
def test_phrases_and_compound_parts_are_placed_as_the_reference_has_them(
    shared_data: Path, lexicon_de: Lexicon, row: str
) -> None:
    files = sorted((shared_data / "markup").glob("mt-markup-tags.*.dev.jsonl"))
    rows = [json.loads(line) for f in files for line in f.open(encoding="utf-8")]
    src, ref, lexicon = next((r["en"], r["de"], lexicon_de) for r in rows if row in r["en"])
    if "customs value" in row:  # a French reference: its own job
        ref = next(r["fr"] for r in rows if row in r["en"])
        lexicon = job_lexicon((r["en"], _untagged(r.get("fr") or "")) for r in rows)
    masks, masked = mask_segment(src, _untagged(ref), lexicon=lexicon)
    assert masked is not None
    output, _ = masks.unmask_placed(masked)
    assert re.sub(r"\s+", "", output) == re.sub(r"\s+", "", ref)


async def test_a_result_placed_without_the_jobs_alignment_is_not_served_to_the_job(
    eurlex_de: list[tuple[str, str]], lexicon_de: Lexicon
) -> None:
    src, ref = next((s, r) for s, r in eurlex_de if '<g id="1">four</g>' in s)
    segment = Segment("1", src, _untagged(ref))
    editor = PostEditor(None, cache=InMemoryResultCache())
    alone = await editor.edit(segment, EditOptions("en", "de"))
    assert alone.status is Status.NEEDS_REVIEW  # a guessed place, now in the cache
    in_job = await editor.edit(segment, EditOptions("en", "de"), lexicon=lexicon_de)
    assert in_job.output == ref and in_job.status is Status.EDITED  # not the cached guess
    again = await editor.edit(segment, EditOptions("en", "de"), lexicon=lexicon_de)
    assert again.output == ref and any(t.step == "cache" for t in again.trace)
    # An untagged segment is placed the same with any alignment: the job shares its cached result.
    plain = Segment("2", "Four Member States.", "Vier Mitgliedstaaten.")
    await editor.edit(plain, EditOptions("en", "de"))
    shared = await editor.edit(plain, EditOptions("en", "de"), lexicon=lexicon_de)
    assert any(t.step == "cache" for t in shared.trace)


def test_the_jobs_rendering_of_a_term_is_found_once_or_not_at_all() -> None:
    job = learn_lexicon(
        [
            ("Open the settings.", "Öffnen Sie die Optionen."),
            ("Open the file.", "Öffnen Sie die Datei."),
            ("Save the settings.", "Speichern Sie die Optionen."),
            ("Save the file.", "Speichern Sie die Datei."),
        ]
        * 3
    )
    target = "Speichern Sie die Optionen."
    span = rendering(job, "settings", "Save the settings.", target)
    assert span is not None and target[span[0] : span[1]] == "Optionen"
    twice = "Optionen oder Datei oder Optionen"
    assert rendering(job, "settings", "settings or file or settings", twice) is None  # two places: unsure
    assert rendering(job, "window", "Save the window.", target) is None  # never seen
    # A phrase whose words are not all rendered in the run is not found: part of it is no rendering.
    assert rendering(job, "file settings", "Save the file settings.", target) is None
