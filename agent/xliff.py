"""Read and write XLIFF 1.2 and 2.x (2.0/2.1/2.2): units out as markup text, post-edited targets back in.

`parse_xliff` lists every unit (1.2 `<trans-unit>`, 2.x `<segment>` of a `<unit>`) with its `<source>`
and `<target>` as *markup text*: the inline XML (`<g id="1">`, `<x/>`, `<pc>`, `<ph/>`, ...) serialized
as text without namespace declarations, which is what the agent's markup protection reads.
`write_xliff` puts targets back, sets the state (1.2: `state="translated"` or
`"needs-review-translation"`; 2.x: `state="translated"` or `"initial"`) and adds QA findings as notes.

Everything the writer does not touch stays byte-for-byte: it splices only the changed unit elements
into the original bytes (offsets from expat), so skeletons, other units, comments, attribute quoting
and entity spelling survive. Parsing is hardened: no DTD loading, no network, no entity resolution,
no huge trees, and any DOCTYPE that declares entities or points at an external DTD is refused
(billion laughs, XXE). `translate="no"` (inherited from file/group), locked, approved and final units
are reported as not editable and never changed.

Segmented 1.2 files (Trados SDLXLIFF, Okapi: a `<seg-source>` whose `<mrk mtype="seg" mid="N">` elements
split the paragraph into sentences) list one unit per segment, so the agent never sees the segment
markers and cannot strip them; writing fills only the target `<mrk>` with the same `mid`. Trados keeps
per-segment status in `<sdl:seg-defs>`: `locked`/approved segments are not editable, and the writer sets
that segment's `conf` (Translated / Draft) instead of the target's `state`. A target without segment
markers (written before segmentation) is read as the MT of a single segment and, when written, is
replaced by a segmented one.
"""

from __future__ import annotations

import copy
import re
import xml.parsers.expat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

__all__ = [
    "XLIFF2_NS",
    "XLIFF12_NS",
    "TargetUpdate",
    "XliffDocument",
    "XliffError",
    "XliffUnit",
    "parse_xliff",
    "write_xliff",
]

XLIFF12_NS = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF2_NS = "urn:oasis:names:tc:xliff:document:2.0"  # the core namespace of 2.0, 2.1 and 2.2
XML_NS = "http://www.w3.org/XML/1998/namespace"
NOTE_FROM = "postedit"  # 1.2 `from` / 2.x `category` of the notes this module writes (and replaces)

_SPLICE_ENCODINGS = {"utf-8", "utf8", "ascii", "us-ascii", "iso-8859-1", "latin-1", "latin1", "windows-1252"}
_TRUE = {"yes", "true", "1"}
_SDL_APPROVED = {"ApprovedTranslation", "ApprovedSignOff"}  # `conf` of an `<sdl:seg>` a reviewer signed
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
    skip_reason: str | None = None  # translate=no | locked | approved | final | empty
    notes: tuple[str, ...] = ()


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

    @property
    def editable(self) -> tuple[XliffUnit, ...]:
        return tuple(u for u in self.units if u.editable)


@dataclass
class _Slot:
    """Where one unit's pieces live in the lxml tree."""

    unit: XliffUnit
    container: Any  # 1.2 trans-unit / 2.x unit
    holder: Any  # 1.2 trans-unit / 2.x segment (carries source, target, state)
    source: Any
    target: Any | None
    unit_index: int  # index of the container among all unit elements, for splicing
    mid: str | None = None  # 1.2 segmented trans-unit: the `mid` of this slot's `<mrk mtype="seg">`


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
    written: dict[int, bool] = field(default_factory=dict)  # segmented unit index -> any needs review


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        strip_cdata=False,
        remove_blank_text=False,
    )


def _check_doctype(data: bytes, tree: Any) -> None:
    if re.search(rb"<!ENTITY", data[:100_000], re.IGNORECASE) or re.search(
        rb"<\x00!\x00E\x00N\x00T\x00I\x00T\x00Y", data[:100_000]
    ):
        raise XliffError("DOCTYPE with entity declarations is not allowed")
    info = tree.docinfo
    if info.system_url or info.public_id:
        raise XliffError("DOCTYPE with an external DTD is not allowed")
    dtd = info.internalDTD
    if dtd is not None and list(dtd.iterentities()):
        raise XliffError("DOCTYPE with entity declarations is not allowed")


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
        wrapper = etree.fromstring(f"<w__{decls}>{text}</w__>".encode(), _parser())
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
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
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
    if ns == XLIFF12_NS or (not ns and version.startswith("1.")):
        return _load12(tree, root, ns, version or "1.2")
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
    """Why a whole trans-unit is not editable (inherited `translate="no"`, locked, approved, final)."""
    if _translate_no(unit):
        return "translate=no"
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
    return None if "".join(mrk.itertext()).strip() else "empty"


