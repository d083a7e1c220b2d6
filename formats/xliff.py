"""Read and write XLIFF 1.1, 1.2 and 2.x (2.0/2.1/2.2): units out as markup text, post-edited targets back in.

`parse_xliff` lists every unit (1.x `<trans-unit>`, 2.x `<segment>` of a `<unit>`) with its `<source>`
and `<target>` as *markup text*: the inline XML (`<g id="1">`, `<x/>`, `<pc>`, `<ph/>`, ...) serialized
as text without namespace declarations, which is what the agent's markup protection reads. XLIFF 1.1
(translate-toolkit, older Okapi) is read and written exactly as 1.2, in its own namespace.

`write_xliff` puts targets back and edits the file in place, byte for byte: the new bytes are spliced
into the original at the offsets expat reports, so line endings (CRLF), entity spelling (`&apos;`),
attribute quoting, comments and skeletons survive. What may change, and nothing else:

- the `<target>` elements written (1.x: with their `state`), created after `<source>`/`<seg-source>`
  when missing, in the file's line-ending style;
- 2.x: the `state` attribute of a written `<segment>`;
- Trados SDLXLIFF: the written segment's `<sdl:seg>` (`conf`; and after an edit `origin="mt"`,
  `origin-system="postedit"`, no match `percent`, the previous origin kept in `<sdl:prev-origin>` as
  Trados keeps it);
- QA findings as notes (1.x `<note from="postedit">`, 2.x `<note category="postedit">`), which replace
  this module's earlier notes. 1.x notes go after the unit's last XLIFF element and before any foreign
  one, where the XSD sequence allows them. SDLXLIFF gets none: Trados shows only its own comments
  (`x-sdl-comment` markers defined in the file header's `cmt-defs`), so a `<note>` there would be
  invisible to the linguist; the segment's Draft status is what flags it.

Statuses are never raised without an edit: a target whose text comes back unchanged keeps its state
(an unchanged copy in `new` or SDL `Draft` stays so); it can only be lowered to the review state when
the check found a problem. Parsing is hardened: no DTD loading, no network, no entity resolution, no
huge trees, and any DOCTYPE that declares entities or points at an external DTD is refused (billion
laughs, XXE). `translate="no"` (inherited from file/group), locked, approved, rejected, signed-off and
final units, and po2xliff's PO header, are reported as not editable and never changed.

Segmented 1.2 files (Trados SDLXLIFF, Okapi: a `<seg-source>` whose `<mrk mtype="seg" mid="N">` elements
split the paragraph into sentences) list one unit per segment, so the agent never sees the segment
markers and cannot strip them; writing fills only the target `<mrk>` with the same `mid`. Trados keeps
per-segment status in `<sdl:seg-defs>`: locked, approved and rejected segments are not editable, and the
writer sets that segment's `conf` (Translated / Draft) instead of the target's `state`. A target without
segment markers (written before segmentation) is read as the MT of a single segment and, when written,
is replaced by a segmented one.
"""

from __future__ import annotations

import copy
import re
import xml.parsers.expat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from formats.xmlsafe import ENTITIES_REFUSED, HEAD_BYTES, doctype_problem, entity_declaration_at, safe_parser
from glossaries.placeholder_profiles import profiles_for_file

__all__ = [
    "XLIFF2_NS",
    "XLIFF11_NS",
    "XLIFF12_NS",
    "TargetUpdate",
    "XliffDocument",
    "XliffError",
    "XliffUnit",
    "inline_text",
    "parse_xliff",
    "write_xliff",
]

XLIFF11_NS = "urn:oasis:names:tc:xliff:document:1.1"
XLIFF12_NS = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF2_NS = "urn:oasis:names:tc:xliff:document:2.0"  # the core namespace of 2.0, 2.1 and 2.2
SDL_NS = "http://sdl.com/FileTypes/SdlXliff/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
NOTE_FROM = "postedit"  # 1.2 `from` / 2.x `category` of the notes this module writes (and replaces)

_SPLICE_ENCODINGS = {"utf-8", "utf8", "ascii", "us-ascii", "iso-8859-1", "latin-1", "latin1", "windows-1252"}
_TRUE = {"yes", "true", "1", "locked"}  # memoQ writes mq:locked="locked"
_SDL_APPROVED = {"ApprovedTranslation", "ApprovedSignOff"}  # `conf` of an `<sdl:seg>` a reviewer signed
_SDL_REJECTED = {"RejectedTranslation", "RejectedSignOff"}  # a reviewer's verdict: the linguist's to fix
_SDL_MATCH = ("origin", "origin-system", "percent", "struct-match", "text-match")  # where a target came from
_MAX_BYTES = 200_000_000


class XliffError(ValueError):
    """The file is not XLIFF we can safely process (malformed, unsupported version, entity declarations)."""


@dataclass(frozen=True)
class XliffUnit:
    """One translatable segment. `key` is unique in the document and stable between parse and write."""

    key: str
    id: str
    source: str
    target: str | None
    editable: bool
    skip_reason: str | None = None  # translate=no | header | locked | approved | rejected | final | empty
    notes: tuple[str, ...] = ()
    mt: str | None = None  # the MT the file offers: 1.2 `<alt-trans>` (origin="mt" first), 2.x `<mtc:match>`


