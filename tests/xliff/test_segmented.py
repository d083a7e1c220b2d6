"""Segmented XLIFF 1.2 (Trados SDLXLIFF, Okapi): one unit per `<mrk mtype="seg">`, markers kept on write."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from formats.xliff import TargetUpdate, XliffUnit, parse_xliff, write_xliff
from tests.xliff.conftest import DATA

SDL = "segmented.sdlxliff"
OKAPI = "segmented-okapi.xlf"
SDL_UNIT_A = "8c5b6e1a-3f2d-4c1e-9a7b-0d2e4f6a8b10"  # mid 1 Draft, mid 2 ApprovedTranslation
SDL_UNIT_B = "1f0e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"  # mids 3, 4, no <target>
SDL_UNIT_C = "c3a1f5e7-9b2d-4f60-8e1a-7c9d0b2e4f61"  # mid 5 locked, mid 6 Translated, inside <g id="8">
TRANS_UNIT = re.compile(rb"<trans-unit[ >].*?</trans-unit>", re.S)


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def by_id(data: bytes) -> dict[str, XliffUnit]:
    return {u.id: u for u in parse_xliff(data).units}


def trans_units(data: bytes) -> dict[str, etree._Element]:
    return {tu.get("id"): tu for tu in etree.fromstring(data).iter("{*}trans-unit")}


def mrks(el: etree._Element | None) -> dict[str, etree._Element]:
    found = [] if el is None else el.iter("{*}mrk")
    return {m.get("mid"): m for m in found if m.get("mtype") == "seg"}


def xml(el: etree._Element | None) -> bytes:
    return b"" if el is None else etree.tostring(el)  # with its tail: the text between segments counts


def content(el: etree._Element | None) -> str:
    """What is between the element's tags, namespace declarations dropped."""
    text = "" if el is None else etree.tostring(el, encoding="unicode", with_tail=False)
    return re.sub(r' xmlns(:\w+)?="[^"]*"', "", text[text.index(">") + 1 : text.rindex("<")])


def sdl_seg(tu: etree._Element, mid: str) -> etree._Element:
    return next(s for s in tu.iter("{*}seg") if s.get("id") == mid)


def test_sdlxliff_lists_one_unit_per_segment_with_its_status() -> None:
    doc = parse_xliff(load(SDL))
    assert (doc.version, doc.source_lang, doc.target_lang) == ("1.2", "en-US", "de-DE")
    units = {u.id: u for u in doc.units}
    assert list(units) == [
        f"{SDL_UNIT_A}/1",
        f"{SDL_UNIT_A}/2",
        f"{SDL_UNIT_B}/3",
        f"{SDL_UNIT_B}/4",
        f"{SDL_UNIT_C}/5",
        f"{SDL_UNIT_C}/6",
        "0b9e8d7c-6a5f-4e3d-2c1b-a09f8e7d6c5b",
    ]
    first = units[f"{SDL_UNIT_A}/1"]
    assert first.source == 'Open the <g id="5">Settings</g> dialog.'
    assert first.target == 'Öffnen Sie das Dialogfeld <g id="5">Einstellungen</g>.'
    assert units[f"{SDL_UNIT_A}/2"].source == 'Click <x id="6"/>Save to keep your changes.'
    assert units[f"{SDL_UNIT_B}/3"].target is None and units[f"{SDL_UNIT_B}/3"].editable
    assert (
        units[f"{SDL_UNIT_C}/6"].source == "Release notes follow."
    )  # the <g> around both segments is outside
    assert units[f"{SDL_UNIT_C}/6"].target == "Versionshinweise folgen."
    assert {u.id: u.skip_reason for u in doc.units if not u.editable} == {
        f"{SDL_UNIT_A}/2": "approved",
        f"{SDL_UNIT_C}/5": "locked",
        "0b9e8d7c-6a5f-4e3d-2c1b-a09f8e7d6c5b": "translate=no",
    }
    assert not any("mrk" in u.source or "mrk" in (u.target or "") for u in doc.units)
    assert len({u.key for u in doc.units}) == len(doc.units)


def test_okapi_segments_single_segment_ids_and_unsegmented_units() -> None:
    units = by_id(load(OKAPI))
    assert list(units) == ["tu1/0", "tu1/1", "tu2/0", "tu2/1", "tu3", "tu4/0", "tu4/1", "tu5"]
    assert units["tu1/1"].source == 'Then choose <x id="2"/>Export.'
    assert units["tu1/1"].target == 'Choisissez ensuite <x id="2"/>Exporter.'
    assert units["tu1/0"].notes == units["tu1/1"].notes == ("Help page intro",)
    assert units["tu3"].source == "A single sentence."  # one segment: the unit's own id
    assert units["tu4/1"].target is None  # the target lacks mid 1
    assert units["tu5"].source == "An unsegmented unit." and units["tu5"].target == "Une unité non segmentée."
    assert all(u.editable for u in units.values())