def _unit(
    ns: str, key: str, uid: str, source: Any, target: Any | None, reason: str | None, notes: tuple[str, ...]
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
    )


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
        xu = _unit(ns, f"{file_index}/{uid}#{index}", uid, source, target, reason, notes)
        parsed.slots.append(_Slot(xu, unit, unit, source, target, index))
    return parsed


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
            reason = None
            if _translate_no(unit):
                reason = "translate=no"
            elif (_flag(unit, "locked") or _flag(segment, "locked") or "").lower() in _TRUE:
                reason = "locked"
            elif segment.get("state") == "final":
                reason = "final"
            elif not "".join(source.itertext()).strip():
                reason = "empty"
            sid = segment.get("id") or str(seg_index)
            key = f"{file_index}/{uid}/{sid}#{index}"
            xu = _unit(ns, key, _segment_id(uid, sid, len(segments)), source, target, reason, notes)
            parsed.slots.append(_Slot(xu, unit, segment, source, target, index))
    return parsed


def parse_xliff(data: bytes) -> XliffDocument:
    """List the units of an XLIFF 1.2 or 2.x file. Raises `XliffError` for anything unsafe or malformed."""
    parsed = _load(data)
    return XliffDocument(
        version=parsed.version,
        source_lang=parsed.source_lang,
        target_lang=parsed.target_lang,
        units=tuple(s.unit for s in parsed.slots),
    )


# ---- writing ------------------------------------------------------------------------------------


def _append(parent: Any, el: Any) -> None:
    """Append keeping the parent's indentation style."""
    if len(parent):
        last = parent[-1]
        el.tail = last.tail
        last.tail = parent.text if parent.text and not parent.text.strip() else last.tail
    parent.append(el)


def _insert_after(anchor: Any, el: Any) -> None:
    el.tail = anchor.tail
    parent = anchor.getparent()
    if anchor.getnext() is None and parent.text and not parent.text.strip():
        anchor.tail = parent.text  # anchor was last: its tail was the parent's closing indentation
    anchor.addnext(el)


def _new_target(parsed: _Parsed, slot: _Slot) -> Any:
    target = etree.Element(_tag(parsed.ns, "target"), nsmap=None)
    anchor = slot.source
    if parsed.ns == XLIFF12_NS or parsed.version.startswith("1."):
        seg_source = slot.holder.find(_tag(parsed.ns, "seg-source"))
        anchor = seg_source if seg_source is not None else slot.source
        if parsed.target_lang:
            target.set(f"{{{XML_NS}}}lang", parsed.target_lang)
    _insert_after(anchor, target)
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
    return mrk


def _write_notes12(parsed: _Parsed, slot: _Slot, notes: tuple[str, ...], prefix: str = "") -> None:
    """Replace this module's notes on the unit; with a segment's `prefix`, only that segment's."""
    unit = slot.container
    for old in unit.findall(_tag(parsed.ns, "note")):
        if old.get("from") == NOTE_FROM and (old.text or "").startswith(prefix):
            _remove(old)
    for text in notes:
        note = etree.Element(_tag(parsed.ns, "note"))
        note.set("from", NOTE_FROM)
        note.set("annotates", "target")
        note.text = text
        _append(unit, note)


def _write_notes2(parsed: _Parsed, slot: _Slot, notes: tuple[str, ...], prefix: str) -> None:
    unit = slot.container
    container = unit.find(_tag(parsed.ns, "notes"))
    if container is not None:
        for old in [
            n for n in container if n.get("category") == NOTE_FROM and (n.text or "").startswith(prefix)
        ]:
            _remove(old)
    if not notes:
        if container is not None and len(container) == 0:
            _remove(container)
        return
    if container is None:
        container = etree.Element(_tag(parsed.ns, "notes"))
        container.text = unit.text
        first = next((c for c in unit if _local(c.tag) in {"originalData", "segment", "ignorable"}), None)
        if first is not None:
            container.tail = unit.text
            first.addprevious(container)
        else:
            _append(unit, container)
    for text in notes:
        note = etree.Element(_tag(parsed.ns, "note"))
        note.set("category", NOTE_FROM)
        note.set("appliesTo", "target")
        note.text = prefix + text
        _append(container, note)


def _remove(el: Any) -> None:
    """Remove an element, keeping the whitespace that preceded it for what follows."""
    parent = el.getparent()
    previous = el.getprevious()
    if previous is not None:
        previous.tail = el.tail if previous.tail is None or not previous.tail.strip() else previous.tail
    parent.remove(el)


def _apply_segment(parsed: _Parsed, slot: _Slot, update: TargetUpdate) -> None:
    """One segment of a segmented 1.2 trans-unit: only its target `<mrk>` changes. The state goes to the
    segment's `<sdl:seg conf>` (Trados) or else to the target, needing review if any segment written in
    this call does. Its notes replace only its own earlier ones (prefixed with its mid)."""
    unit, ns, mid = slot.container, parsed.ns, slot.mid or ""
    notes = update.notes
    needs_review = update.needs_review
    target = unit.find(_tag(ns, "target"))
    if target is None or not _seg_mrks(target, ns):
        # No target, or one without segment markers (written before segmentation; for a single segment it
        # was read as that segment's MT): the segmented target replaces it, never sits beside it.
        target = _mirror_target(parsed, slot, target)
    mrk = _target_mrk(parsed, slot, target)
    backup = inline_text(mrk, ns)
    try:
        _fill(mrk, update.text, unit)
    except XliffError:
        _fill(mrk, backup, unit)
        needs_review = True
        notes = (*notes, "post-edited text was not well-formed XML; the target was left unchanged")
    unit_review = parsed.written.get(slot.unit_index, False) or needs_review
    parsed.written[slot.unit_index] = unit_review
    sdl_seg = _sdl_seg(unit, mid)
    if sdl_seg is not None:
        sdl_seg.set("conf", "Draft" if needs_review else "Translated")
    else:
        target.set("state", "needs-review-translation" if unit_review else "translated")
    prefix = f"[{mid}] " if len(_segments12(unit, ns)) > 1 else ""
    _write_notes12(parsed, slot, tuple(prefix + n for n in notes), prefix)


