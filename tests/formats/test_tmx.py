"""TMX: real memories survive read -> write -> read, translate-toolkit agrees with us in both directions, what
we write is valid TMX 1.4, and a broken or hostile file is refused with its line and what is wrong.
Fixture provenance and licenses: tests/fixtures/tmx/README.md.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from translate.storage.tmx import tmxfile

from formats.tmx import TmxError, TmxHeader, TmxUnit, TmxVariant, read_tmx, seg_plain_text, write_tmx
from formats.xmlsafe import safe_parser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tmx"
REAL = sorted(FIXTURES.glob("*.tmx"))
TICO19_UNITS = 3071  # tests/../shared/data/README.md; `grep -c '<tu '` agrees
INLINE_TAG = re.compile(r"<(bpt|ept|it|ph|hi|ut|sub)\b")

# The element and attribute declarations of the TMX 1.4 DTD (LISA OSCAR, TMX 1.4b specification, section
# "TMX DTD"): what a validating TMX reader checks. Attribute lists are trimmed to what a writer must get
# right: the required ones, the enumerations, and every attribute this writer emits.
TMX14_DTD = """
<!ELEMENT tmx (header, body)>
<!ATTLIST tmx version CDATA #FIXED "1.4">
<!ELEMENT header (note|prop|ude)*>
<!ATTLIST header creationtool CDATA #REQUIRED creationtoolversion CDATA #REQUIRED
  segtype (block|paragraph|sentence|phrase) #REQUIRED o-tmf CDATA #REQUIRED adminlang CDATA #REQUIRED
  srclang CDATA #REQUIRED datatype CDATA #REQUIRED>