@dataclass(frozen=True)
class TargetUpdate:
    text: str  # markup text, same conventions as `XliffUnit.source`
    needs_review: bool = False
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class XliffDocument:
    version: str
    source_lang: str | None
    target_lang: str | None
    units: tuple[XliffUnit, ...]
    placeholders: tuple[str, ...] = ()  # profiles the first <file>'s datatype or original name implies

    @property
    def editable(self) -> tuple[XliffUnit, ...]:
        return tuple(u for u in self.units if u.editable)


@dataclass
class _Slot:
    """Where one unit's pieces live in the lxml tree."""

    unit: XliffUnit
    container: Any  # 1.x trans-unit / 2.x unit
    holder: Any  # 1.x trans-unit / 2.x segment (carries source, target, state)
    source: Any
    target: Any | None
    unit_index: int  # index of the container among all unit elements
    mid: str | None = None  # 1.2 segmented trans-unit: the `mid` of this slot's `<mrk mtype="seg">`


@dataclass(frozen=True)
class _Span:
    """Byte offsets of one node in the original file."""

    lead: int  # start of the whitespace run just before the node (its indentation)
    start: int  # its `<`
    head_end: int  # just after its start tag (for a comment or PI: its end)
    end: int  # just after the node


@dataclass
class _Changes:
    """What the writer did to the tree, in terms the splicer can turn into byte edits."""

    rewritten: dict[int, Any] = field(default_factory=dict)  # original elements re-serialized whole
    attributes: dict[int, tuple[Any, dict[str, str]]] = field(default_factory=dict)  # el, attrib before
    inserts: list[Any] = field(default_factory=list)  # new elements whose parent is an original one
    removed: dict[int, Any] = field(default_factory=dict)
    dirty: bool = False  # anything changed at all (what a file that cannot be spliced needs to know)


@dataclass
class _UnitStatus:
    """A segmented 1.2 unit's written segments: the target `state` covers all of them."""

    edited: bool = False
    review: bool = False


@dataclass
class _Parsed:
    tree: Any
    root: Any
    version: str
    ns: str
    source_lang: str | None
    target_lang: str | None
    slots: list[_Slot] = field(default_factory=list)
    containers: list[Any] = field(default_factory=list)
    units: dict[int, _UnitStatus] = field(default_factory=dict)  # segmented unit index -> written so far
    nodes: list[Any] = field(default_factory=list)  # keeps lxml proxies alive, so `id()` keys stay valid
    spans: dict[int, _Span] = field(default_factory=dict)
    changes: _Changes = field(default_factory=_Changes)

    @property
    def is2(self) -> bool:
        return self.version.startswith("2.")

    @property
    def sdl(self) -> bool:
        """A Trados Studio file (its root carries `sdl:version`), not one that merely borrows `sdl:` names."""
        return self.root.get(f"{{{SDL_NS}}}version") is not None


def _check_doctype(data: bytes, tree: Any) -> None:
    """The shared hardening (formats/xmlsafe.py); XLIFF never needs an external DTD, so none is allowed."""
    if entity_declaration_at(data[:HEAD_BYTES]) is not None:
        raise XliffError(ENTITIES_REFUSED)
    problem = doctype_problem(tree.docinfo, allow_external_dtd=False)
    if problem:
        raise XliffError(problem)


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _flag(el: Any, local_name: str) -> str | None:
    """An attribute by local name in any namespace (`translate`, `sdl:locked`, `mq:locked`, ...)."""
    for name, value in el.attrib.items():
        if etree.QName(name).localname == local_name:
            return str(value)
    return None


def _translate_no(el: Any) -> bool:
    """`translate="no"` on the element or its nearest ancestor that says anything (XLIFF inheritance)."""
    node = el
    while node is not None:
        value = node.get("translate")
        if value is not None:
            return value.lower() == "no"
        node = node.getparent()
    return False


# ---- inline XML <-> markup text -------------------------------------------------------------------


def _esc_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _esc_attr(text: str) -> str:
    return _esc_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _qname(el: Any, name: str, default_ns: str) -> str:
    q = etree.QName(name)
    if q.namespace is None or q.namespace == default_ns:
        return q.localname
    if q.namespace == XML_NS:
        return f"xml:{q.localname}"
    for prefix, uri in el.nsmap.items():
        if uri == q.namespace and prefix:
            return f"{prefix}:{q.localname}"
    return q.localname


def _serialize(el: Any, default_ns: str, out: list[str]) -> None:
    if isinstance(el, etree._Comment):
        out.append(f"<!--{el.text or ''}-->")
    elif isinstance(el, etree._ProcessingInstruction):
        out.append(f"<?{el.target} {el.text or ''}?>")
    else:
        name = _qname(el, el.tag, default_ns)
        attrs = "".join(f' {_qname(el, k, default_ns)}="{_esc_attr(v)}"' for k, v in el.attrib.items())
        if len(el) == 0 and not el.text:
            out.append(f"<{name}{attrs}/>")
        else:
            out.append(f"<{name}{attrs}>")
            out.append(_esc_text(el.text or ""))
            for child in el:
                _serialize(child, default_ns, out)
            out.append(f"</{name}>")
    if el.tail:
        out.append(_esc_text(el.tail))


def inline_text(el: Any, default_ns: str) -> str:
    """The content of `<source>`/`<target>` as markup text: inline tags kept, xmlns dropped."""
    out = [_esc_text(el.text or "")]
    for child in el:
        _serialize(child, default_ns, out)
    return "".join(out)