def test_roundtrip_changes_only_the_written_segments() -> None:
    data = load(SDL)
    units = by_id(data)
    written = {
        f"{SDL_UNIT_A}/1": 'Öffnen Sie den Dialog <g id="5">Einstellungen</g>.',
        f"{SDL_UNIT_B}/3": 'Starten Sie die <g id="7">Anwendung</g> neu.',
        f"{SDL_UNIT_C}/6": "Es folgen die Versionshinweise.",
    }
    out = write_xliff(data, {units[i].key: TargetUpdate(text) for i, text in written.items()})

    again = parse_xliff(out)
    assert [u.key for u in again.units] == [u.key for u in units.values()]
    created = {f"{SDL_UNIT_B}/4": ""}  # the new <target> of unit B has every segment, this one empty
    for unit in again.units:
        assert unit.source == units[unit.id].source
        assert unit.target == written.get(unit.id, created.get(unit.id, units[unit.id].target))

    before, after = trans_units(data), trans_units(out)
    for tid, old in before.items():
        new = after[tid]
        assert xml(new.find("{*}source")) == xml(old.find("{*}source"))
        assert xml(new.find("{*}seg-source")) == xml(old.find("{*}seg-source"))
        source_mids = list(mrks(new.find("{*}seg-source")))
        if old.find("{*}target") is not None:
            assert list(mrks(new.find("{*}target"))) == source_mids  # every segment marker survives
        for mid, mrk in mrks(old.find("{*}target")).items():
            if f"{tid}/{mid}" not in written:
                assert xml(mrks(new.find("{*}target"))[mid]) == xml(mrk)
        for mid in source_mids:
            if f"{tid}/{mid}" not in written:
                assert xml(sdl_seg(new, mid)) == xml(sdl_seg(old, mid))
    assert content(after[SDL_UNIT_C].find("{*}target")) == (
        '<g id="8"><mrk mtype="seg" mid="5">ACME Cloud 4.2.</mrk> '
        '<mrk mtype="seg" mid="6">Es folgen die Versionshinweise.</mrk></g>'
    )

    old_units, new_units = TRANS_UNIT.findall(data), TRANS_UNIT.findall(out)
    assert [n == o for o, n in zip(old_units, new_units, strict=True)] == [False, False, False, True]
    assert out.startswith(data[: data.index(old_units[0])])  # BOM, header, skeleton: byte-identical
    assert out.endswith(data[data.index(old_units[2]) + len(old_units[2]) :])
    assert (
        out[out.index(new_units[0]) + len(new_units[0]) : out.index(new_units[1])]
        == (data[data.index(old_units[0]) + len(old_units[0]) : data.index(old_units[1])])
    )


@pytest.mark.parametrize("name", [SDL, OKAPI])
def test_no_updates_returns_the_same_bytes(name: str) -> None:
    assert write_xliff(load(name), {}) == load(name)


def test_locked_and_approved_segments_never_change() -> None:
    data = load(SDL)
    frozen = [u for u in parse_xliff(data).units if not u.editable]
    assert {u.skip_reason for u in frozen} == {"locked", "approved", "translate=no"}
    assert write_xliff(data, {u.key: TargetUpdate("Überschrieben") for u in frozen}) == data


@pytest.mark.parametrize(("review", "conf"), [(False, "Translated"), (True, "Draft")])
def test_an_edited_sdl_segment_is_machine_output_as_trados_records_it(review: bool, conf: str) -> None:
    """Trados reads `conf` and `origin`: the TM match it held (87%) goes to `<sdl:prev-origin>`; the
    segment is now `origin="mt"` without a match percentage, so Studio does not show it as a TM match."""
    data = load(SDL)
    unit = by_id(data)[f"{SDL_UNIT_C}/6"]
    out = write_xliff(data, {unit.key: TargetUpdate("Es folgen die Versionshinweise.", needs_review=review)})
    tu = trans_units(out)[SDL_UNIT_C]
    seg = sdl_seg(tu, "6")
    assert dict(seg.attrib) == {"id": "6", "conf": conf, "origin": "mt", "origin-system": "postedit"}
    assert [dict(p.attrib) for p in seg] == [
        {"origin": "tm", "origin-system": "Main TM", "percent": "87"}
    ]  # sdl:prev-origin, what the segment held before
    assert xml(sdl_seg(tu, "5")) == xml(sdl_seg(trans_units(data)[SDL_UNIT_C], "5"))  # the locked one
    target = tu.find("{*}target")
    assert target is not None and target.get("state") is None  # Trados reads conf, not state


