"""Read and write TMX translation memories: TMX 1.1 to 1.4 in, TMX 1.4 out, streaming both ways.

Translation memories run to gigabytes, so `read_tmx` never builds the document: lxml's `iterparse` hands
over one `<tu>` at a time, which becomes a frozen `TmxUnit` and is then cleared from the tree, and
`write_tmx` writes each unit as it comes. Memory stays at one unit plus the parser's buffer.

A variant's text is its `<seg>` content as *markup text*, the convention of `formats.xliff`: the inline
elements (bpt, ept, it, ph, hi, ut, sub) serialized as XML without namespace declarations, text escaped as
`&amp; &lt; &gt;`. The agent's markup protection thus reads TMX and XLIFF alike, and the writer puts the
text back as it is, so read -> write -> read gives the same units. `seg_plain_text` drops the codes for
fuzzy matching.

Parsing is hardened as for XLIFF (formats/xmlsafe.py): no DTD loading, no entity expansion, no network,
and a DOCTYPE that declares entities is refused. An external DTD reference (`<!DOCTYPE tmx SYSTEM
"tmx14.dtd">`, which OmegaT and translate-toolkit write) is accepted and never fetched. Every problem is a
`TmxError` naming the file, the line and what is wrong: "invalid XML" about a 1 GB import leaves the user
nowhere to look.
"""

from __future__ import annotations

import io
import re
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from formats.xliff import XML_NS, inline_text
from formats.xmlsafe import (
    ENTITIES_REFUSED,
    HEAD_BYTES,
    ITERPARSE_OPTIONS,
    doctype_problem,
    entity_declaration_at,
    safe_parser,
)

__all__ = ["TmxError", "TmxHeader", "TmxUnit", "TmxVariant", "read_tmx", "seg_plain_text", "write_tmx"]