def _fill(target: Any, text: str, context: Any) -> None:
    """Replace `target`'s content with the parsed markup text; XliffError when it is not well-formed."""
    decls = "".join(
        f' xmlns="{_esc_attr(uri)}"' if prefix is None else f' xmlns:{prefix}="{_esc_attr(uri)}"'
        for prefix, uri in context.nsmap.items()
    )
    try:
        wrapper = etree.fromstring(f"<w__{decls}>{text}</w__>".encode(), safe_parser())
    except etree.XMLSyntaxError as exc:
        raise XliffError(f"target is not well-formed: {exc}") from exc
    for child in list(target):
        target.remove(child)
    target.text = wrapper.text
    for child in list(wrapper):
        target.append(child)


# ---- parsing ------------------------------------------------------------------------------------


def _load(data: bytes) -> _Parsed:
    if len(data) > _MAX_BYTES:
        raise XliffError("file too large")
    try:
        tree = etree.ElementTree(etree.fromstring(data, safe_parser()))
    except etree.XMLSyntaxError as exc:
        raise XliffError(f"not well-formed XML: {exc}") from exc
    except ValueError as exc:
        raise XliffError(f"cannot parse: {exc}") from exc
    _check_doctype(data, tree)
    root = tree.getroot()
    ns = etree.QName(root).namespace or ""
    if _local(root.tag) != "xliff":
        raise XliffError("the root element is not <xliff>")
    version = root.get("version", "")
    if ns in {XLIFF12_NS, XLIFF11_NS} or (not ns and version.startswith("1.")):
        return _load12(tree, root, ns, version or ("1.1" if ns == XLIFF11_NS else "1.2"))
    if ns == XLIFF2_NS or version.startswith("2."):
        return _load2(tree, root, ns, version or "2.0")
    raise XliffError(f"unsupported XLIFF version {version!r} (namespace {ns!r})")


def _tag(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}" if ns else local


def _notes_text(els: Iterator[Any]) -> tuple[str, ...]:
    return tuple(
        "".join(n.itertext()).strip() for n in els if (n.get("from") or n.get("category")) != NOTE_FROM
    )


def _unit_reason12(unit: Any, target: Any | None) -> str | None:
    """Why a whole trans-unit is not editable (inherited `translate="no"`, a PO header, locked, approved,
    final)."""
    if _translate_no(unit):
        return "translate=no"
    if unit.get("restype") == "x-gettext-domain-header":
        return "header"  # po2xliff's PO header: metadata that xliff2po writes back, not text to translate
    if (_flag(unit, "locked") or "").lower() in _TRUE or (
        target is not None and (_flag(target, "locked") or "").lower() in _TRUE
    ):
        return "locked"
    if (unit.get("approved") or "").lower() == "yes":
        return "approved"
    if target is not None and target.get("state") in {"final", "signed-off"}:
        return "final"
    return None


def _seg_mrks(el: Any, ns: str) -> list[Any]:
    """The segment markers under `el`, in document order (they may sit inside inline `<g>` elements)."""
    return [m for m in el.iter(_tag(ns, "mrk")) if m.get("mtype") == "seg"]


def _segments12(unit: Any, ns: str) -> list[Any]:
    """The `<seg-source>` segments of a trans-unit; [] when it is not segmented, or its `mid`s cannot
    tell the segments apart (missing or repeated), so it is handled as one unit."""
    seg_source = unit.find(_tag(ns, "seg-source"))
    mrks = _seg_mrks(seg_source, ns) if seg_source is not None else []
    mids = [m.get("mid") for m in mrks]
    return mrks if all(mids) and len(set(mids)) == len(mids) else []


def _sdl_seg(unit: Any, mid: str) -> Any | None:
    """The Trados `<sdl:seg id=mid>` of a trans-unit: the segment's status (conf, locked, origin)."""
    for defs in unit:
        if _local(defs.tag) == "seg-defs":
            for seg in defs:
                if _local(seg.tag) == "seg" and seg.get("id") == mid:
                    return seg
    return None


def _segment_reason(unit_reason: str | None, mrk: Any, sdl_seg: Any | None) -> str | None:
    if unit_reason is not None:
        return unit_reason
    if sdl_seg is not None and (_flag(sdl_seg, "locked") or "").lower() in _TRUE:
        return "locked"
    if sdl_seg is not None and _flag(sdl_seg, "conf") in _SDL_APPROVED:
        return "approved"
    if sdl_seg is not None and _flag(sdl_seg, "conf") in _SDL_REJECTED:
        return "rejected"
    return None if "".join(mrk.itertext()).strip() else "empty"


def _unit(
    ns: str,
    key: str,
    uid: str,
    source: Any,
    target: Any | None,
    reason: str | None,
    notes: tuple[str, ...],
    mt: Any | None = None,
) -> XliffUnit:
    """What the agent sees of one unit or segment: source and target as markup text, and whether to edit."""
    return XliffUnit(
        key=key,
        id=uid,
        source=inline_text(source, ns),
        target=inline_text(target, ns) if target is not None else None,
        editable=reason is None,
        skip_reason=reason,
        notes=notes,
        mt=inline_text(mt, etree.QName(mt).namespace or "") if mt is not None else None,
    )


