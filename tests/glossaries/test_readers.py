"""Every termbase format reads into the same in-memory model."""

from __future__ import annotations

from pathlib import Path

import pytest

from glossaries import Entry, ResourceError, Termbase, TermStatus, load_termbase, parse_termbase

P, A, F, D = TermStatus.PREFERRED, TermStatus.ADMITTED, TermStatus.FORBIDDEN, TermStatus.DNT
FORMATS = ["terms.v2.tbx", "terms.v3.tbx", "terms.csv", "terms.tsv", "terms.yaml"]


def by_source(tb: Termbase) -> dict[str, Entry]:
    return {e.source[0].text: e for e in tb.entries}


def targets(entry: Entry) -> set[tuple[str, TermStatus]]:
    return {(t.text, t.status) for t in entry.target if t.status is not D}


@pytest.mark.parametrize("name", FORMATS)
def test_en_de_example_in_every_format(examples: Path, name: str) -> None:
    tb = load_termbase(examples / "en-de" / name, source_lang="en", target_lang="de")
    entries = by_source(tb)
    assert len(tb) == 10
    assert targets(entries["Save"]) == {("Speichern", P), ("Sichern", F)}
    assert entries["Save"].preferred_target is not None
    assert entries["Save"].preferred_target.text == "Speichern"
    assert targets(entries["settings"]) == {("Einstellungen", P), ("Optionen", F)}
    assert targets(entries["password"]) == {("Passwort", P), ("Kennwort", A)}
    assert entries["Cloud Console"].is_dnt
    assert not entries["Save"].is_dnt
    assert entries["Save"].source[0].pos == "verb"
    assert tb.version == __import__("hashlib").sha256((examples / "en-de" / name).read_bytes()).hexdigest()


@pytest.mark.parametrize("name", FORMATS)
def test_en_fr_example_in_every_format(examples: Path, name: str) -> None:
    tb = load_termbase(examples / "en-fr" / name, source_lang="en-US", target_lang="fr-FR")
    entries = by_source(tb)
    assert targets(entries["email"]) == {("e-mail", P), ("courriel", A), ("mél", F)}
    assert targets(entries["Save"]) == {("Enregistrer", P), ("Sauvegarder", F)}
    assert entries["Cloud Console"].is_dnt


def test_tico19_csv_reads(shared_data: Path) -> None:
    tb = load_termbase(shared_data / "glossaries/tico19.en-fr.csv", source_lang="en", target_lang="fr")
    entries = by_source(tb)
    assert len(tb) > 250
    assert targets(entries["acute bronchitis"]) == {("bronchite aiguë", P)}
    assert entries["acute bronchitis"].line == 3


TBX_V2 = """<?xml version="1.0"?>
<martif type="TBX" xml:lang="en"><text><body>
 <termEntry id="c1">
  <descrip type="definition">A stored copy.</descrip>
  <langSet xml:lang="en-US"><ntig><termGrp><term>backup</term>
    <termNote type="partOfSpeech">noun</termNote></termGrp></ntig></langSet>
  <langSet xml:lang="de-DE">
   <tig><term>Sicherung</term><termNote type="administrativeStatus">{s1}</termNote></tig>
   <tig><term>Backup</term><termNote type="administrativeStatus">{s2}</termNote>
     <note>colloquial</note></tig>
  </langSet>
  <langSet xml:lang="fr"><tig><term>sauvegarde</term></tig></langSet>
 </termEntry>
</body></text></martif>"""


@pytest.mark.parametrize(
    ("s1", "s2", "expected"),
    [
        ("preferredTerm-admn-sts", "admittedTerm-admn-sts", (P, A)),
        ("preferredTerm-admn-sts", "deprecatedTerm-admn-sts", (P, F)),
        ("admittedTerm-admn-sts", "supersededTerm-admn-sts", (A, F)),
    ],
)
def test_tbx_v2_administrative_status(s1: str, s2: str, expected: tuple[TermStatus, TermStatus]) -> None:
    tb = parse_termbase(TBX_V2.format(s1=s1, s2=s2).encode(), "t.tbx", source_lang="en", target_lang="de")
    (entry,) = tb.entries
    assert [(t.text, t.status) for t in entry.target] == [("Sicherung", expected[0]), ("Backup", expected[1])]
    assert entry.note == "A stored copy."
    assert entry.source[0].pos == "noun"
    assert entry.target[1].note == "colloquial"
    assert entry.id == "c1" and entry.line == 3


TBX_V3 = """<?xml version="1.0"?>
<tbx type="TBX-Basic" style="{style}" xml:lang="en" {ns}><tbxHeader/><text><body>
 <conceptEntry id="c7">
  <langSec xml:lang="en"><termSec><term>Save</term>{pos}</termSec></langSec>
  <langSec xml:lang="de">
   <termSec><term>Speichern</term>{auth1}</termSec>
   <termSec><term>Sichern</term>{auth2}</termSec>
  </langSec>
 </conceptEntry>
</body></text></tbx>"""

