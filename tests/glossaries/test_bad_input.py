"""Bad resource files are rejected with the file, the line and a reason: never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from glossaries import ResourceError, load_style_guide, load_termbase, parse_style_guide, parse_termbase

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<martif><text><body><termEntry><langSet xml:lang="en"><tig><term>&lol9;</term></tig></langSet>
<langSet xml:lang="de"><tig><term>x</term></tig></langSet></termEntry></body></text></martif>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE martif [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<martif><text><body><termEntry><langSet xml:lang="en"><tig><term>&xxe;</term></tig></langSet>
<langSet xml:lang="de"><tig><term>x</term></tig></langSet></termEntry></body></text></martif>"""

CASES = [
    # (filename, content, line, reason fragment)
    ("t.tbx", b"<martif>\n<text>\n<body>\n<termEntry>\n</body></text></martif>", 5, "malformed XML"),
    ("t.tbx", b"", None, "malformed XML"),
    ("t.tbx", XXE, 1, "entity"),
    ("t.tbx", BILLION_LAUGHS, 1, "entity"),
    ("t.tbx", b"<html><body/></html>", 1, "not a TBX file"),
    ("t.tbx", b"<martif><text><body/></text></martif>", None, "no <termEntry>"),
    (
        "t.tbx",
        b'<martif><text><body><termEntry>\n<langSet xml:lang="en"><tig><term>a</term>\n'
        b'<termNote type="administrativeStatus">bestTerm</termNote></tig></langSet>\n'
        b"</termEntry></body></text></martif>",
        3,
        "unknown administrativeStatus",
    ),
    (
        "t.tbx",
        b'<martif><text><body><termEntry><langSet xml:lang="en"><tig><term>a</term></tig></langSet>'
        b'<langSet xml:lang="fr"><tig><term>b</term></tig></langSet></termEntry></body></text></martif>',
        None,
        "no concept has terms in both en and de",
    ),
    ("t.csv", b"english,german\nfile,Datei\n", 1, "missing source column"),
    ("t.csv", b"source,comment\nfile,Datei\n", 1, "missing target column"),
    ("t.csv", b"source,target\nfile,Datei\n,Ordner\n", 3, "empty source"),
    ("t.csv", b"source,target\nfile,\n", 2, "empty target"),
    (
        "t.csv",
        b"source,target,status\nfile,Datei,preferred\nsave,Sichern,wrongish\n",
        3,
        "unknown status 'wrongish'",
    ),
    ("t.csv", b"source,target,case\nfile,Datei,maybe\n", 2, "case_sensitive"),
    ("t.csv", b"", 1, "empty file"),
    ("t.csv", b"source,target\n", 2, "no terms"),
    ("t.csv", b"source,target\nfile,Datei\nsave,\xff\xfe\n", 3, "not UTF-8"),
    ("t.tsv", b'source\ttarget\n"file\tDatei\n', None, "malformed TSV"),
    ("t.yaml", b"entries:\n  - source: a\n    target: [b\n", 4, "invalid YAML"),
    (
        "t.yaml",
        b"entries:\n  - source: a\n    target: b\n  - source: c\n    target: d\n    status: maybe\n",
        6,
        "entries.1.status: unknown status 'maybe'",
    ),
    ("t.yaml", b"entries:\n  - source: a\n    target: b\n  - source: ''\n    target: d\n", 4, "empty source"),
    ("t.yaml", b"entries:\n  - source: a\n    tagret: b\n", 3, "tagret"),
    ("t.yaml", b"- source: a\n  target: b\n- target: c\n", 3, "1.source: Field required"),
    ("t.yaml", b"entries:\n  - source: a\n", 2, "no target"),
    ("t.yaml", b"a: &x [1, 2]\nb: *x\n", 2, "aliases"),
    ("t.yaml", b"", None, "empty file"),
    ("t.docx", b"PK", None, "unknown termbase format"),
]


@pytest.mark.parametrize(("filename", "content", "line", "reason"), CASES)
def test_bad_termbase_is_rejected_with_line_and_reason(
    filename: str, content: bytes, line: int | None, reason: str
) -> None:
    with pytest.raises(ResourceError) as info:
        parse_termbase(content, filename, source_lang="en", target_lang="de")
    err = info.value
    assert err.file == filename
    assert reason in err.reason
    if line is not None:
        assert err.line == line
        assert str(err).startswith(f"{filename}:{line}: ")


def test_billion_laughs_is_refused_quickly() -> None:
    start = time.perf_counter()
    with pytest.raises(ResourceError):
        parse_termbase(BILLION_LAUGHS, "bomb.tbx", source_lang="en", target_lang="de")
    assert time.perf_counter() - start < 1


def test_xxe_never_reads_the_file() -> None:
    with pytest.raises(ResourceError) as info:
        parse_termbase(XXE, "xxe.tbx", source_lang="en", target_lang="de")
    assert "root:" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ResourceError, match="cannot read"):
        load_termbase(tmp_path / "nope.csv", source_lang="en", target_lang="de")
    with pytest.raises(ResourceError, match="cannot read"):
        load_style_guide(tmp_path / "nope.yaml")


STYLE_CASES = [
    (
        b"rules:\n  - id: r1\n    pattern: 'ok'\n    message: m\n"
        b"  - id: r2\n    pattern: '(unclosed'\n    message: m\n",
        6,
        "invalid regular expression",
    ),
    (b"formality: polite\n", 1, "formality"),
    (b"name: x\nquotes:\n  open: a\n  clsoe: b\n", 4, "clsoe"),
    (b"max_length: -3\n", 1, "max_length"),
    (b"min_length_ratio: 2\nmax_length_ratio: 1\n", 1, "min_length_ratio is larger"),
    (b"rules:\n  - id: r\n    pattern: x\n    message: m\n    severity: fatal\n", 5, "severity"),
    (b"- just\n- a list\n", 1, "mapping"),
    (b"name: [unclosed\n", 2, "invalid YAML"),
    (b"version: abc\n", None, "computed"),
]


@pytest.mark.parametrize(("content", "line", "reason"), STYLE_CASES)
def test_bad_style_guide_is_rejected_with_line_and_reason(
    content: bytes, line: int | None, reason: str
) -> None:
    with pytest.raises(ResourceError) as info:
        parse_style_guide(content, "style.yaml")
    assert reason in info.value.reason
    if line is not None:
        assert info.value.line == line