def _offered_mt(container: Any, holder_tag: str) -> Any | None:
    """The `<target>` of the MT a unit carries: a 1.2 `<alt-trans>` (origin="mt" preferred over other
    matches) or a 2.x `<mtc:match>`; None when it has none."""
    alts = [a for a in container if _local(a.tag) == holder_tag]
    if holder_tag == "alt-trans":
        alts = [a for a in alts if (a.get("origin") or "").lower() in ("mt", "machine-translation")] or alts
    else:
        alts = [m for m in container.iter() if _local(m.tag) == "match"]
    for alt in alts:
        target = next((c for c in alt if _local(c.tag) == "target"), None)
        if target is not None:
            return target
    return None


def _segment_id(uid: str, sid: str, count: int) -> str:
    """A unit of one segment keeps the unit's id; several are told apart as `unit/segment`."""
    return uid if count == 1 else f"{uid}/{sid}"


def _load12(tree: Any, root: Any, ns: str, version: str) -> _Parsed:
    files = list(root.iter(_tag(ns, "file")))
    first = files[0] if files else root
    parsed = _Parsed(tree, root, version, ns, first.get("source-language"), first.get("target-language"))
    for index, unit in enumerate(root.iter(_tag(ns, "trans-unit"))):
        parsed.containers.append(unit)
        source = unit.find(_tag(ns, "source"))
        if source is None:
            continue
        target = unit.find(_tag(ns, "target"))
        reason = _unit_reason12(unit, target)
        file_index = files.index(unit.iterancestors(_tag(ns, "file")).__next__()) if files else 0
        uid = unit.get("id", str(index))
        notes = _notes_text(unit.iter(_tag(ns, "note")))
        segments = _segments12(unit, ns)
        if segments:
            targets = {m.get("mid"): m for m in _seg_mrks(target, ns)} if target is not None else {}
            if target is not None and not targets and len(segments) == 1:
                targets = {segments[0].get("mid"): target}  # an unsegmented target of one segment is its MT
            for mrk in segments:
                mid = mrk.get("mid")
                seg_target = targets.get(mid)
                seg_reason = _segment_reason(reason, mrk, _sdl_seg(unit, mid))
                key, sid = f"{file_index}/{uid}/{mid}#{index}", _segment_id(uid, mid, len(segments))
                xu = _unit(ns, key, sid, mrk, seg_target, seg_reason, notes)
                parsed.slots.append(_Slot(xu, unit, unit, mrk, seg_target, index, mid))
            continue
        if reason is None and not "".join(source.itertext()).strip():
            reason = "empty"
        xu = _unit(
            ns,
            f"{file_index}/{uid}#{index}",
            uid,
            source,
            target,
            reason,
            notes,
            _offered_mt(unit, "alt-trans"),
        )
        parsed.slots.append(_Slot(xu, unit, unit, source, target, index))
    return parsed


def _segment_reason2(unit: Any, segment: Any, source: Any) -> str | None:
    """Why a 2.x segment is not editable: `translate="no"`, locked, reviewed (signed) or final."""
    if _translate_no(unit):
        return "translate=no"
    if (_flag(unit, "locked") or _flag(segment, "locked") or "").lower() in _TRUE:
        return "locked"
    if segment.get("state") == "final":
        return "final"
    if segment.get("state") == "reviewed":
        return "approved"
    return None if "".join(source.itertext()).strip() else "empty"


def _load2(tree: Any, root: Any, ns: str, version: str) -> _Parsed:
    parsed = _Parsed(tree, root, version, ns, root.get("srcLang"), root.get("trgLang"))
    files = list(root.iter(_tag(ns, "file")))
    for index, unit in enumerate(root.iter(_tag(ns, "unit"))):
        parsed.containers.append(unit)
        uid = unit.get("id", str(index))
        file_el = next(unit.iterancestors(_tag(ns, "file")), None)
        file_index = files.index(file_el) if file_el is not None else 0
        segments = [s for s in unit if _local(s.tag) == "segment"]
        notes = _notes_text(unit.iter(_tag(ns, "note")))
        for seg_index, segment in enumerate(segments):
            source = segment.find(_tag(ns, "source"))
            if source is None:
                continue
            target = segment.find(_tag(ns, "target"))
            reason = _segment_reason2(unit, segment, source)
            sid = segment.get("id") or str(seg_index)
            key = f"{file_index}/{uid}/{sid}#{index}"
            mt = _offered_mt(unit, "match") if len(segments) == 1 else None
            xu = _unit(ns, key, _segment_id(uid, sid, len(segments)), source, target, reason, notes, mt)
            parsed.slots.append(_Slot(xu, unit, segment, source, target, index))
    return parsed


def parse_xliff(data: bytes) -> XliffDocument:
    """List the units of an XLIFF 1.x or 2.x file. Raises `XliffError` for anything unsafe or malformed."""
    parsed = _load(data)
    first = next(parsed.root.iter(_tag(parsed.ns, "file")), None)
    return XliffDocument(
        version=parsed.version,
        source_lang=parsed.source_lang,
        target_lang=parsed.target_lang,
        units=tuple(s.unit for s in parsed.slots),
        placeholders=profiles_for_file(first.get("original"), first.get("datatype"))
        if first is not None
        else (),
    )


# ---- where every node is in the original bytes ----------------------------------------------------

_START_TAG = re.compile(rb"""<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")
_ATTRIBUTE = re.compile(rb"""(\s+)([^\s=/>]+)(\s*=\s*)("[^"]*"|'[^']*')""")
_WHITESPACE = b" \t\r\n"