DCA = {
    "style": "dca",
    "pos": '<termNote type="partOfSpeech">verb</termNote>',
    "auth1": '<termNote type="normativeAuthorization">preferredTerm</termNote>',
    "auth2": '<termNote type="normativeAuthorization">deprecatedTerm</termNote>',
}
DCT = {
    "style": "dct",
    "pos": "<basic:partOfSpeech>verb</basic:partOfSpeech>",
    "auth1": "<basic:administrativeStatus>preferredTerm-admn-sts</basic:administrativeStatus>",
    "auth2": "<basic:administrativeStatus>supersededTerm-admn-sts</basic:administrativeStatus>",
}


@pytest.mark.parametrize(
    ("fields", "ns"),
    [
        (DCA, 'xmlns="urn:iso:std:iso:30042:ed-2"'),
        (DCA, ""),
        (DCT, 'xmlns="urn:iso:std:iso:30042:ed-2" xmlns:basic="http://www.tbxinfo.net/ns/basic"'),
    ],
)
def test_tbx_v3_with_and_without_namespaces(fields: dict[str, str], ns: str) -> None:
    data = TBX_V3.format(ns=ns, **fields).encode()
    tb = parse_termbase(data, "t.tbx", source_lang="en", target_lang="de")
    (entry,) = tb.entries
    assert [(t.text, t.status) for t in entry.target] == [("Speichern", P), ("Sichern", F)]
    assert entry.source[0].pos == "verb"
    assert entry.id == "c7"


@pytest.mark.parametrize(
    "marker",
    [
        '<termNote type="doNotTranslate">yes</termNote>',
        '<termNote type="translate">no</termNote>',
        '<termNote type="usageNote">doNotTranslate</termNote>',
        '<termNote type="administrativeStatus">doNotTranslate</termNote>',
    ],
)
def test_tbx_dnt_markers(marker: str) -> None:
    data = f"""<martif xml:lang="en"><text><body><termEntry>
      <langSet xml:lang="en"><tig><term>Cloud Console</term>{marker}</tig></langSet>
    </termEntry></body></text></martif>""".encode()
    (entry,) = parse_termbase(data, "t.xml", source_lang="en", target_lang="de").entries
    assert entry.is_dnt
    assert entry.source[0].status is D


def test_tbx_ignores_concepts_without_the_pair() -> None:
    data = b"""<martif><text><body>
      <termEntry><langSet xml:lang="en"><tig><term>a</term></tig></langSet>
                 <langSet xml:lang="de"><tig><term>b</term></tig></langSet></termEntry>
      <termEntry><langSet xml:lang="en"><tig><term>c</term></tig></langSet>
                 <langSet xml:lang="fr"><tig><term>d</term></tig></langSet></termEntry>
    </body></text></martif>"""
    tb = parse_termbase(data, "t.tbx", source_lang="en", target_lang="de")
    assert [e.source[0].text for e in tb.entries] == ["a"]


def test_csv_aliases_variants_and_concepts() -> None:
    data = (
        b"SRC;Target;Status;Part of Speech;Comment;Case\n"
        b"Save;Speichern|Sichern;preferred;verb;button;no\n"
        b"save;Abspeichern;deprecated;verb;;\n"
        b"iPhone;iPhone;DNT;;product;yes\n"
    )
    tb = parse_termbase(data, "x.csv", source_lang="en", target_lang="de", id="ui")
    save, iphone = tb.entries
    assert tb.id == "ui"
    assert [(t.text, t.status) for t in save.target] == [("Speichern", P), ("Sichern", P), ("Abspeichern", F)]
    assert save.source[0].pos == "verb" and save.note == "button"
    assert iphone.is_dnt and iphone.source[0].case_sensitive


def test_tsv_with_language_code_headers() -> None:
    data = b"en-US\tde-DE\tnote\nfile\tDatei\tnoun\n\nfolder\tOrdner\t\n"
    tb = parse_termbase(data, "terms.tsv", source_lang="en", target_lang="de")
    assert [(e.source[0].text, e.target[0].text) for e in tb.entries] == [
        ("file", "Datei"),
        ("folder", "Ordner"),
    ]
    assert [e.line for e in tb.entries] == [2, 4]
    assert tb.id == "terms"


def test_yaml_bare_list_and_target_objects() -> None:
    data = b"""
- source: [sign in, log in]
  target:
    - anmelden
    - {text: einloggen, status: forbidden, note: too colloquial}
- source: Cloud Console
  status: do-not-translate
"""
    tb = parse_termbase(data, "t.yml", source_lang="en", target_lang="de")
    sign_in, console = tb.entries
    assert [t.text for t in sign_in.source] == ["sign in", "log in"]
    assert [(t.text, t.status, t.note) for t in sign_in.target] == [
        ("anmelden", P, None),
        ("einloggen", F, "too colloquial"),
    ]
    assert console.is_dnt and console.line == 6


def test_version_changes_with_content() -> None:
    a = parse_termbase(b"source,target\na,b\n", "t.csv", source_lang="en", target_lang="de")
    b = parse_termbase(b"source,target\na,c\n", "t.csv", source_lang="en", target_lang="de")
    assert a.version != b.version and len(a.version) == 64


def test_yaml_declared_pair_must_match() -> None:
    data = b"source_lang: en\ntarget_lang: fr\nentries:\n  - {source: a, target: b}\n"
    with pytest.raises(ResourceError, match="en->fr"):
        parse_termbase(data, "t.yaml", source_lang="en", target_lang="de")
