"""The real-file XLIFF corpus (`tests/fixtures/xliff-corpus`) and what every round trip must keep.

Shared by `tests/xliff/test_corpus.py` and `bench/bench_xliff_corpus.py`. The checks are written
independently of `formats.xliff`: the OASIS XSDs (validated offline, the imports point at local copies),
translate-toolkit as a second reader, and a byte comparison that blanks out only what the service may
change (see `outside_targets`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import httpx
import yaml
from lxml import etree
from translate.storage import xliff, xliff2

from tests.server.conftest import LiveServer, make_settings, running
from tests.server.stub_answers import echo_handler
from tests.support.stub_llm import StubLLM, gateway_config_for

__all__ = [
    "CORPUS",
    "FILES",
    "MODES",
    "CorpusFile",
    "RoundTrip",
    "bare_newlines",
    "outside_targets",
    "post",
    "service",
    "toolkit_units",
    "xsd_errors",
]

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "xliff-corpus"
XSD = CORPUS / "xsd"
SUFFIXES = {".xlf", ".xliff", ".sdlxliff", ".mqxliff"}
MODES = ("minimal", "full")  # minimal: clean MT stays as it is; full: the stub edits every target
TARGET_LANG = {  # files that name no target language
    "angular_messages.de.xlf": "de",
    "translate-toolkit_odf2xliff_1.1_test_2.xlf": "de",
}


@dataclass(frozen=True)
class CorpusFile:
    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()

    @property
    def target_lang(self) -> str | None:
        return TARGET_LANG.get(self.name)


FILES = tuple(CorpusFile(p) for p in sorted(CORPUS.iterdir()) if p.suffix in SUFFIXES)


# ---- the OASIS schemas ----------------------------------------------------------------------------


def _namespace(data: bytes) -> str:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    return etree.QName(root).namespace or ""


@cache
def _schema(name: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(XSD / name), parser))


def schema_name(data: bytes) -> str:
    """1.2 (and 1.2 extended with foreign namespaces, as SDLXLIFF and memoQ are): the transitional schema,
    which takes foreign elements where the spec allows them; 1.1 its own; 2.x the 2.0 core schema."""
    namespace = _namespace(data)
    if namespace.endswith(":2.0"):
        return "xliff_core_2.0.xsd"
    if namespace.endswith(":1.1"):
        return "xliff-core-1.1.xsd"
    return "xliff-core-1.2-transitional.xsd"


def xsd_errors(data: bytes, strict: bool = False) -> Counter[str]:
    """The schema's complaints, without line numbers (so input and output can be compared); `strict`
    checks a 1.2 file against the strict schema, which refuses foreign attributes and deprecated ones."""
    schema = _schema("xliff-core-1.2-strict.xsd" if strict else schema_name(data))
    doc = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    schema.validate(etree.ElementTree(doc))
    return Counter(e.message for e in schema.error_log)


# ---- translate-toolkit as a second reader -----------------------------------------------------------


def toolkit_units(data: bytes) -> list[tuple[str, str]]:
    """(id, source) of every unit translate-toolkit reads, as a CAT tool built on it would see them."""
    store_class = xliff2.Xliff2File if _namespace(data).endswith(":2.0") else xliff.xlifffile
    store = store_class.parsestring(data)
    return [(unit.getid(), str(unit.source)) for unit in store.units if not unit.isheader()]


# ---- bytes outside the targets --------------------------------------------------------------------

_KEPT = re.compile(  # targets in there are not ours: candidates from a TM or MT
    rb"<alt-trans(?=[\s>]).*?</alt-trans>|<(?:[\w.-]+:)?matches(?=[\s>]).*?</(?:[\w.-]+:)?matches>", re.S
)
_BLANKED = (
    re.compile(rb"\s*<target(?=[\s/>])[^>]*?(?:/>|>.*?</target>)", re.S),  # the targets we write
    re.compile(rb'\s*<note(?=\s)[^>]*?\s(?:from|category)="postedit"[^>]*>.*?</note>', re.S),  # our notes
    re.compile(rb"\s*<notes>\s*</notes>"),  # a 2.x container that held only ours
    re.compile(rb"\s*<sdl:seg(?=[\s/>])[^>]*?(?:/>|>.*?</sdl:seg>)", re.S),  # Trados segment status
)
_SEGMENT_STATE = re.compile(rb'(<segment(?=[\s>])[^>]*?)\s+state="[^"]*"')  # 2.x segment status


def outside_targets(data: bytes) -> bytes:
    """`data` with what the service may change blanked out: the unit targets (not those inside
    `<alt-trans>` or 2.x `<mtc:matches>`, which must stay), notes from="postedit", Trados `<sdl:seg>`
    and 2.x `<segment state>`. Each goes with the whitespace before it, so a created target's indentation
    does not count as a change either."""
    pieces: list[bytes] = []
    cursor = 0
    for kept in _KEPT.finditer(data):
        pieces.extend((_blank(data[cursor : kept.start()]), kept.group(0)))
        cursor = kept.end()
    pieces.append(_blank(data[cursor:]))
    return b"".join(pieces)


def _blank(chunk: bytes) -> bytes:
    for pattern in _BLANKED:
        chunk = pattern.sub(b"", chunk)
    return _SEGMENT_STATE.sub(rb"\1", chunk)


def bare_newlines(data: bytes) -> int:
    """Line feeds without a carriage return before them: in a CRLF file, each is a mixed line ending."""
    return data.count(b"\n") - data.count(b"\r\n")


# ---- the service ----------------------------------------------------------------------------------


@contextmanager
def service(workdir: Path) -> Iterator[LiveServer]:
    """The API over real HTTP on the scripted stub model (MT + " ✓" in full mode, a pseudo-translation
    for empty targets), without Redis, taking files of any size inline."""
    with StubLLM() as stub:
        stub.set_handler(echo_handler())
        config = gateway_config_for(stub.base_url)
        config.pop("source", None)
        path = workdir / "stub-model.yaml"
        path.write_text(yaml.safe_dump(config))
        with running(make_settings(None, path, max_sync_xliff_units=10_000)) as live:
            yield live


@dataclass(frozen=True)
class RoundTrip:
    """One corpus file through `POST /v1/xliff`, and the figures the bench reports."""

    file: CorpusFile
    mode: str
    status: int
    output: bytes

    @property
    def new_xsd_errors(self) -> Counter[str]:
        """Schema errors the output has and the input had not."""
        return xsd_errors(self.output) - xsd_errors(self.file.data)

    @property
    def changed_outside_targets(self) -> bool:
        return outside_targets(self.output) != outside_targets(self.file.data) or (
            bare_newlines(self.file.data) == 0 and bare_newlines(self.output) > 0
        )

    @property
    def toolkit_reads_the_same_units(self) -> bool:
        try:
            return toolkit_units(self.output) == toolkit_units(self.file.data)
        except Exception:  # whatever translate-toolkit raises, it did not read the file
            return False


def post(client: httpx.Client, file: CorpusFile, mode: str) -> RoundTrip:
    form = {"mode": mode, **({"target_lang": file.target_lang} if file.target_lang else {})}
    r = client.post("/v1/xliff", files={"file": (file.name, file.data)}, data=form)
    return RoundTrip(file, mode, r.status_code, r.content)