class _Scanner:
    """Start, start-tag end and end of every element, comment and PI inside the root, in document order
    (lxml's `root.iter()` order), from expat's byte positions."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.found: list[list[int]] = []  # [start, head_end, end]; end -1 until the element closes
        self._open: list[int] = []
        self._parser = xml.parsers.expat.ParserCreate()
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CommentHandler = self._comment
        self._parser.ProcessingInstructionHandler = self._pi
        self._parser.Parse(data, True)

    def _start(self, _name: str, _attrs: Any) -> None:
        start = self._parser.CurrentByteIndex
        match = _START_TAG.match(self.data, start)
        if match is None:
            raise ValueError(f"no start tag at byte {start}")
        head_end = match.end()
        self._open.append(len(self.found))
        self.found.append([start, head_end, head_end if self.data[head_end - 2 : head_end] == b"/>" else -1])

    def _end(self, _name: str) -> None:
        node = self.found[self._open.pop()]
        if node[2] < 0:
            node[2] = self.data.index(b">", self._parser.CurrentByteIndex) + 1

    def _leaf(self, closer: bytes) -> None:
        if self._open:  # comments and PIs outside the root are not in `root.iter()`
            start = self._parser.CurrentByteIndex
            end = self.data.index(closer, start) + len(closer)
            self.found.append([start, end, end])

    def _comment(self, _text: str) -> None:
        self._leaf(b"-->")

    def _pi(self, _target: str, _text: str) -> None:
        self._leaf(b"?>")


def _lead(data: bytes, start: int) -> int:
    while start > 0 and data[start - 1] in _WHITESPACE:
        start -= 1
    return start


def _index_spans(parsed: _Parsed, data: bytes) -> bool:
    """Record every node's byte span; False when expat and lxml disagree on the nodes (then no splicing)."""
    try:
        found = _Scanner(data).found
    except (ValueError, xml.parsers.expat.ExpatError):
        return False
    parsed.nodes = list(parsed.root.iter())
    if len(found) != len(parsed.nodes):
        return False
    parsed.spans = {
        id(node): _Span(_lead(data, start), start, head_end, end)
        for node, (start, head_end, end) in zip(parsed.nodes, found, strict=True)
    }
    return True


# ---- recording changes --------------------------------------------------------------------------


def _rewrite(parsed: _Parsed, el: Any) -> None:
    """`el`'s content changes: it is re-serialized whole (a new element always is)."""
    parsed.changes.dirty = True
    if id(el) in parsed.spans:
        parsed.changes.rewritten[id(el)] = el


def _set(parsed: _Parsed, el: Any, name: str, value: str | None) -> None:
    """Set (or with None remove) an attribute, remembering the original ones for a textual edit."""
    parsed.changes.dirty = True
    if id(el) in parsed.spans and id(el) not in parsed.changes.attributes:
        parsed.changes.attributes[id(el)] = (el, dict(el.attrib))
    if value is None:
        el.attrib.pop(name, None)
    else:
        el.set(name, value)


def _anchor(parsed: _Parsed, el: Any) -> tuple[Any, bool]:
    """The nearest original sibling a new element goes after (or, if none precedes, before), in the
    final tree: an element removed in the meantime is no anchor."""
    node = el.getprevious()
    while node is not None:
        if id(node) in parsed.spans:
            return node, False
        node = node.getprevious()
    node = el.getnext()
    while node is not None:
        if id(node) in parsed.spans:
            return node, True
        node = node.getnext()
    raise XliffError(f"cannot place a new <{_local(el.tag)}>: its parent has no original child")


def _inserted(parsed: _Parsed, el: Any) -> None:
    """`el` was just placed in the tree; inside a new element it is rendered with that one."""
    parsed.changes.dirty = True
    if parsed.spans and id(el.getparent()) in parsed.spans:
        parsed.changes.inserts.append(el)


def _remove(parsed: _Parsed, el: Any) -> None:
    """Remove an element (with the indentation before it, in the bytes)."""
    parsed.changes.dirty = True
    if id(el) in parsed.spans:
        parsed.changes.removed[id(el)] = el
    else:
        parsed.changes.inserts = [new for new in parsed.changes.inserts if new is not el]
    el.getparent().remove(el)


# ---- states -------------------------------------------------------------------------------------

# How far along a target is; an unedited target may go down to the review state, never up.
_RANK12 = {
    "new": 0,
    "needs-translation": 0,
    "needs-l10n": 0,
    "needs-adaptation": 0,
    "needs-review-translation": 1,
    "needs-review-l10n": 1,
    "needs-review-adaptation": 1,
    "translated": 2,
    "signed-off": 3,
    "final": 3,
}
_RANK2 = {"initial": 0, "translated": 1, "reviewed": 2, "final": 3}
_RANK_SDL = {"Draft": 1, "Translated": 2}


@dataclass(frozen=True)
class _Scale:
    ranks: Mapping[str, int]
    absent: int  # the rank of a target without the attribute
    unknown: int  # the rank of a custom value (x-...)

    def next(self, current: str | None, wanted: str, edited: bool) -> str | None:
        """`wanted` after an edit; without one, `wanted` only if it is lower than `current`."""
        if edited:
            return wanted
        rank = self.absent if current is None else self.ranks.get(current, self.unknown)
        return wanted if self.ranks[wanted] < rank else current