VERSIONS = frozenset({"1.1", "1.2", "1.3", "1.4", "1.4a", "1.4b"})  # 1.4b files often say so in `version`
SEGTYPES = frozenset({"block", "paragraph", "sentence", "phrase"})
CODES = frozenset({"bpt", "ept", "it", "ph", "ut"})  # native codes of the original format: not text
INLINE = CODES | {"hi", "sub"}  # hi and sub hold translatable text
_XML_LANG = f"{{{XML_NS}}}lang"
_HEADER_ATTRIBUTES = {  # TmxHeader field -> attribute
    "adminlang": "adminlang",
    "creationtool": "creationtool",
    "creationtoolversion": "creationtoolversion",
    "segtype": "segtype",
    "o_tmf": "o-tmf",
    "datatype": "datatype",
}
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # not in XML 1.0
_NEEDS_PARSE = re.compile("[<>&\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LXML_WHERE = re.compile(r",? line \d+, column (\d+)$")
_ENTITIES = f"{ENTITIES_REFUSED}: TMX needs none, and they can expand without bound or read local files"
_SYNTAX_MESSAGES = (  # libxml2's wording for the common accidents -> what to look for
    (
        re.compile(r"^Opening and ending tag mismatch: (\S+) line (\d+) and (\S+)"),
        r"<\1> opened on line \2 is not closed before </\3>",
    ),
    (
        re.compile(r"^Premature end of data in tag (\S+) line (\d+)"),
        r"the file ends inside <\1> opened on line \2",
    ),
)


class TmxError(ValueError):
    """A TMX file we cannot read, or a unit we cannot write as valid TMX. The message names the file (if
    known), the line and what is wrong; `line` is None for problems found while writing."""

    def __init__(self, what: str, line: int | None = None, file: str | None = None) -> None:
        where = ", ".join(part for part in (file, f"line {line}" if line else None) if part)
        super().__init__(f"{where}: {what}" if where else what)
        self.what = what
        self.line = line
        self.file = file


@dataclass(frozen=True)
class TmxVariant:
    """One language of a unit; `text` is the `<seg>` content as markup text (module docstring)."""

    lang: str  # xml:lang as written (e.g. "en", "en-US")
    text: str
    props: tuple[tuple[str, str], ...] = ()  # (type, value) of each <prop>
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TmxUnit:
    """One `<tu>`: its language variants and the metadata a TM keeps about it."""

    id: str | None  # tuid
    variants: tuple[TmxVariant, ...]
    props: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    creationdate: str | None = None
    changedate: str | None = None
    creationid: str | None = None
    changeid: str | None = None

    def text(self, lang: str) -> str | None:
        """The text in `lang`. TMs spell one language many ways, so: the exact tag first (any case, `_` as
        `-`), then a regional variant of a bare language ("en" finds "en-US"), then the bare language for a
        regional request ("en-GB" finds "en"); None when the unit has none of these."""
        wanted = _lang_key(lang)
        keys = [_lang_key(v.lang) for v in self.variants]
        tests: tuple[Callable[[str], bool], ...] = (
            lambda key: key == wanted,
            lambda key: key.startswith(wanted + "-"),
            lambda key: wanted.startswith(key + "-"),
        )
        for test in tests:
            for key, variant in zip(keys, self.variants, strict=True):
                if test(key):
                    return variant.text
        return None


@dataclass(frozen=True)
class TmxHeader:
    """The `<header>` attributes; the defaults describe a memory this service writes."""

    srclang: str
    adminlang: str = "en"
    creationtool: str = "postedit"
    creationtoolversion: str = "0.1.0"
    segtype: str = "sentence"
    o_tmf: str = "postedit"
    datatype: str = "plaintext"


def _lang_key(lang: str) -> str:
    return lang.strip().replace("_", "-").lower()


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


# ---- reading ------------------------------------------------------------------------------------


class _Prefixed:
    """The stream with its already scanned head put back in front, for lxml to read from the start."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if not self._head:
            return self._rest.read(size)
        if size < 0:
            data, self._head = self._head + self._rest.read(), b""
        else:
            data, self._head = self._head[:size], self._head[size:]
        return data


class _Reader:
    """One pass over the parse events: checks the structure as it goes and keeps only the current unit."""

    def __init__(self, stream: BinaryIO, name: str | None) -> None:
        self.name = name
        head = stream.read(HEAD_BYTES)
        at = entity_declaration_at(head)
        if at is not None:  # refused before libxml2 reads a byte: billion laughs, XXE
            raise self.error(_ENTITIES, head[:at].count(b"\n") + 1)
        self.events = etree.iterparse(
            _Prefixed(head, stream),
            events=("start", "end"),
            remove_comments=True,
            remove_pis=True,
            **ITERPARSE_OPTIONS,
        )
        self.ns = ""
        self.inline = INLINE  # the inline element tags, in the file's namespace (TMX 1.4b files may have one)
        self.body: Any = None

    def error(self, what: str, line: int | None = None) -> TmxError:
        return TmxError(what, line, self.name)

    def advance(self) -> tuple[str, Any] | None:
        """The next (event, element), None after the last; syntax errors become TmxError with their line."""
        try:
            return next(self.events)
        except StopIteration:
            return None
        except etree.XMLSyntaxError as exc:
            raise self.error(f"not well-formed XML: {_syntax_message(exc)}", exc.lineno or None) from None
        except OSError as exc:
            raise self.error(f"cannot read: {exc}") from None

    def next(self) -> tuple[str, Any]:
        step = self.advance()
        if step is None:
            raise self.error("the file ends before </tmx>")
        return step

    def finish(self, el: Any) -> None:
        """Consume events up to the end of `el`, whose subtree is then complete."""
        while True:
            event, node = self.next()
            if event == "end" and node is el:
                return

    def read_header(self) -> TmxHeader:
        _, root = self.next()
        self.check_root(root)
        event, header = self.next()
        if event == "end" or _local(header.tag) != "header":
            found = "nothing" if event == "end" else f"<{_local(header.tag)}>"
            raise self.error(f"<tmx> must start with <header>, found {found}", header.sourceline)
        self.finish(header)
        srclang = header.get("srclang")
        if not srclang:
            raise self.error(
                "<header> has no srclang: the memory's source language is required", header.sourceline
            )
        values = {field: header.get(attr) for field, attr in _HEADER_ATTRIBUTES.items() if header.get(attr)}
        header.clear()
        return TmxHeader(srclang=srclang, **values)

    def check_root(self, root: Any) -> None:
        problem = doctype_problem(root.getroottree().docinfo, allow_external_dtd=True)
        if problem:  # a declaration beyond the scanned head, seen in the parsed DOCTYPE
            raise self.error(_ENTITIES if problem == ENTITIES_REFUSED else problem, root.sourceline)
        name = _local(root.tag)
        if name != "tmx":
            raise self.error(
                f"the root element is <{name}>, not <tmx>: this is not a TMX file", root.sourceline
            )
        version = (root.get("version") or "").strip()
        if version not in VERSIONS:
            said = f"version {version!r}" if version else "no version attribute"
            raise self.error(f"<tmx> has {said}; TMX 1.1 to 1.4 can be read", root.sourceline)
        self.ns = etree.QName(root).namespace or ""
        self.inline = frozenset(f"{{{self.ns}}}{name}" for name in INLINE) if self.ns else INLINE

    def units(self) -> Iterator[TmxUnit]:
        event, body = self.next()
        if event == "end":
            raise self.error(
                "<tmx> has no <body>: the units belong in <body> after <header>", body.sourceline
            )
        if _local(body.tag) != "body":
            raise self.error(
                f"<{_local(body.tag)}> where <body> was expected: the units belong in <body> after <header>",
                body.sourceline,
            )
        self.body = body
        while (tu := self.next_tu()) is not None:
            unit = self.make_unit(tu)
            tu.clear()  # what keeps memory flat: the unit is built, its elements go
            while tu.getprevious() is not None:
                del body[0]
            yield unit

    def next_tu(self) -> Any | None:
        event, el = self.next()
        if event == "end":  # </body>
            self.close_root()
            return None
        if _local(el.tag) != "tu":
            raise self.error(
                f"<{_local(el.tag)}> inside <body>: only <tu> elements belong there", el.sourceline
            )
        self.finish(el)
        return el

    def close_root(self) -> None:
        event, el = self.next()
        if event == "start":
            raise self.error(f"<{_local(el.tag)}> after </body>: nothing may follow the body", el.sourceline)
        if self.advance() is not None:  # surfaces trailing garbage as a syntax error
            raise self.error("content after </tmx>")

    def contents(self, el: Any, main: str, where: str) -> tuple[list[Any], list[tuple[str, str]], list[str]]:
        """The `main` children of a <tu> (its <tuv>s) or <tuv> (its <seg>), with its props and notes;
        anything else is an error naming `where` it was found."""
        mains: list[Any] = []
        props: list[tuple[str, str]] = []
        notes: list[str] = []
        for child in el:
            name = self.child_name(child, el)
            if name == main:
                mains.append(child)
            elif name == "prop":
                props.append(self.prop(child))
            elif name == "note":
                notes.append(self.text_only(child))
            else:
                raise self.error(
                    f"<{name}> inside {where}: it holds <note>, <prop> and <{main}>", child.sourceline
                )
        return mains, props, notes

    def make_unit(self, tu: Any) -> TmxUnit:
        tuvs, props, notes = self.contents(tu, "tuv", "<tu>")
        if not tuvs:
            raise self.error("<tu> has no <tuv>: a unit needs at least one language variant", tu.sourceline)
        return TmxUnit(
            id=tu.get("tuid"),
            variants=tuple(self.make_variant(tuv) for tuv in tuvs),
            props=tuple(props),
            notes=tuple(notes),
            creationdate=tu.get("creationdate"),
            changedate=tu.get("changedate"),
            creationid=tu.get("creationid"),
            changeid=tu.get("changeid"),
        )

    def make_variant(self, tuv: Any) -> TmxVariant:
        lang = tuv.get(_XML_LANG) or tuv.get("lang")  # `lang` until TMX 1.3
        if not lang or not lang.strip():
            raise self.error("<tuv> has no xml:lang: every variant needs its language", tuv.sourceline)
        segs, props, notes = self.contents(tuv, "seg", f'<tuv xml:lang="{lang}">')
        if len(segs) != 1:
            said = "no <seg>" if not segs else f"{len(segs)} <seg> elements"
            raise self.error(f'<tuv xml:lang="{lang}"> has {said}; it needs exactly one', tuv.sourceline)
        return TmxVariant(lang, self.seg_text(segs[0]), tuple(props), tuple(notes))

    def child_name(self, child: Any, parent: Any) -> str:
        if child.tag is etree.Entity:
            raise self.error(f"undefined entity {child.text}: entities are not expanded", parent.sourceline)
        return _local(child.tag)

    def seg_text(self, seg: Any) -> str:
        """The markup text of a `<seg>`, after checking that it holds only TMX inline elements."""
        for node in seg.iterdescendants():
            if node.tag is etree.Entity:
                raise self.error(
                    f"undefined entity {node.text} in <seg>: entities are not expanded", seg.sourceline
                )
            if node.tag in self.inline:
                continue
            raise self.error(
                f"<{_local(node.tag)}> inside <seg> is not a TMX inline element ({', '.join(sorted(INLINE))})",
                node.sourceline,
            )
        return inline_text(seg, self.ns)

    def prop(self, el: Any) -> tuple[str, str]:
        kind = el.get("type")
        if kind is None:
            raise self.error("<prop> has no type attribute", el.sourceline)
        return kind, self.text_only(el)

    def text_only(self, el: Any) -> str:
        for child in el:
            what = f"undefined entity {child.text}" if child.tag is etree.Entity else f"<{_local(child.tag)}>"
            raise self.error(f"{what} inside <{_local(el.tag)}>: it may hold only text", el.sourceline)
        return str(el.text or "")


def _syntax_message(exc: etree.XMLSyntaxError) -> str:
    """libxml2's message in the words of someone fixing the file: which tag is unclosed, where it opened."""
    message = exc.msg or str(exc)
    if "Document is empty" in message or "no element found" in message:
        return "the file is empty or is not XML"
    where = _LXML_WHERE.search(message)
    if where:
        message = message[: where.start()]
    for pattern, replacement in _SYNTAX_MESSAGES:
        if pattern.search(message):
            return pattern.sub(replacement, message)
    return f"{message} (column {where.group(1)})" if where else message


def _open(source: bytes | BinaryIO | Path) -> tuple[BinaryIO, str | None, bool]:
    """(stream, name for messages, whether we opened it and must close it)."""
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(source)), None, False
    if isinstance(source, str):
        raise TypeError("read_tmx takes a Path, bytes or a binary stream, not str")
    if isinstance(source, Path):
        try:
            return source.open("rb"), str(source), True
        except OSError as exc:
            raise TmxError(f"cannot open: {exc.strerror}", file=str(source)) from None
    name = getattr(source, "name", None)
    return source, name if isinstance(name, str) else None, False


