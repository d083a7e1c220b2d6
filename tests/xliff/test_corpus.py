"""Real XLIFF files from Trados, memoQ, Phrase, Matecat, MadCap Lingo, XTM, Crowdin, Okapi, Angular, Symfony,
Xcode, translate-toolkit, a CMS and the OASIS test suite, each posted through `POST /v1/xliff` (the stub
model: clean MT kept in minimal mode, every target edited in full mode). What comes back must be
reimportable: valid against the OASIS schema of its version, read by translate-toolkit as the same units,
and byte-identical outside the targets (CRLF and `&apos;` included). Provenance and licenses:
tests/fixtures/xliff-corpus/README.md.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from lxml import etree

from formats.xliff import TargetUpdate, parse_xliff, write_xliff
from tests.xliff.corpus import (
    FILES,
    MODES,
    CorpusFile,
    RoundTrip,
    bare_newlines,
    outside_targets,
    post,
    service,
    toolkit_units,
    xsd_errors,
)

SDL = "{http://sdl.com/FileTypes/SdlXliff/1.0}"
_DONE: dict[tuple[str, str], RoundTrip] = {}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with service(tmp_path_factory.mktemp("corpus")) as live, live.client() as c:
        yield c


def roundtrip(client: httpx.Client, file: CorpusFile, mode: str) -> RoundTrip:
    """Each file is posted once per mode; the tests below look at the same answer."""
    key = (file.name, mode)
    if key not in _DONE:
        _DONE[key] = post(client, file, mode)
    done = _DONE[key]
    assert done.status == 200, done.output[:500]
    return done


def by_name(name: str) -> CorpusFile:
    return next(f for f in FILES if f.name == name)


CASES = [pytest.param(f, m, id=f"{f.name}-{m}") for f in FILES for m in MODES]


@pytest.mark.parametrize(("file", "mode"), CASES)
def test_output_is_valid_against_the_oasis_schema(client: httpx.Client, file: CorpusFile, mode: str) -> None:
    """No schema error the input did not already have (README lists the inputs that have some)."""
    assert not roundtrip(client, file, mode).new_xsd_errors


STRICT = [
    pytest.param(f, m, id=f"{f.name}-{m}")
    for f in FILES
    if b"document:1.2" in f.data[:3000] and not xsd_errors(f.data, strict=True)
    for m in MODES
]


@pytest.mark.parametrize(("file", "mode"), STRICT)
def test_a_file_valid_against_the_strict_schema_stays_so(
    client: httpx.Client, file: CorpusFile, mode: str
) -> None:
    """Angular and Symfony files pass the 1.2 strict schema; what we add (state, notes) must too."""
    assert not xsd_errors(roundtrip(client, file, mode).output, strict=True)


@pytest.mark.parametrize(("file", "mode"), CASES)
def test_translate_toolkit_reads_the_same_units(client: httpx.Client, file: CorpusFile, mode: str) -> None:
    out = roundtrip(client, file, mode).output
    assert toolkit_units(out) == toolkit_units(file.data)


@pytest.mark.parametrize(("file", "mode"), CASES)
def test_nothing_outside_the_targets_changes_by_a_byte(
    client: httpx.Client, file: CorpusFile, mode: str
) -> None:
    out = roundtrip(client, file, mode).output
    assert outside_targets(out) == outside_targets(file.data)


@pytest.mark.parametrize(("file", "mode"), CASES)
def test_line_endings_are_the_files_own(client: httpx.Client, file: CorpusFile, mode: str) -> None:
    """A CRLF file (Trados on Windows, Umbraco) comes back CRLF, new targets included, never mixed."""
    out = roundtrip(client, file, mode).output
    if bare_newlines(file.data) == 0:
        assert bare_newlines(out) == 0
    assert out.startswith(file.data[:3]) and out[-1:] == file.data[-1:]  # BOM and last byte


def test_the_corpus_really_gets_edited(client: httpx.Client) -> None:
    """The checks above are not vacuous: in full mode the files with editable units come back changed
    (the stub's edit), the CRLF and XLIFF 1.1 files among them."""
    editable = [f for f in FILES if parse_xliff(f.data).editable]
    changed = [f for f in editable if roundtrip(client, f, "full").output != f.data]
    assert len(editable) >= 20 and len(changed) >= len(editable) - 2
    assert {f.name for f in editable if bare_newlines(f.data) == 0} <= {f.name for f in changed}
    assert {f.name for f in editable if b"document:1.1" in f.data} <= {f.name for f in changed}


@pytest.mark.parametrize(
    "name", [f.name for f in FILES if b"urn:oasis:names:tc:xliff:document:1.1" in f.data]
)
def test_xliff_1_1_is_post_edited_and_stays_1_1(client: httpx.Client, name: str) -> None:
    out = roundtrip(client, by_name(name), "full").output
    assert etree.QName(etree.fromstring(out)).namespace == "urn:oasis:names:tc:xliff:document:1.1"
    assert parse_xliff(out).version == "1.1"


@pytest.mark.parametrize("mode", MODES)
def test_a_po2xliff_file_keeps_its_approved_units_and_po_header(client: httpx.Client, mode: str) -> None:
    """translate-toolkit marks translated PO entries approved; its header unit is PO metadata that
    xliff2po writes back. Neither is post-edited: the file comes back as it went."""
    file = by_name("translate-toolkit-3.20.4_po2xliff_django-humanize.de.xlf")
    assert {u.skip_reason for u in parse_xliff(file.data).units} == {"approved", "header"}
    assert roundtrip(client, file, mode).output == file.data


def test_entities_in_the_source_keep_their_spelling(client: httpx.Client) -> None:
    file = by_name("sdl-json_with-entities_en_fr-FR.xliff")
    out = roundtrip(client, file, "full").output
    assert out != file.data
    assert (
        out.count(b"Hello&apos;&apos; ") == file.data.count(b"Hello&apos;&apos; ") == 2
    )  # source, seg-source


# ---- Trados statuses -------------------------------------------------------------------------------

STATUSES = "trados-studio_statuses_it-IT_en-US.sdlxliff"
RANK = {None: 0, "Draft": 1, "Translated": 2}


def sdl_segs(data: bytes) -> dict[str, etree._Element]:
    return {s.get("id"): s for s in etree.fromstring(data).iter(f"{SDL}seg")}


def targets_by_mid(data: bytes) -> dict[str, str]:
    root = etree.fromstring(data)
    return {
        m.get("mid"): etree.tostring(m, encoding="unicode", with_tail=False)
        for t in root.iter("{*}target")
        for m in t.iter("{*}mrk")
        if m.get("mtype") == "seg"
    }


@pytest.mark.parametrize("mode", MODES)
def test_rejected_and_signed_off_trados_segments_are_never_touched(client: httpx.Client, mode: str) -> None:
    file = by_name(STATUSES)
    before, after = sdl_segs(file.data), sdl_segs(roundtrip(client, file, mode).output)
    kept = [mid for mid, seg in before.items() if seg.get("conf", "").startswith(("Rejected", "Approved"))]
    assert len(kept) == 8
    for mid in kept:
        assert etree.tostring(after[mid]) == etree.tostring(before[mid])
    old, new = targets_by_mid(file.data), targets_by_mid(roundtrip(client, file, mode).output)
    assert all(new.get(mid) == old.get(mid) for mid in kept)


def test_unchanged_trados_segments_are_not_promoted(client: httpx.Client) -> None:
    """Minimal mode keeps the clean MT: a Draft or not-translated segment stays so, with its origin."""
    file = by_name(STATUSES)
    out = roundtrip(client, file, "minimal").output
    before, after = sdl_segs(file.data), sdl_segs(out)
    old, new = targets_by_mid(file.data), targets_by_mid(out)
    unchanged = [mid for mid in before if mid in old and new.get(mid) == old[mid]]
    assert {"1", "2", "3"} <= set(unchanged)
    for mid in unchanged:
        assert RANK.get(after[mid].get("conf"), 3) <= RANK.get(before[mid].get("conf"), 3), mid
        assert after[mid].get("origin") == before[mid].get("origin")


@pytest.mark.parametrize("mode", MODES)
def test_machine_filled_trados_segments_say_so(client: httpx.Client, mode: str) -> None:
    """What the service wrote is `origin="mt"` with no TM `percent="100"`; what was there is kept in
    `<sdl:prev-origin>`, so Studio shows an MT segment, not a 100% match."""
    file = by_name(STATUSES)
    out = roundtrip(client, file, mode).output
    old, new = targets_by_mid(file.data), targets_by_mid(out)
    before, after = sdl_segs(file.data), sdl_segs(out)
    written = [mid for mid in new if new[mid] != old.get(mid)]
    assert written
    for mid in written:
        seg = after[mid]
        assert (seg.get("origin"), seg.get("percent"), seg.get("conf")) == ("mt", None, "Translated"), mid
        previous = [p.attrib.get("origin") for p in seg if p.tag == f"{SDL}prev-origin"]
        assert previous == [before[mid].get("origin")], mid


# ---- 1.2 states --------------------------------------------------------------------------------------

RANK12 = {"new": 0, "needs-translation": 0, "needs-review-translation": 1, None: 2, "translated": 2}


def states(data: bytes) -> dict[str, tuple[str | None, str]]:
    """trans-unit id -> (target state, target text)."""
    found = {}
    for tu in etree.fromstring(data).iter("{*}trans-unit"):
        target = tu.find("{*}target")
        if target is not None:
            found[tu.get("id")] = (target.get("state"), "".join(target.itertext()))
    return found


@pytest.mark.parametrize(
    "name",
    ["symfony_validators.he.xlf", "xtm_StatusSample.docx.xlf", "sdl-json_with-entities_en_fr-FR.xliff"],
)
def test_an_unchanged_target_never_goes_up_a_state(client: httpx.Client, name: str) -> None:
    """`new` and `needs-review-translation` targets the agent left as they were are not `translated`."""
    file = by_name(name)
    before, after = states(file.data), states(roundtrip(client, file, "minimal").output)
    for uid, (state, text) in before.items():
        new_state, new_text = after[uid]
        if new_text == text:
            assert RANK12.get(new_state, 2) <= RANK12.get(state, 2), uid


def test_symfony_targets_that_need_review_are_translated_once_edited(client: httpx.Client) -> None:
    file = by_name("symfony_validators.he.xlf")
    before, after = states(file.data), states(roundtrip(client, file, "full").output)
    review = [uid for uid, (state, _) in before.items() if state == "needs-review-translation"]
    assert len(review) == 15
    edited = [uid for uid in review if after[uid][1] != before[uid][1]]
    assert edited and all(after[uid][0] in {"translated", "needs-review-translation"} for uid in edited)


# ---- notes where each format allows them -----------------------------------------------------------


@pytest.mark.parametrize("file", [pytest.param(f, id=f.name) for f in FILES])
def test_a_finding_on_every_unit_keeps_the_file_valid(file: CorpusFile) -> None:
    """Notes go where the schema's sequence allows them (1.x: after the XLIFF children, before foreign
    ones such as memoQ's; 2.x: in `<notes>` before the segments); Trados files get none, their segments
    go to Draft."""
    doc = parse_xliff(file.data)
    updates = {
        u.key: TargetUpdate(
            f"{u.target or u.source} ✓", needs_review=True, notes=("error [term-missing]: x",)
        )
        for u in doc.editable
    }
    out = write_xliff(file.data, updates)
    assert not xsd_errors(out) - xsd_errors(file.data)
    assert outside_targets(out) == outside_targets(file.data)
    assert bare_newlines(out) == 0 or bare_newlines(file.data) > 0  # the notes too are CRLF in a CRLF file
    notes = out.count(b'from="postedit"') + out.count(b'category="postedit"')
    is_trados = b'sdl:version="1.0"' in file.data[:2000]
    assert notes == (0 if is_trados else len(doc.editable))
    if is_trados and doc.editable:
        assert {s.get("conf") for s in sdl_segs(out).values() if s.get("origin-system") == "postedit"} <= {
            "Draft"
        }


def test_notes_are_replaced_not_piled_up_on_a_second_run() -> None:
    file = by_name("memoq-7.8_tag_issue_en-us_zh-cn.mqxliff")
    unit = parse_xliff(file.data).editable[0]
    once = write_xliff(file.data, {unit.key: TargetUpdate("一", notes=("error [a]: first",))})
    twice = write_xliff(once, {unit.key: TargetUpdate("二", notes=("warning [b]: second",))})
    assert twice.count(b'from="postedit"') == 1 and b"[b]: second" in twice and b"[a]: first" not in twice
    assert not xsd_errors(twice)