_STATE12 = _Scale(_RANK12, absent=2, unknown=2)  # a target without state is taken as translated
_STATE2 = _Scale(_RANK2, absent=0, unknown=0)  # 2.x: no state means initial
_CONF_SDL = _Scale(_RANK_SDL, absent=0, unknown=0)  # no conf: Trados' "Not Translated"


def _sdl_machine_origin(seg: Any) -> None:
    """The segment now holds machine output: `origin="mt"`, no TM match figures; what it held before
    goes into `<sdl:prev-origin>` (nesting the older ones), as Trados records an overwritten origin."""
    before = {k: v for k, v in seg.attrib.items() if k in _SDL_MATCH}
    if before.get("origin") == "mt" and before.get("origin-system") == NOTE_FROM and len(before) == 2:
        return  # our own earlier output: nothing new to keep
    if before:
        prev = etree.Element(f"{{{SDL_NS}}}prev-origin", attrib=before)
        for older in [c for c in seg if _local(c.tag) == "prev-origin"]:
            seg.remove(older)
            prev.append(older)
        seg.insert(0, prev)
    for name in _SDL_MATCH:
        seg.attrib.pop(name, None)
    seg.set("origin", "mt")
    seg.set("origin-system", NOTE_FROM)


def _sdl_status(parsed: _Parsed, seg: Any, review: bool, edited: bool) -> None:
    conf = _CONF_SDL.next(seg.get("conf"), "Draft" if review else "Translated", edited)
    if conf == seg.get("conf") and not edited:
        return
    _rewrite(parsed, seg)
    if conf is not None:
        seg.set("conf", conf)
    if edited:
        _sdl_machine_origin(seg)


# ---- writing ------------------------------------------------------------------------------------


def _new_target(parsed: _Parsed, slot: _Slot) -> Any:
    target = etree.Element(_tag(parsed.ns, "target"), nsmap=None)
    anchor = slot.source
    if not parsed.is2:
        seg_source = slot.holder.find(_tag(parsed.ns, "seg-source"))
        anchor = seg_source if seg_source is not None else slot.source
        if parsed.target_lang:
            target.set(f"{{{XML_NS}}}lang", parsed.target_lang)
    anchor.addnext(target)  # the bytes take the anchor's indentation (see `_insert_edits`)
    _inserted(parsed, target)
    return target


def _empty(el: Any) -> None:
    for child in list(el):
        el.remove(child)
    el.text = None


def _mirror_target(parsed: _Parsed, slot: _Slot, target: Any | None = None) -> Any:
    """The `<target>` (a new one, or `target` emptied, attributes kept) shaped like the `<seg-source>`:
    inline tags and text between segments copied, every segment empty. Trados and Okapi expect each
    source `mid` in the target."""
    if target is None:
        target = _new_target(parsed, slot)
    else:
        _rewrite(parsed, target)
        _empty(target)
    seg_source = slot.container.find(_tag(parsed.ns, "seg-source"))
    target.text = seg_source.text
    for child in seg_source:
        target.append(copy.deepcopy(child))
    for mrk in _seg_mrks(target, parsed.ns):
        _empty(mrk)
    return target


def _target_mrk(parsed: _Parsed, slot: _Slot, target: Any) -> Any:
    """The target's `<mrk>` for the slot's mid; appended (empty, after the whitespace that precedes it in
    the seg-source) when the target lacks it."""
    for mrk in _seg_mrks(target, parsed.ns):
        if mrk.get("mid") == slot.mid:
            return mrk
    source = slot.source
    before = source.getprevious().tail if source.getprevious() is not None else source.getparent().text
    mrk = copy.deepcopy(source)
    _empty(mrk)
    mrk.tail = None
    end = target[-1].tail if len(target) else target.text
    if before and not before.strip() and not (end and end[-1].isspace()):
        if len(target):
            target[-1].tail = (end or "") + before
        else:
            target.text = (end or "") + before
    target.append(mrk)
    _rewrite(parsed, target)
    return mrk


def _write_into(parsed: _Parsed, holder: Any, into: Any, text: str) -> tuple[bool, tuple[str, ...]]:
    """Fill `into` with `text` unless it already says that; (edited, extra notes). Text that is not
    well-formed leaves the old content and asks for review."""
    if inline_text(into, parsed.ns) == text:
        return False, ()
    backup = inline_text(into, parsed.ns)
    try:
        _fill(into, text, holder)
    except XliffError:
        _fill(into, backup, holder)
        return False, ("post-edited text was not well-formed XML; the target was left unchanged",)
    return True, ()


def _note_place12(unit: Any, ns: str) -> Any:
    """The element a 1.x note goes after: the unit's last XLIFF element before any `<alt-trans>` or
    foreign element. That suits both schemas: 1.1 orders `note*` before `alt-trans*`, 1.2 lets them mix,
    and both put foreign elements (`sdl:seg-defs`, memoQ's) last."""
    last = None
    for child in unit:
        if not isinstance(child.tag, str):
            continue
        if etree.QName(child).namespace != (ns or None) or _local(child.tag) == "alt-trans":
            break
        last = child
    return last if last is not None else unit.find(_tag(ns, "source"))