<!ELEMENT ude (map+)> <!ELEMENT map EMPTY>
<!ELEMENT body (tu*)>
<!ELEMENT note (#PCDATA)>
<!ELEMENT prop (#PCDATA)> <!ATTLIST prop type CDATA #REQUIRED>
<!ELEMENT tu ((note|prop)*, tuv+)>
<!ATTLIST tu tuid CDATA #IMPLIED creationdate CDATA #IMPLIED creationid CDATA #IMPLIED
  changedate CDATA #IMPLIED changeid CDATA #IMPLIED>
<!ELEMENT tuv ((note|prop)*, seg)> <!ATTLIST tuv xml:lang CDATA #REQUIRED>
<!ELEMENT seg (#PCDATA|bpt|ept|ph|it|hi|ut)*>
<!ELEMENT bpt (#PCDATA|sub)*> <!ATTLIST bpt i CDATA #REQUIRED x CDATA #IMPLIED type CDATA #IMPLIED>
<!ELEMENT ept (#PCDATA|sub)*> <!ATTLIST ept i CDATA #REQUIRED>
<!ELEMENT sub (#PCDATA|bpt|ept|it|ph|hi|ut)*> <!ATTLIST sub datatype CDATA #IMPLIED type CDATA #IMPLIED>
<!ELEMENT it (#PCDATA|sub)*>
<!ATTLIST it pos (begin|end) #REQUIRED x CDATA #IMPLIED type CDATA #IMPLIED>
<!ELEMENT ph (#PCDATA|sub)*> <!ATTLIST ph x CDATA #IMPLIED assoc CDATA #IMPLIED type CDATA #IMPLIED>
<!ELEMENT hi (#PCDATA|bpt|ept|it|ph|hi|ut)*> <!ATTLIST hi x CDATA #IMPLIED type CDATA #IMPLIED>
<!ELEMENT ut (#PCDATA|sub)*> <!ATTLIST ut x CDATA #IMPLIED>
"""

HEADER = (
    '<header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" '
    'srclang="en" datatype="plaintext"/>'
)


def read_all(source: bytes | Path) -> tuple[TmxHeader, list[TmxUnit]]:
    header, units = read_tmx(source)
    return header, list(units)


def written(header: TmxHeader, units: list[TmxUnit]) -> bytes:
    out = io.BytesIO()
    assert write_tmx(header, units, out) == len(units)
    return out.getvalue()


def tmx(body: str, head: str = "", version: str = "1.4") -> bytes:
    """A small TMX file; `head` goes before the root (XML declaration, DOCTYPE)."""
    return f'{head}<tmx version="{version}">\n{HEADER}\n<body>\n{body}</body>\n</tmx>\n'.encode()


@pytest.fixture(scope="module")
def tico19(shared_data: Path) -> Path:
    return shared_data / "tm" / "tico19.en-ru.tmx"


# ---- round trips on real files ----------------------------------------------------------------------


def test_tico19_survives_write_and_read_unit_for_unit(tico19: Path) -> None:
    header, units = read_all(tico19)
    assert len(units) == TICO19_UNITS
    assert (header.srclang, header.segtype, header.creationtool) == ("en", "paragraph", "unknown")
    first = units[0]
    assert first.id == "CMU_1:1"
    assert first.text("en") == "about how long have these symptoms been going on?"
    assert first.text("ru") == "о том, как долго присутствуют эти симптомы?"
    assert first.props == (
        ("note", "http://www.speech.cs.cmu.edu/haitian/text/1600_medical_domain_sentences.en"),
    )
    header2, again = read_all(written(header, units))
    assert header2 == header
    assert again == units


@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_real_files_with_inline_tags_survive_write_and_read(path: Path) -> None:
    header, units = read_all(path)
    data = written(header, units)
    header2, again = read_all(data)
    assert (header2, again) == (header, units)
    # not one inline element lost or added in the file itself
    original = etree.fromstring(path.read_bytes(), safe_parser())
    ours = etree.fromstring(data, safe_parser())
    assert sorted(INLINE_TAG.findall(etree.tostring(ours.find("body"), encoding="unicode"))) == sorted(
        INLINE_TAG.findall(etree.tostring(original.find("body"), encoding="unicode"))
    )


def test_inline_elements_come_out_as_markup_text() -> None:
    """The seg as XML text: elements kept with their attributes, text escaped, whatever quotes the tool used."""
    _, (unit,) = read_all(FIXTURES / "lisa-compliance-kit_ImportTest2C.tmx")
    assert unit.text("en-US") == (
        '<it x="1" pos="begin" type="italic">&lt;I&gt;</it><bpt x="2" i="1" type="bold">&lt;B&gt;</bpt>Click '
        '<ph x="3" type="image" assoc="b">&lt;IMG SRC="here.png" ALT="<sub>Start Here!</sub>"&gt;</ph> to '
        '<hi type="verb" x="4">start</hi>.<ept i="1">&lt;/B&gt;</ept>'
    )
    _, (sdl,) = read_all(FIXTURES / "okapi_okapi-confusion.tmx")
    assert sdl.text("en") == (
        'The <bpt i="1" type="10001" x="2"/>return<ept i="1"/> icon is disabled on the '
        '<bpt i="2" type="10001" x="2"/>HOME<ept i="2"/> screen.'
    )
    _, olifant = read_all(FIXTURES / "okapi_tmxtest-attributes.tmx")
    assert (
        olifant[-1].text("fr")
        == 'Fermer <bpt i="0" x="0">&lt;b&gt;</bpt>l\'application<ept i="0">&lt;/b&gt;</ept>.'
    )
    assert olifant[0].text("en") == "Test char: &amp;=amp, &lt;=lt, '=apos, \"=quot"


def test_notes_props_and_dates_are_read_at_every_level() -> None:
    """A DOCTYPE naming tmx14.dtd, comments, a <ude> and header notes are all taken in stride."""
    header, (unit,) = read_all(FIXTURES / "lisa-compliance-kit_ImportTest2C.tmx")
    assert header == TmxHeader(
        srclang="en-us", adminlang="en-us", creationtool="myTool", creationtoolversion="v10", segtype="block",
        o_tmf="Text", datatype="html",
    )  # fmt: skip
    assert (unit.id, unit.creationdate, unit.creationid, unit.changedate, unit.changeid) == (
        "tu001", "20020523T091200Z", "ys", "20020523T091200Z", "ys",
    )  # fmt: skip
    assert unit.notes == ("Text of tu note 1", "Text of tu note 2")
    assert unit.props == (("myPropeType", "Data"),)
    assert [v.lang for v in unit.variants] == ["en-us", "fr", "en-gb"]
    assert unit.variants[1].notes == ("Text of tuv fr note 1", "Text of tuv fr note 1")
    assert unit.variants[1].props == (("myPropeType", "Data"), ("myPropeType", "Data"))
    _, (okapi,) = read_all(FIXTURES / "okapi_Paragraph_TM.tmx")
    assert okapi.variants[0].props[0] == ("Txt::FileName", "xxxx.info")


def test_language_lookup_ignores_case_and_finds_regional_variants() -> None:
    _, units = read_all(FIXTURES / "okapi_tmxtest-attributes.tmx")  # EN-US and FR-FR
    unit = units[1]
    assert unit.text("en") == unit.text("en-us") == unit.text("EN_US") == "One entry in the TM."
    assert unit.text("fr") == "Une entrée dans la MT (file1, group1)"
    assert unit.text("fr-CA") is None and unit.text("de") is None
    _, (compkit,) = read_all(FIXTURES / "lisa-compliance-kit_ImportTest2C.tmx")  # en-us, fr, en-gb
    assert compkit.text("en-GB") == compkit.variants[2].text  # the exact region wins over the first "en"
    assert compkit.text("fr-FR") == compkit.variants[1].text  # a bare-language variant serves a region


def test_plain_text_drops_codes_and_keeps_highlighted_and_sub_text() -> None:
    _, (unit,) = read_all(FIXTURES / "lisa-compliance-kit_ImportTest2C.tmx")
    assert seg_plain_text(unit.text("en-us") or "") == "Click Start Here! to start."
    _, olifant = read_all(FIXTURES / "okapi_tmxtest-attributes.tmx")
    assert seg_plain_text(olifant[-1].text("en") or "") == "Close the application."
    assert seg_plain_text(olifant[0].text("en") or "") == "Test char: &=amp, <=lt, '=apos, \"=quot"
    assert seg_plain_text("plain words") == "plain words"
    with pytest.raises(TmxError, match="not well-formed"):
        seg_plain_text('<bpt i="1">unclosed')


def test_units_built_in_code_survive_writing_and_reading() -> None:
    """Characters XML would otherwise normalize away (CR, tabs and newlines in attributes) come back."""
    unit = TmxUnit(
        id='a "quoted" & <odd> id',
        variants=(
            TmxVariant(
                "en", 'Line\r\nbreak &amp; <ph x="1">&lt;br/&gt;</ph> "q" \'a\'', (("x-a", "t\tb\nc"),)
            ),
            TmxVariant("de-DE", "Zeile\tUmbruch", notes=("<note> & more\r\n",)),
        ),
        props=(("x-context", "menu > file"),),
        notes=("first", ""),
        creationdate="20240101T000000Z",
        changeid="reviewer\n2",
    )
    header = TmxHeader(srclang="en", segtype="paragraph")
    assert read_all(written(header, [unit])) == (header, [unit])


# ---- the ecosystem --------------------------------------------------------------------------------


def test_translate_toolkit_reads_our_tico19_with_the_same_text(tico19: Path) -> None:
    header, units = read_all(tico19)
    store = tmxfile.parsestring(written(header, units))
    assert len(store.units) == len(units)
    for ours, theirs in zip(units, store.units, strict=True):
        assert theirs.source == seg_plain_text(ours.text("en") or "")
        assert theirs.target == seg_plain_text(ours.text("ru") or "")
        assert theirs.getid() == ours.id


def test_we_read_what_translate_toolkit_writes() -> None:
    store = tmxfile()
    pairs = [
        ("Save & close <now>", "Speichern & schließen <jetzt>"),
        ("  two  spaces\nand a line", "zwei  Leerzeichen\nund eine Zeile"),
        ("Quotes \"double\" and 'single'", "Anführungszeichen „doppelt“"),
    ]
    for source, target in pairs:
        store.addtranslation(source, "en", target, "de", comment="UI button", context="menu.file")
    header, units = read_all(bytes(store))  # a DOCTYPE naming tmx14.dtd included
    assert (header.srclang, header.creationtool) == ("en", "Translate Toolkit")
    assert [(seg_plain_text(u.text("en") or ""), seg_plain_text(u.text("de") or "")) for u in units] == pairs
    assert all(u.notes == ("UI button",) and u.props == (("x-context", "menu.file"),) for u in units)
    assert read_all(written(header, units)) == (header, units)


@pytest.mark.parametrize("path", [None, *REAL], ids=["tico19", *[p.name for p in REAL]])
def test_what_we_write_is_valid_tmx_14(path: Path | None, tico19: Path) -> None:
    header, units = read_all(path or tico19)
    data = written(header, units)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">')
    dtd = etree.DTD(io.StringIO(TMX14_DTD))
    document = etree.fromstring(data, safe_parser())
    assert dtd.validate(document), dtd.error_log.filter_from_errors()


# ---- streaming ------------------------------------------------------------------------------------


class CountingStream(io.BytesIO):
    """Counts the bytes the reader has asked for."""

    consumed = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.consumed += len(data)
        return data


def many_units(count: int) -> Iterator[TmxUnit]:
    for n in range(count):
        yield TmxUnit(
            str(n), (TmxVariant("en", f"Segment number {n} of a large memory."), TmxVariant("fr", "x"))
        )


def test_units_arrive_before_the_file_has_been_read() -> None:
    """A memory far larger than RAM can be imported: the first unit comes after reading a small head."""
    out = io.BytesIO()
    write_tmx(TmxHeader(srclang="en"), many_units(50_000), out)
    stream = CountingStream(out.getvalue())
    _, units = read_tmx(stream)
    assert next(units).id == "0"
    assert stream.consumed < len(out.getvalue()) / 10
    assert sum(1 for _ in units) == 49_999


def test_a_broken_unit_late_in_the_file_fails_there_after_the_good_ones() -> None:
    good = "".join(f'<tu tuid="{n}"><tuv xml:lang="en"><seg>ok {n}</seg></tuv></tu>\n' for n in range(100))
    _, units = read_tmx(tmx(good + '<tu tuid="bad">\n<note>no variant</note>\n</tu>\n'))
    seen = []
    with pytest.raises(TmxError, match="<tu> has no <tuv>") as caught:
        seen.extend(u.id for u in units)
    assert len(seen) == 100
    assert caught.value.line == 104  # header 2 lines, <body> on 3, units on 4..103


# ---- errors a user can act on ---------------------------------------------------------------------

BROKEN = [
    pytest.param(
        tmx('<tu>\n<tuv xml:lang="en"><seg>Hello</tuv>\n</tu>\n'),
        5,
        "not well-formed XML: <seg> opened on line 5 is not closed before </tuv>",
        id="unclosed",
    ),
    pytest.param(
        tmx('<tu tuid="1">\n<tuv xml:lang="en"><seg>Hello</seg></tuv>\n</tu>\n').split(b"</tu>")[0],
        6,
        "the file ends inside <tu> opened on line 4",
        id="truncated",
    ),
    pytest.param(f'<tmx version="1.4">\n{HEADER}\n</tmx>\n'.encode(), 1, "no <body>", id="no-body"),
    pytest.param(
        f'<tmx version="1.4">\n{HEADER}\n<tu/>\n</tmx>\n'.encode(), 3, "where <body> was", id="tu-outside"
    ),
    pytest.param(tmx('<tu tuid="7">\n<prop type="x">y</prop>\n</tu>\n'), 4, "<tu> has no <tuv>", id="no-tuv"),
    pytest.param(b'<?xml version="1.0"?>\n<xliff version="1.2"/>', 2, "not <tmx>", id="xliff-root"),
    pytest.param(tmx("", version="2.0"), 1, "version '2.0'", id="version-2.0"),
    pytest.param(b'<tmx version="1.4">\n<body/>\n</tmx>', 2, "must start with <header>", id="no-header"),
    pytest.param(tmx('<tu>\n<tuv xml:lang="en">\n</tuv>\n</tu>\n'), 5, "has no <seg>", id="no-seg"),
    pytest.param(tmx("<tu>\n<tuv>\n<seg>x</seg></tuv>\n</tu>\n"), 5, "no xml:lang", id="no-lang"),
    pytest.param(
        tmx('<tu><tuv xml:lang="en">\n<seg>a <b>bold</b></seg></tuv></tu>\n'), 5, "<b> inside <seg>", id="b"
    ),
    pytest.param(
        tmx(
            '<tu><tuv xml:lang="en"><seg>a&nbsp;b</seg></tuv></tu>\n',
            head='<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n',
        ),
        5,
        "undefined entity &nbsp;",
        id="undefined-entity",
    ),
    pytest.param(tmx("") + b"<tmx/>", 6, "not well-formed XML", id="trailing"),
    pytest.param(b"", None, "empty or is not XML", id="empty"),
]


@pytest.mark.parametrize(("data", "line", "what"), BROKEN)
def test_broken_files_name_the_line_and_the_problem(data: bytes, line: int | None, what: str) -> None:
    with pytest.raises(TmxError) as caught:
        read_all(data)
    assert what in str(caught.value)
    assert caught.value.line == line
    if line is not None:
        assert str(caught.value).startswith(f"line {line}: ")


def test_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "memory.tmx"
    path.write_bytes(tmx('<tu tuid="1">\n</tu>\n'))
    with pytest.raises(TmxError, match=rf"^{re.escape(str(path))}, line 4: <tu> has no <tuv>"):
        read_all(path)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE tmx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>&d;</seg></tuv></tu></body></tmx>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE tmx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>&xxe;</seg></tuv></tu></body></tmx>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_entity_declarations_are_refused(data: bytes) -> None:
    with pytest.raises(
        TmxError, match=r"^line 2: DOCTYPE with entity declarations is not allowed: TMX needs none"
    ):
        read_tmx(data)


def test_entity_declarations_beyond_the_scanned_head_are_refused_too() -> None:
    padded = b'<?xml version="1.0"?>\n<!--' + b"x" * 300_000 + b"-->\n" + BILLION_LAUGHS.split(b"\n", 1)[1]
    with pytest.raises(TmxError, match="DOCTYPE with entity declarations is not allowed"):
        read_tmx(padded)


def test_utf16_memories_are_read_and_their_entity_declarations_refused() -> None:
    """Trados exports TMX in UTF-16 with a byte-order mark; the entity scan must see through it too."""
    text = (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        + tmx(
            '<tu tuid="1"><tuv xml:lang="en"><seg>Straße <ph x="1">&lt;br/&gt;</ph></seg></tuv></tu>\n'
        ).decode()
    )
    header, units = read_all(text.encode("utf-16"))
    assert units[0].text("en") == 'Straße <ph x="1">&lt;br/&gt;</ph>'
    assert read_all(written(header, units)) == (header, units)
    hostile = BILLION_LAUGHS.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    for encoding in ("utf-16-le", "utf-16-be"):
        with pytest.raises(TmxError, match=r"^line 2: DOCTYPE with entity declarations"):
            read_tmx(hostile.encode(encoding))


def test_tmx_1_1_files_with_lang_attributes_are_read_and_written_as_1_4() -> None:
    data = tmx(
        '<tu tuid="1"><tuv lang="EN"><seg>Hi</seg></tuv><tuv lang="DE"><seg>Hallo</seg></tuv></tu>\n',
        version="1.1",
    )
    header, units = read_all(data)
    assert units[0].text("de") == "Hallo"
    out = written(header, units)
    assert b'<tuv xml:lang="DE">' in out and b'<tmx version="1.4">' in out
    assert read_all(out) == (header, units)


def test_a_namespaced_tmx_gives_the_same_markup_text() -> None:
    """TMX 1.4b schema files may declare a default namespace; the text must not carry it."""
    data = tmx('<tu><tuv xml:lang="en"><seg>A <ph x="1">&lt;br&gt;</ph></seg></tuv></tu>\n').replace(
        b'<tmx version="1.4">', b'<tmx xmlns="http://www.lisa.org/tmx14" version="1.4">'
    )
    header, units = read_all(data)
    assert units[0].text("en") == 'A <ph x="1">&lt;br&gt;</ph>'
    assert read_all(written(header, units)) == (header, units)


# ---- the writer refuses what would not be valid TMX ----------------------------------------------


@pytest.mark.parametrize(
    ("unit", "what"),
    [
        (
            TmxUnit("u1", (TmxVariant("en", '<bpt i="1">x'),)),
            "unit 'u1', variant 'en': the text is not well-formed",
        ),
        (TmxUnit("u2", (TmxVariant("en", "<b>bold</b>"),)), "<b> is not a TMX inline element"),
        (TmxUnit("u3", ()), "unit 'u3' has no variant"),
        (TmxUnit(None, (TmxVariant("en", "ok", notes=("bell \x07",)),)), "unit #1, variant 'en': U+0007"),
        (TmxUnit("u5", (TmxVariant(" ", "ok"),)), "a variant has no language"),
    ],
)
def test_the_writer_refuses_units_that_would_not_be_valid_tmx(unit: TmxUnit, what: str) -> None:
    with pytest.raises(TmxError, match=re.escape(what)):
        write_tmx(TmxHeader(srclang="en"), [unit], io.BytesIO())