@pytest.mark.parametrize(("review", "conf"), [(False, "Translated"), (True, "Draft")])
def test_an_unchanged_sdl_segment_keeps_its_origin_and_is_never_promoted(review: bool, conf: str) -> None:
    """The agent found the TM match fine (or flagged it): the text stays, so does its origin; a finding
    can only send a Translated segment back to Draft."""
    data = load(SDL)
    unit = by_id(data)[f"{SDL_UNIT_C}/6"]
    out = write_xliff(data, {unit.key: TargetUpdate(unit.target or "", needs_review=review)})
    seg = sdl_seg(trans_units(out)[SDL_UNIT_C], "6")
    assert dict(seg.attrib) == {
        "id": "6",
        "conf": conf,
        "origin": "tm",
        "origin-system": "Main TM",
        "percent": "87",
    }
    if not review:
        assert out == data


def test_an_unchanged_draft_sdl_segment_stays_draft() -> None:
    data = load(SDL)
    unit = by_id(data)[f"{SDL_UNIT_A}/1"]  # Draft, origin mt
    assert write_xliff(data, {unit.key: TargetUpdate(unit.target or "")}) == data


@pytest.mark.parametrize("updates_first", ["tu1/0", "tu1/1"])
@pytest.mark.parametrize("reviewed", ["tu1/0", "tu1/1"])
def test_okapi_unit_needs_review_when_any_segment_does(reviewed: str, updates_first: str) -> None:
    data = load(OKAPI)
    units = by_id(data)
    order = [updates_first, *(i for i in ("tu1/0", "tu1/1") if i != updates_first)]
    updates = {units[i].key: TargetUpdate(units[i].target or "", needs_review=i == reviewed) for i in order}
    target = trans_units(write_xliff(data, updates))["tu1"].find("{*}target")
    assert target is not None and target.get("state") == "needs-review-translation"


def test_okapi_unit_is_translated_when_every_written_segment_is_fine() -> None:
    data = load(OKAPI)
    units = by_id(data)
    out = write_xliff(data, {units[i].key: TargetUpdate(f"{units[i].target} ✓") for i in ("tu1/0", "tu1/1")})
    target = trans_units(out)["tu1"].find("{*}target")
    assert target is not None and target.get("state") == "translated"


def test_notes_of_every_segment_survive_prefixed_with_the_mid() -> None:
    name, ids = OKAPI, ("tu1/0", "tu1/1")
    data = load(name)
    units = by_id(data)

    def run(data: bytes, finding: str) -> bytes:
        return write_xliff(
            data,
            {
                units[i].key: TargetUpdate(units[i].target or units[i].source, notes=(f"{finding} {i}",))
                for i in ids
            },
        )

    out = run(run(data, "error [term]:"), "warning [len]:")
    tid, first_mid = ids[0].split("/")
    second_mid = ids[1].split("/")[1]
    notes = [n.text for n in trans_units(out)[tid].iter("{*}note")]
    postedit = [n.text for n in trans_units(out)[tid].iter("{*}note") if n.get("from") == "postedit"]
    assert postedit == [f"[{first_mid}] warning [len]: {ids[0]}", f"[{second_mid}] warning [len]: {ids[1]}"]
    assert "Help page intro" in notes  # the translator's note stays


def test_sdlxliff_gets_no_notes_only_a_draft_status() -> None:
    """Trados shows its own comments, not XLIFF notes (and a note after `<sdl:seg-defs>` breaks the
    XSD): a finding on a Trados segment is its Draft status."""
    data = load(SDL)
    units = by_id(data)
    ids = (f"{SDL_UNIT_B}/3", f"{SDL_UNIT_B}/4")
    out = write_xliff(
        data, {units[i].key: TargetUpdate("Neu.", needs_review=True, notes=("error [term]: x",)) for i in ids}
    )
    tu = trans_units(out)[SDL_UNIT_B]
    assert list(tu.iter("{*}note")) == []
    assert [sdl_seg(tu, mid).get("conf") for mid in ("3", "4")] == ["Draft", "Draft"]


def test_rewriting_one_segment_keeps_the_other_segments_notes() -> None:
    """A linguist re-runs one sentence: the findings on its neighbour still describe the neighbour."""
    data = load(OKAPI)
    units = by_id(data)
    first = write_xliff(
        data,
        {
            units[i].key: TargetUpdate(units[i].source, notes=(f"error [term]: {i}",))
            for i in ("tu1/0", "tu1/1")
        },
    )
    again = write_xliff(first, {units["tu1/1"].key: TargetUpdate("Encore.", notes=("warning [len]: new",))})
    postedit = [n.text for n in trans_units(again)["tu1"].iter("{*}note") if n.get("from") == "postedit"]
    assert postedit == ["[0] error [term]: tu1/0", "[1] warning [len]: new"]


