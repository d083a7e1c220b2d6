"""The XML hardening every parser in `formats` shares, so that XLIFF and TMX refuse the same attacks.

lxml never loads a DTD, resolves an entity or touches the network here, and keeps libxml2's limits on
huge text nodes and deep nesting. A DOCTYPE that declares entities is refused outright (billion laughs,
XXE): it is looked for in the raw bytes first, before libxml2 parses anything, and then in the parsed
DOCTYPE, which catches a declaration pushed beyond the scanned head. Formats differ only in whether a
DOCTYPE may name an external DTD at all: XLIFF files never need one, while TMX writers (OmegaT,
translate-toolkit) put `<!DOCTYPE tmx SYSTEM "tmx14.dtd">` in nearly every file; it is never fetched.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

__all__ = ["HEAD_BYTES", "ITERPARSE_OPTIONS", "doctype_problem", "entity_declaration_at", "safe_parser"]

HEAD_BYTES = 100_000  # how much of a file the raw scan for entity declarations reads
ENTITIES_REFUSED = "DOCTYPE with entity declarations is not allowed"
EXTERNAL_DTD_REFUSED = "DOCTYPE with an external DTD is not allowed"

# `<!ENTITY` in UTF-8 (and any ASCII-compatible encoding) and in UTF-16 of either byte order.
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY|<\x00!\x00E\x00N\x00T\x00I\x00T\x00Y", re.IGNORECASE)

ITERPARSE_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
}


def safe_parser() -> etree.XMLParser:
    """A parser for whole documents and fragments: the same guarantees as `ITERPARSE_OPTIONS`."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        strip_cdata=False,
        remove_blank_text=False,
    )


def entity_declaration_at(head: bytes) -> int | None:
    """The byte offset of the first entity declaration in `head`, or None; cheap enough to run on every
    upload before libxml2 sees a byte of it."""
    match = _ENTITY_DECLARATION.search(head)
    return match.start() if match else None


def doctype_problem(docinfo: Any, *, allow_external_dtd: bool) -> str | None:
    """Why the parsed DOCTYPE is refused (lxml `docinfo` of the document), or None when it is harmless."""
    if not allow_external_dtd and (docinfo.system_url or docinfo.public_id):
        return EXTERNAL_DTD_REFUSED
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        return ENTITIES_REFUSED
    return None