def read_tmx(source: bytes | BinaryIO | Path) -> tuple[TmxHeader, Iterator[TmxUnit]]:
    """The header, read at once, and an iterator that reads the units as it is consumed.

    A broken start of the file (not TMX, no header, an entity declaration) raises TmxError here; a broken
    unit raises it from the iterator when that unit is reached, after the units before it. A file opened
    from a Path is closed when the iterator is exhausted, closed or dropped; a stream is left open.
    """
    stream, name, owned = _open(source)
    try:
        reader = _Reader(stream, name)
        header = reader.read_header()
    except BaseException:
        if owned:
            stream.close()
        raise
    units = _closing(reader.units(), stream if owned else None)
    if owned:
        weakref.finalize(units, stream.close)  # an iterator dropped before its first unit
    return header, units


def _closing(units: Iterator[TmxUnit], stream: BinaryIO | None) -> Iterator[TmxUnit]:
    try:
        yield from units
    finally:
        if stream is not None:
            stream.close()


# ---- writing ------------------------------------------------------------------------------------


def _escape(text: str, where: str, attribute: bool = False) -> str:
    """Text or attribute value as XML; `\\r` (and in attributes `\\n`, `\\t`) as character references, which
    XML parsers would otherwise normalize away."""
    bad = _ILLEGAL.search(text)
    if bad:
        raise TmxError(f"{where}: U+{ord(bad.group()):04X} cannot be written in XML 1.0")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return text


