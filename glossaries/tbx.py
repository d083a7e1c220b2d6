"""TBX reader: v2 (`martif/text/body/termEntry/langSet/tig|ntig`) and v3 / TBX-Basic
(`tbx/text/body/conceptEntry/langSec/termSec`), with or without namespaces, DCA or DCT style.

Elements are compared by local name, so `<termEntry>`, `<tbx:conceptEntry>` and DCT's
`<basic:administrativeStatus>` all read the same. The XML parser never resolves entities, loads a DTD
or touches the network, and a document that declares entities is refused (XXE, billion laughs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from glossaries.fields import KNOWN_STATUSES, is_dnt_label, parse_bool, parse_status, resource_id
from glossaries.model import Entry, ResourceError, Term, Termbase, TermStatus, content_version
from glossaries.text import primary_lang

__all__ = ["read_tbx"]

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_STATUS_FIELDS = {"administrativestatus", "normativeauthorization"}
_NOTE_FIELDS = {"note", "usagenote", "definition", "context", "explanation"}
_DNT_FIELDS = {"donottranslate", "dnt", "notranslate"}
_PROPERTY_TAGS = {"termnote", "descrip", "admin", "transac", "ref", "xref"}
_CONTAINERS = {"descripgrp", "admingrp", "transacgrp", "termgrp", "termnotegrp", "notegrp"}


@dataclass
class _Props:
    """What one level (concept, language, term) says about its terms."""

    status: TermStatus | None = None
    pos: str | None = None
    case_sensitive: bool | None = None
    notes: list[str] = field(default_factory=list)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _parse(data: bytes, filename: str) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ResourceError(filename, f"malformed XML: {exc.msg}", exc.lineno) from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ResourceError(filename, "DTD entity declarations are not allowed (XXE / entity expansion)", 1)
    for el in root.iter(etree.Entity):
        raise ResourceError(filename, f"entity reference {el.text} is not allowed", el.sourceline)
    return root


def _props(container: etree._Element, filename: str, *, skip: set[str]) -> _Props:
    """Collect status, part of speech, case flag, DNT marker and notes directly under `container`."""
    props = _Props()
    stack = list(container)
    while stack:
        el = stack.pop(0)
        name = _local(el).casefold()
        if name in skip:
            continue
        if name in _CONTAINERS:
            stack.extend(el)
            continue
        kind = (el.get("type") or "").casefold() if name in _PROPERTY_TAGS else name
        value = "".join(el.itertext()).strip()
        if kind in _STATUS_FIELDS:
            status = parse_status(value)
            if status is None:
                raise ResourceError(
                    filename,
                    f"unknown {el.get('type') or name} value {value!r} (expected {KNOWN_STATUSES})",
                    el.sourceline,
                )
            props.status = status
        elif kind in _DNT_FIELDS:
            if parse_bool(value) is not False:
                props.status = TermStatus.DNT
        elif kind == "translate" and parse_bool(value) is False:
            props.status = TermStatus.DNT
        elif is_dnt_label(value):
            props.status = TermStatus.DNT  # a custom note whose value says doNotTranslate
        elif kind in {"partofspeech", "pos"}:
            props.pos = value or None
        elif kind in {"casesensitive", "casesensitivity", "case"}:
            props.case_sensitive = parse_bool(value) or value.casefold() == "casesensitive"
        elif (kind in _NOTE_FIELDS or name in _NOTE_FIELDS) and value:
            props.notes.append(value)
    return props


def _term(tig: etree._Element, inherited: _Props, filename: str) -> Term | None:
    term_el = next((el for el in tig.iter() if _local(el) == "term"), None)
    if term_el is None:
        return None
    text = " ".join("".join(term_el.itertext()).split())
    if not text:
        raise ResourceError(filename, "empty <term>", term_el.sourceline)
    props = _props(tig, filename, skip={"term"})
    notes = props.notes or None
    return Term(
        text=text,
        status=props.status or inherited.status or TermStatus.PREFERRED,
        case_sensitive=bool(
            props.case_sensitive if props.case_sensitive is not None else inherited.case_sensitive
        ),
        pos=props.pos or inherited.pos,
        note="; ".join(notes) if notes else None,
    )


def _entry(
    concept: etree._Element,
    n: int,
    filename: str,
    pair: tuple[str, str],
    default_lang: str,
    seen_langs: set[str],
) -> Entry | None:
    """One concept's entry for the language pair, or None when it lacks a source or a target (or DNT) term;
    every language met is added to `seen_langs`, for the error that names them."""
    src, tgt = pair
    concept_props = _props(concept, filename, skip={"langset", "langsec"})
    source: list[Term] = []
    target: list[Term] = []
    for lang_el in (el for el in concept if _local(el) in {"langSet", "langSec"}):
        lang = primary_lang(lang_el.get(_XML_LANG) or lang_el.get("lang") or default_lang)
        if not lang:
            raise ResourceError(filename, f"<{_local(lang_el)}> without xml:lang", lang_el.sourceline)
        seen_langs.add(lang)
        if lang not in (src, tgt):
            continue
        lang_props = _props(lang_el, filename, skip={"tig", "ntig", "termsec"})
        inherited = _Props(
            status=lang_props.status or concept_props.status,
            pos=lang_props.pos or concept_props.pos,
            case_sensitive=lang_props.case_sensitive,
        )
        for tig in (el for el in lang_el if _local(el) in {"tig", "ntig", "termSec"}):
            term = _term(tig, inherited, filename)
            if term is not None:
                (source if lang == src else target).append(term)
    dnt = any(t.status is TermStatus.DNT for t in source + target)
    if not source or not (target or dnt):
        return None
    if dnt:  # a DNT marker anywhere makes the source form the only rendering
        source = [Term(t.text, TermStatus.DNT, t.case_sensitive, t.pos, t.note) for t in source]
    return Entry(
        id=concept.get("id") or str(n + 1),
        source=tuple(source),
        target=tuple(target),
        note="; ".join(concept_props.notes) or None,
        pos=concept_props.pos,
        line=concept.sourceline,
    )


def read_tbx(
    data: bytes, filename: str, *, source_lang: str, target_lang: str, id: str | None = None
) -> Termbase:
    """Read a TBX v2 or v3 file into the source->target `Termbase` (other languages are ignored)."""
    root = _parse(data, filename)
    if _local(root) not in {"martif", "tbx"}:
        raise ResourceError(
            filename,
            f"not a TBX file: root element <{_local(root)}>, expected <martif> or <tbx>",
            root.sourceline,
        )
    src, tgt = primary_lang(source_lang), primary_lang(target_lang)
    default_lang = root.get(_XML_LANG) or ""
    entries: list[Entry] = []
    concepts = 0
    seen_langs: set[str] = set()
    for n, concept in enumerate(el for el in root.iter() if _local(el) in {"termEntry", "conceptEntry"}):
        concepts += 1
        entry = _entry(concept, n, filename, (src, tgt), default_lang, seen_langs)
        if entry is not None:
            entries.append(entry)
    if concepts and not entries:
        raise ResourceError(
            filename,
            f"no concept has terms in both {source_lang} and {target_lang} "
            f"(languages found: {', '.join(sorted(seen_langs))})",
        )
    if not concepts:
        raise ResourceError(filename, "no <termEntry> or <conceptEntry> found")
    return Termbase(
        id=resource_id(filename, id),
        version=content_version(data),
        source_lang=source_lang,
        target_lang=target_lang,
        entries=tuple(entries),
    )