def _write_notes12(parsed: _Parsed, slot: _Slot, notes: tuple[str, ...], prefix: str = "") -> None:
    """Replace this module's notes on the unit; with a segment's `prefix`, only that segment's."""
    if parsed.sdl:
        return  # Trados shows only its own comments; the segment's Draft status flags it instead
    unit = slot.container
    for old in unit.findall(_tag(parsed.ns, "note")):
        if old.get("from") == NOTE_FROM and (old.text or "").startswith(prefix):
            _remove(parsed, old)
    for text in notes:
        note = etree.Element(_tag(parsed.ns, "note"))
        note.set("from", NOTE_FROM)
        note.set("annotates", "target")
        note.text = text
        _note_place12(unit, parsed.ns).addnext(note)
        _inserted(parsed, note)


def _write_notes2(parsed: _Parsed, slot: _Slot, notes: tuple[str, ...], prefix: str) -> None:
    unit = slot.container
    container = unit.find(_tag(parsed.ns, "notes"))
    if container is not None:
        for old in [
            n for n in container if n.get("category") == NOTE_FROM and (n.text or "").startswith(prefix)
        ]:
            _remove(parsed, old)
    if not notes:
        if container is not None and len(container) == 0:
            _remove(parsed, container)
        return
    if container is None:
        container = etree.Element(_tag(parsed.ns, "notes"))
        first = next((c for c in unit if _local(c.tag) in {"originalData", "segment", "ignorable"}), None)
        if first is not None:
            first.addprevious(container)
        else:
            unit.append(container)
        _inserted(parsed, container)
    for text in notes:
        note = etree.Element(_tag(parsed.ns, "note"))
        note.set("category", NOTE_FROM)
        note.set("appliesTo", "target")
        note.text = prefix + text
        if len(container):
            container[-1].addnext(note)
        else:
            container.append(note)
        _inserted(parsed, note)


def _apply_segment(parsed: _Parsed, slot: _Slot, update: TargetUpdate) -> None:
    """One segment of a segmented 1.2 trans-unit: only its target `<mrk>` changes. The status goes to
    the segment's `<sdl:seg conf>` (Trados) or else to the target, needing review if any segment written
    in this call does. Its notes replace only its own earlier ones (prefixed with its mid)."""
    unit, ns, mid = slot.container, parsed.ns, slot.mid or ""
    target = unit.find(_tag(ns, "target"))
    if target is None or not _seg_mrks(target, ns):
        # No target, or one without segment markers (written before segmentation; for a single segment it
        # was read as that segment's MT): the segmented target replaces it, never sits beside it.
        target = _mirror_target(parsed, slot, target)
    mrk = _target_mrk(parsed, slot, target)
    edited, extra = _write_into(parsed, unit, mrk, update.text)
    if edited:
        _rewrite(parsed, target)
    review = update.needs_review or bool(extra)
    sdl_seg = _sdl_seg(unit, mid)
    if sdl_seg is not None:
        _sdl_status(parsed, sdl_seg, review, edited)
    else:
        status = parsed.units.setdefault(slot.unit_index, _UnitStatus())
        status.edited, status.review = status.edited or edited, status.review or review
        wanted = "needs-review-translation" if status.review else "translated"
        state = _STATE12.next(target.get("state"), wanted, status.edited)
        if state != target.get("state"):
            _set(parsed, target, "state", state)
    prefix = f"[{mid}] " if len(_segments12(unit, ns)) > 1 else ""
    _write_notes12(parsed, slot, tuple(prefix + n for n in (*update.notes, *extra)), prefix)


def _apply(parsed: _Parsed, slot: _Slot, update: TargetUpdate) -> None:
    if slot.mid is not None:
        _apply_segment(parsed, slot, update)
        return
    target = slot.target if slot.target is not None else _new_target(parsed, slot)
    edited, extra = _write_into(parsed, slot.holder, target, update.text)
    if edited:
        _rewrite(parsed, target)
    review = update.needs_review or bool(extra)
    notes = (*update.notes, *extra)
    if not parsed.is2:
        wanted = "needs-review-translation" if review else "translated"
        state = _STATE12.next(target.get("state"), wanted, edited)
        if state != target.get("state"):
            _set(parsed, target, "state", state)
        _write_notes12(parsed, slot, notes)
    else:
        state = _STATE2.next(slot.holder.get("state"), "initial" if review else "translated", edited)
        if state != slot.holder.get("state"):
            _set(parsed, slot.holder, "state", state)
        segments = [s for s in slot.container if _local(s.tag) == "segment"]
        prefix = f"[{slot.holder.get('id') or segments.index(slot.holder)}] " if len(segments) > 1 else ""
        _write_notes2(parsed, slot, notes, prefix)


# ---- splicing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    """How the file spells what the writer adds."""

    encoding: str
    newline: str

    @classmethod
    def of(cls, data: bytes, encoding: str) -> _Style:
        crlf = data.count(b"\r\n")
        return cls(encoding, "\r\n" if crlf and crlf * 2 >= data.count(b"\n") else "\n")

    def encode(self, text: str) -> bytes:
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return text.encode(self.encoding, "xmlcharrefreplace")


_XMLNS_RE = re.compile(r'\s+xmlns(?::([A-Za-z_][\w.-]*))?="([^"]*)"')