def _apply(parsed: _Parsed, slot: _Slot, update: TargetUpdate) -> None:
    if slot.mid is not None:
        _apply_segment(parsed, slot, update)
        return
    is12 = not parsed.version.startswith("2.")
    notes = update.notes
    needs_review = update.needs_review
    target = slot.target if slot.target is not None else _new_target(parsed, slot)
    backup = inline_text(target, parsed.ns)
    try:
        _fill(target, update.text, slot.holder)
    except XliffError:
        _fill(target, backup, slot.holder)
        needs_review = True
        notes = (*notes, "post-edited text was not well-formed XML; the target was left unchanged")
    if is12:
        target.set("state", "needs-review-translation" if needs_review else "translated")
        _write_notes12(parsed, slot, notes)
    else:
        slot.holder.set("state", "initial" if needs_review else "translated")
        segments = [s for s in slot.container if _local(s.tag) == "segment"]
        prefix = f"[{slot.holder.get('id') or segments.index(slot.holder)}] " if len(segments) > 1 else ""
        _write_notes2(parsed, slot, notes, prefix)


class _Offsets:
    """Byte ranges of every unit element in the original file, in document order (via expat)."""

    def __init__(self, data: bytes, ns: str, local: str) -> None:
        self.ranges: list[tuple[int, int]] = []
        self._want = f"{ns} {local}" if ns else local
        self._starts: list[int] = []
        self._data = data
        p = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        p.StartElementHandler = lambda name, _attrs: self._start(p, name)
        p.EndElementHandler = lambda name: self._end(p, name)
        p.Parse(data, True)

    def _start(self, p: Any, name: str) -> None:
        if name == self._want:
            self._starts.append(p.CurrentByteIndex)

    def _end(self, p: Any, name: str) -> None:
        if name == self._want:
            start = self._starts.pop()
            self.ranges.append((start, self._data.index(b">", p.CurrentByteIndex) + 1))


_XMLNS_RE = re.compile(r'\s+xmlns(?::([A-Za-z_][\w.-]*))?="([^"]*)"')


def _serialize_unit(el: Any, encoding: str, original_start_tag: bytes) -> bytes:
    """The unit as bytes, without the namespace declarations lxml repeats from its ancestors."""
    text = etree.tostring(el, encoding="unicode", with_tail=False)
    end = text.index(">")
    head = text[:end]
    declared = {m.group(1) for m in _XMLNS_RE.finditer(original_start_tag.decode(encoding, "replace"))}
    inherited = el.getparent().nsmap if el.getparent() is not None else {}

    def keep(m: re.Match[str]) -> str:
        prefix = m.group(1)
        if prefix not in declared and inherited.get(prefix) == m.group(2):
            return ""
        return m.group(0)

    return (_XMLNS_RE.sub(keep, head) + text[end:]).encode(encoding, "xmlcharrefreplace")


def write_xliff(data: bytes, updates: Mapping[str, TargetUpdate]) -> bytes:
    """`data` with the targets of the units in `updates` (by `XliffUnit.key`) replaced; everything else kept.

    Keys of non-editable units are ignored, so locked and `translate="no"` units can never change.
    """
    parsed = _load(data)
    changed: set[int] = set()
    for slot in parsed.slots:
        update = updates.get(slot.unit.key)
        if update is None or not slot.unit.editable:
            continue
        _apply(parsed, slot, update)
        changed.add(slot.unit_index)
    if not changed:
        return data
    encoding = (parsed.tree.docinfo.encoding or "UTF-8").lower()
    if encoding not in _SPLICE_ENCODINGS:
        out: bytes = etree.tostring(parsed.tree, encoding=parsed.tree.docinfo.encoding, xml_declaration=True)
        return out
    unit_local = "trans-unit" if not parsed.version.startswith("2.") else "unit"
    ranges = _Offsets(data, parsed.ns, unit_local).ranges
    ranges.sort()
    pieces: list[bytes] = []
    cursor = 0
    for index, (start, end) in enumerate(ranges):
        if index not in changed:
            continue
        start_tag = data[start : data.index(b">", start) + 1]
        pieces.append(data[cursor:start])
        pieces.append(_serialize_unit(parsed.containers[index], encoding, start_tag))
        cursor = end
    pieces.append(data[cursor:])
    return b"".join(pieces)