def test_single_segment_notes_have_no_prefix() -> None:
    data = load(OKAPI)
    unit = by_id(data)["tu3"]
    out = write_xliff(data, {unit.key: TargetUpdate("Une phrase.", notes=("warning [len]: y",))})
    assert [n.text for n in trans_units(out)["tu3"].iter("{*}note")] == ["warning [len]: y"]


@pytest.mark.parametrize(("name", "tid", "lang"), [(SDL, SDL_UNIT_B, "de-DE"), (OKAPI, "tu2", "fr")])
def test_a_unit_without_target_gets_every_segment_in_seg_source_order(name: str, tid: str, lang: str) -> None:
    data = load(name)
    units = [u for u in parse_xliff(data).units if u.id.startswith(f"{tid}/")]
    last = units[-1]
    out = write_xliff(data, {last.key: TargetUpdate("Letzter Satz.")})
    tu = trans_units(out)[tid]
    seg_source, target = tu.find("{*}seg-source"), tu.find("{*}target")
    assert seg_source is not None and target is not None
    assert seg_source.getnext() is target
    assert target.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
    assert list(mrks(target)) == list(mrks(seg_source))
    assert [m.text for m in mrks(target).values()] == [None] * (len(units) - 1) + ["Letzter Satz."]
    assert [m.tail for m in mrks(target).values()] == [
        m.tail for m in mrks(seg_source).values()
    ]  # the spaces
    again = {u.key: u for u in parse_xliff(out).units}
    assert again[last.key].target == "Letzter Satz." and again[units[0].key].target == ""


def test_a_missing_segment_is_appended_to_an_existing_target() -> None:
    data = load(OKAPI)
    unit = by_id(data)["tu4/1"]
    out = write_xliff(data, {unit.key: TargetUpdate("La boîte de dialogue se ferme.")})
    target = trans_units(out)["tu4"].find("{*}target")
    assert target is not None
    assert target.get("state") == "translated"
    assert content(target) == (
        '<mrk mid="0" mtype="seg">Appuyez sur <g id="3">Entrée</g>.</mrk> '
        '<mrk mid="1" mtype="seg">La boîte de dialogue se ferme.</mrk>'
    )


def test_malformed_segment_text_keeps_the_old_segment_and_flags_review() -> None:
    data = load(SDL)
    unit = by_id(data)[f"{SDL_UNIT_A}/1"]
    out = write_xliff(data, {unit.key: TargetUpdate('Öffnen <g id="5">kaputt')})
    assert by_id(out)[f"{SDL_UNIT_A}/1"].target == unit.target
    tu = trans_units(out)[SDL_UNIT_A]
    assert sdl_seg(tu, "1").get("conf") == "Draft"
    assert sdl_seg(tu, "1").get("origin") == "mt"  # it was; nothing was written, so nothing else changes


UNSEGMENTED_TARGETS = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="a.html" source-language="en" target-language="fr" datatype="html"><body>
<trans-unit id="one"><source>Save your work.</source>
<seg-source><mrk mid="0" mtype="seg">Save your work.</mrk></seg-source>
<target xml:lang="fr" state="new">Sauvez votre travail.</target>
</trans-unit>
<trans-unit id="two"><source>Save your work. Close the window.</source>
<seg-source><mrk mid="0" mtype="seg">Save your work.</mrk> <mrk mid="1" mtype="seg">Close the window.</mrk></seg-source>
<target xml:lang="fr" state="new">Sauvez votre travail. Fermez la fenêtre.</target>
</trans-unit>
</body></file></xliff>
""".encode()


def test_an_unsegmented_target_of_one_segment_is_its_mt_and_is_replaced_not_appended_to() -> None:
    unit = by_id(UNSEGMENTED_TARGETS)["one"]
    assert unit.target == "Sauvez votre travail."  # the agent post-edits it instead of translating afresh
    out = write_xliff(UNSEGMENTED_TARGETS, {unit.key: TargetUpdate("Enregistrez votre travail.")})
    target = trans_units(out)["one"].find("{*}target")
    assert content(target) == '<mrk mid="0" mtype="seg">Enregistrez votre travail.</mrk>'
    assert target is not None and target.get("state") == "translated"
    assert target.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"


def test_an_unsegmented_target_of_several_segments_becomes_segmented_on_write() -> None:
    units = [u for u in parse_xliff(UNSEGMENTED_TARGETS).units if u.id.startswith("two/")]
    assert [u.target for u in units] == [None, None]  # its text cannot be split between the segments
    updates = {units[0].key: TargetUpdate("Enregistrez."), units[1].key: TargetUpdate("Fermez.")}
    target = trans_units(write_xliff(UNSEGMENTED_TARGETS, updates))["two"].find("{*}target")
    assert content(target) == (
        '<mrk mid="0" mtype="seg">Enregistrez.</mrk> <mrk mid="1" mtype="seg">Fermez.</mrk>'
    )