def _render(parsed: _Parsed, el: Any, data: bytes, style: _Style) -> bytes:
    """`el` serialized, without the namespace declarations its place in the file already provides."""
    text = etree.tostring(el, encoding="unicode", with_tail=False)
    end = text.index(">")  # lxml escapes `>` inside attribute values
    span = parsed.spans.get(id(el))
    own = data[span.start : span.head_end].decode(style.encoding, "replace") if span else ""
    declared = {m.group(1) for m in _XMLNS_RE.finditer(own)}
    parent = el.getparent()
    inherited = parent.nsmap if parent is not None else {}

    def keep(m: re.Match[str]) -> str:
        prefix = m.group(1)
        return "" if prefix not in declared and inherited.get(prefix) == m.group(2) else m.group(0)

    return style.encode(_XMLNS_RE.sub(keep, text[:end]) + text[end:])


def _edit_start_tag(tag: bytes, before: Mapping[str, str], after: Mapping[str, str], style: _Style) -> bytes:
    """The original start tag with only the changed (unqualified) attributes rewritten, added or dropped."""
    name = re.match(rb"<[^\s/>]+", tag)
    assert name is not None
    pieces: list[bytes] = [name.group(0)]
    pos = name.end()
    while (match := _ATTRIBUTE.match(tag, pos)) is not None:
        key = match.group(2).decode(style.encoding)
        if key not in before or before[key] == after.get(key):
            pieces.append(match.group(0))
        elif key in after:
            pieces.append(match.group(1) + match.group(2) + match.group(3) + _quoted(after[key], style))
        pos = match.end()
    pieces.extend(
        b" " + style.encode(k) + b"=" + _quoted(v, style) for k, v in after.items() if k not in before
    )
    pieces.append(tag[pos:])
    return b"".join(pieces)


def _quoted(value: str, style: _Style) -> bytes:
    return b'"' + style.encode(_esc_attr(value)) + b'"'


@dataclass(frozen=True, order=True)
class _Edit:
    """Replace `start:end` of the original bytes with `new`; `order` settles insertions at one place."""

    start: int
    end: int
    order: int
    new: bytes


def _attribute_edits(parsed: _Parsed, data: bytes, style: _Style) -> list[_Edit]:
    """Start tags whose attributes changed, edited in place; the rest of the element stays as it was."""
    edits = []
    for key, (el, before) in parsed.changes.attributes.items():
        after = dict(el.attrib)
        if key in parsed.changes.rewritten or key in parsed.changes.removed or before == after:
            continue
        if any("{" in name for name in (*before, *after)):  # a namespaced attribute: not worth a parser
            parsed.changes.rewritten[key] = el
            continue
        span = parsed.spans[key]
        tag = _edit_start_tag(data[span.start : span.head_end], before, after, style)
        edits.append(_Edit(span.start, span.head_end, 0, tag))
    return edits


def _element_edits(parsed: _Parsed, data: bytes, style: _Style) -> list[_Edit]:
    """Elements re-serialized whole, and removed ones (with the indentation before them)."""
    changes = parsed.changes
    edits = [
        _Edit(parsed.spans[key].start, parsed.spans[key].end, 0, _render(parsed, el, data, style))
        for key, el in changes.rewritten.items()
        if key not in changes.removed
    ]
    edits.extend(_Edit(parsed.spans[key].lead, parsed.spans[key].end, 0, b"") for key in changes.removed)
    return edits


def _insert_edits(parsed: _Parsed, data: bytes, style: _Style) -> list[_Edit]:
    """New elements, next to their nearest original sibling, indented as that sibling is."""
    edits = []
    for el in parsed.changes.inserts:
        anchor, before = _anchor(parsed, el)
        span = parsed.spans[id(anchor)]
        indent = data[span.lead : span.start]
        new = _render(parsed, el, data, style)
        at = span.start if before else span.end
        order = el.getparent().index(el)  # new siblings at one place keep their order in the tree
        edits.append(_Edit(at, at, order, new + indent if before else indent + new))
    return edits


def _splice(data: bytes, edits: list[_Edit]) -> bytes:
    """Apply non-overlapping edits; one inside a range already replaced (a note in a removed
    `<notes>`) goes with it."""
    pieces: list[bytes] = []
    cursor = 0
    for edit in sorted(edits):
        if edit.start < cursor:
            if edit.end <= cursor:
                continue
            raise XliffError("internal error: overlapping edits")
        pieces.extend((data[cursor : edit.start], edit.new))
        cursor = edit.end
    pieces.append(data[cursor:])
    return b"".join(pieces)


def write_xliff(data: bytes, updates: Mapping[str, TargetUpdate]) -> bytes:
    """`data` with the targets of the units in `updates` (by `XliffUnit.key`) replaced; everything else kept.

    Keys of non-editable units are ignored, so locked and `translate="no"` units can never change.
    """
    parsed = _load(data)
    encoding = (parsed.tree.docinfo.encoding or "UTF-8").lower()
    spliceable = encoding in _SPLICE_ENCODINGS and _index_spans(parsed, data)
    for slot in parsed.slots:
        update = updates.get(slot.unit.key)
        if update is not None and slot.unit.editable:
            _apply(parsed, slot, update)
    if not parsed.changes.dirty:
        return data
    if not spliceable:
        out: bytes = etree.tostring(parsed.tree, encoding=parsed.tree.docinfo.encoding, xml_declaration=True)
        return out
    style = _Style.of(data, encoding)
    edits = _attribute_edits(parsed, data, style)  # first: it may hand elements over to a rewrite
    edits += _element_edits(parsed, data, style) + _insert_edits(parsed, data, style)
    return _splice(data, edits)