def _attributes(pairs: Iterable[tuple[str, str | None]], where: str) -> str:
    return "".join(f' {key}="{_escape(value, where, True)}"' for key, value in pairs if value is not None)


def _parse_seg(text: str, where: str) -> Any:
    """The `<seg>` element of a markup text; TmxError unless it is well-formed and holds only TMX inline
    elements, the guarantee that what the writer emits is valid TMX."""
    try:
        seg = etree.fromstring(f"<seg>{text}</seg>".encode(), safe_parser())
    except (etree.XMLSyntaxError, UnicodeEncodeError) as exc:
        raise TmxError(f"{where}: the text is not well-formed XML ({exc})") from None
    for node in seg.iterdescendants(tag=etree.Element):
        if node.tag not in INLINE:
            raise TmxError(f"{where}: <{node.tag}> is not a TMX inline element ({', '.join(sorted(INLINE))})")
    return seg


def _seg_markup(text: str, where: str) -> str:
    if not _NEEDS_PARSE.search(text):
        return text  # plain words: nothing to check or escape (most of any TM)
    _parse_seg(text, where)
    return text.replace("\r", "&#13;")


def _metadata(
    notes: tuple[str, ...], props: tuple[tuple[str, str], ...], indent: str, where: str
) -> list[str]:
    lines = [f"{indent}<note>{_escape(note, where)}</note>\n" for note in notes]
    lines += [
        f'{indent}<prop type="{_escape(kind, where, True)}">{_escape(value, where)}</prop>\n'
        for kind, value in props
    ]
    return lines


