"""Reading and writing XLIFF 1.2 and 2.x: tags kept, untouched parts byte-for-byte, state and notes set."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from formats.xliff import TargetUpdate, XliffError, parse_xliff, write_xliff
from tests.xliff.conftest import DATA

TAG = re.compile(r"<(/?)([\w:]+)([^>]*?)(/?)>")


def tags(markup: str) -> list[str]:
    return sorted(m.group(0) for m in TAG.finditer(markup))


def edited(units: list, suffix: str = " (edited)") -> dict[str, TargetUpdate]:
    return {u.key: TargetUpdate((u.target or u.source) + suffix) for u in units}


def test_units_are_listed_with_markup_text_and_editability() -> None:
    doc = parse_xliff((DATA / "sample12.xlf").read_bytes())
    assert (doc.version, doc.source_lang, doc.target_lang) == ("1.2", "en-US", "de-DE")
    by_id = {u.id: u for u in doc.units}
    assert by_id["1"].source == 'Click <g id="1">Save <x id="2"/> now</g> &amp; wait.'
    assert by_id["1"].notes == ("UI button",)
    assert by_id["2"].target is None and by_id["2"].editable
    assert [(u.id, u.skip_reason) for u in doc.units if not u.editable] == [
        ("3", "translate=no"),
        ("4", "locked"),
        ("5", "translate=no"),
    ]


def test_2x_segments_are_units_and_final_is_locked() -> None:
    doc = parse_xliff((DATA / "sample20.xlf").read_bytes())
    assert (doc.version, doc.source_lang, doc.target_lang) == ("2.1", "en", "fr")
    assert [u.id for u in doc.editable] == ["u1/s1", "u1/s2"]
    assert doc.editable[0].source.startswith(
        'Hello <pc id="1" dataRefStart="d1" dataRefEnd="d2">dear <ph id="2"/>'
    )
    assert {u.id: u.skip_reason for u in doc.units if not u.editable} == {"u2": "translate=no", "u3": "final"}


def test_roundtrip_keeps_every_tag_and_reparses(sample: bytes) -> None:
    doc = parse_xliff(sample)
    out = write_xliff(sample, edited(list(doc.editable)))
    again = parse_xliff(out)
    assert len(again.units) == len(doc.units)
    for before, after in zip(doc.units, again.units, strict=True):
        assert tags(after.source) == tags(before.source)
        if before.editable:
            assert after.target is not None and after.target.endswith(" (edited)")
            assert tags(after.target) == tags(before.target or before.source)
        else:
            assert after.target == before.target


def test_untouched_units_and_skeleton_are_byte_identical(sample: bytes) -> None:
    doc = parse_xliff(sample)
    first = doc.editable[0]
    out = write_xliff(sample, {first.key: TargetUpdate((first.target or first.source) + "!")})
    unit_tag = b"trans-unit" if doc.version == "1.2" else b"unit"
    original_units = re.findall(rb"<" + unit_tag + rb"[ >].*?</" + unit_tag + rb">", sample, re.S)
    output_units = re.findall(rb"<" + unit_tag + rb"[ >].*?</" + unit_tag + rb">", out, re.S)
    assert output_units[0] != original_units[0]
    assert output_units[1:] == original_units[1:]
    head = sample[: sample.index(original_units[0])]
    tail = sample[sample.index(original_units[-1]) :]
    assert out.startswith(head) and out.endswith(tail)


def test_no_updates_returns_the_same_bytes(sample: bytes) -> None:
    assert write_xliff(sample, {}) == sample


def test_locked_and_translate_no_units_are_never_changed(sample: bytes) -> None:
    doc = parse_xliff(sample)
    locked = [u for u in doc.units if not u.editable]
    assert write_xliff(sample, edited(locked)) == sample


@pytest.mark.parametrize(
    ("name", "review", "value"),
    [
        ("sample12.xlf", False, "translated"),
        ("sample12.xlf", True, "needs-review-translation"),
        ("sample20.xlf", False, "translated"),
        ("sample20.xlf", True, "initial"),
    ],
)
def test_an_edit_sets_the_state(name: str, review: bool, value: str) -> None:
    data = (DATA / name).read_bytes()
    unit = parse_xliff(data).editable[0]
    out = write_xliff(data, {unit.key: TargetUpdate((unit.target or unit.source) + "!", needs_review=review)})
    assert state_of(out, name) == value


def state_of(data: bytes, name: str) -> str | None:
    root = etree.fromstring(data)
    holder = root.find(".//{*}target") if name == "sample12.xlf" else root.find(".//{*}segment")
    assert holder is not None
    return holder.get("state")


@pytest.mark.parametrize("name", ["sample12.xlf", "sample20.xlf"])
def test_an_unchanged_target_keeps_its_state_and_the_file_its_bytes(name: str) -> None:
    """A target the agent found fine is not promoted: `initial` stays `initial`, no state appears."""
    data = (DATA / name).read_bytes()
    unit = parse_xliff(data).editable[0]
    assert write_xliff(data, {unit.key: TargetUpdate(unit.target or "")}) == data


@pytest.mark.parametrize(
    ("name", "value"), [("sample12.xlf", "needs-review-translation"), ("sample20.xlf", "initial")]
)
def test_an_unchanged_target_with_findings_goes_to_review_never_up(name: str, value: str) -> None:
    data = (DATA / name).read_bytes()
    unit = parse_xliff(data).editable[0]
    out = write_xliff(data, {unit.key: TargetUpdate(unit.target or "", needs_review=True)})
    assert state_of(out, name) == value
    assert parse_xliff(out).editable[0].target == unit.target


def test_qa_findings_become_notes_and_are_replaced_on_rerun(sample: bytes) -> None:
    unit = parse_xliff(sample).editable[0]
    once = write_xliff(
        sample, {unit.key: TargetUpdate(unit.target or unit.source, notes=("error [term]: x",))}
    )
    twice = write_xliff(
        once, {unit.key: TargetUpdate(unit.target or unit.source, notes=("warning [len]: y",))}
    )
    notes = [n.text for n in etree.fromstring(twice).iter("{*}note")]
    assert any(n and n.endswith("warning [len]: y") for n in notes)
    assert not any(n and "error [term]" in n for n in notes)
    assert any(n in {"UI button", "Greeting on the home page"} for n in notes)  # the translator's note stays


def test_2x_notes_come_before_segments() -> None:
    data = (DATA / "sample20.xlf").read_bytes()
    unit = parse_xliff(data).editable[1]
    out = write_xliff(
        data, {unit.key: TargetUpdate('Appuyez <sc id="3"/>OK<ec startRef="3"/>.', notes=("n",))}
    )
    u1 = etree.fromstring(out).find(".//{*}unit")
    assert u1 is not None
    names = [etree.QName(c).localname for c in u1 if isinstance(c.tag, str)]
    assert names.index("notes") < names.index("segment")


def test_malformed_target_text_keeps_the_old_target_and_flags_review() -> None:
    data = (DATA / "sample12.xlf").read_bytes()
    unit = parse_xliff(data).editable[0]
    out = write_xliff(data, {unit.key: TargetUpdate('Klicken <g id="1">kaputt')})
    again = {u.key: u for u in parse_xliff(out).units}[unit.key]
    assert again.target == unit.target
    assert b"needs-review-translation" in out and b"not well-formed" in out


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="en"><body>
<trans-unit id="1"><source>&c;</source></trans-unit></body></file></xliff>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="en"><body>
<trans-unit id="1"><source>&xxe;</source></trans-unit></body></file></xliff>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE xliff SYSTEM "http://example.com/evil.dtd">
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file><body/></file></xliff>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BILLION_LAUGHS, "entity"),
        (XXE, "entity"),
        (EXTERNAL_DTD, "external DTD"),
        (b"<xliff version='1.2'><file>", "well-formed"),
        (b"<html/>", "not <xliff>"),
        (b'<xliff xmlns="urn:x" version="3.0"/>', "unsupported"),
    ],
)
def test_unsafe_or_broken_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(XliffError, match=message):
        parse_xliff(data)