def _variant_xml(variant: TmxVariant, where: str) -> list[str]:
    if not variant.lang.strip():
        raise TmxError(f"{where}: a variant has no language")
    where = f"{where}, variant {variant.lang!r}"
    lines = [f'      <tuv xml:lang="{_escape(variant.lang, where, True)}">\n']
    lines += _metadata(variant.notes, variant.props, "        ", where)
    lines.append(f"        <seg>{_seg_markup(variant.text, where)}</seg>\n      </tuv>\n")
    return lines


def _unit_xml(unit: TmxUnit, number: int) -> bytes:
    where = f"unit {unit.id!r}" if unit.id is not None else f"unit #{number}"
    if not unit.variants:
        raise TmxError(f"{where} has no variant: a TMX unit needs at least one <tuv>")
    dates = (
        ("tuid", unit.id),
        ("creationdate", unit.creationdate),
        ("creationid", unit.creationid),
        ("changedate", unit.changedate),
        ("changeid", unit.changeid),
    )
    lines = [f"    <tu{_attributes(dates, where)}>\n"]
    lines += _metadata(unit.notes, unit.props, "      ", where)
    for variant in unit.variants:
        lines += _variant_xml(variant, where)
    lines.append("    </tu>\n")
    return "".join(lines).encode()


def _header_xml(header: TmxHeader) -> bytes:
    if header.segtype not in SEGTYPES:
        raise TmxError(f"header: segtype {header.segtype!r} is not one of {', '.join(sorted(SEGTYPES))}")
    pairs = [(attr, getattr(header, field)) for field, attr in _HEADER_ATTRIBUTES.items()]
    attributes = _attributes([*pairs, ("srclang", header.srclang)], "header")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n  <header{attributes}/>\n  <body>\n'.encode()


def write_tmx(header: TmxHeader, units: Iterable[TmxUnit], out: BinaryIO) -> int:
    """Write a TMX 1.4 document in UTF-8 to `out`, one unit at a time; the number of units written.

    Raises TmxError for a unit that cannot be valid TMX (no variant, no language, seg text that is not
    well-formed or holds other than TMX inline elements, characters XML 1.0 cannot carry); what was
    written before it stays in `out`, so write to a temporary file and rename it when this returns.
    """
    out.write(_header_xml(header))
    count = 0
    for unit in units:
        out.write(_unit_xml(unit, count + 1))
        count += 1
    out.write(b"  </body>\n</tmx>\n")
    return count


def seg_plain_text(text: str) -> str:
    """The words of a seg's markup text, for fuzzy matching: the content of bpt, ept, it, ph and ut is the
    original format's code (`<b>`, `{\\i}`) and goes; hi and sub hold translatable text and stay, even inside
    a code (a `<sub>` in a `<ph>` is the alt text of an image). TmxError when the text is not well-formed."""
    if "<" not in text and "&" not in text:
        return text
    out: list[str] = []
    _collect(_parse_seg(text, "seg text"), True, out)
    return "".join(out)


def _collect(el: Any, keep: bool, out: list[str]) -> None:
    if keep and el.text:
        out.append(el.text)
    for child in el:
        if isinstance(child.tag, str):
            _collect(child, child.tag not in CODES, out)
        if keep and child.tail:  # a tail is its parent's content: code inside a code, text inside hi/sub
            out.append(child.tail)
