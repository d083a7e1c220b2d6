"""Field values shared by every reader: term statuses, spreadsheet booleans, resource ids.

Map the many spellings of a term status found in the wild onto `TermStatus`.

TBX uses `preferredTerm-admn-sts` (administrativeStatus) or `preferredTerm` (normativeAuthorization);
spreadsheets say "preferred", "approved", "banned", "DNT"... One table keeps every reader consistent.
"""

from __future__ import annotations

import re

from glossaries.model import TermStatus

_ALIASES: dict[str, TermStatus] = {}
for _status, _names in {
    TermStatus.PREFERRED: (
        "preferred",
        "approved",
        "required",
        "mandatory",
        "standardized",
        "regulated",
        "pref",
        "main",
    ),
    TermStatus.ADMITTED: (
        "admitted",
        "allowed",
        "permitted",
        "acceptable",
        "alternative",
        "alt",
        "variant",
        "legal",
        "synonym",
    ),
    TermStatus.FORBIDDEN: (
        "forbidden",
        "deprecated",
        "superseded",
        "banned",
        "prohibited",
        "donotuse",
        "notallowed",
        "rejected",
        "avoid",
        "obsolete",
        "wrong",
    ),
    TermStatus.DNT: (
        "donottranslate",
        "dnt",
        "notranslate",
        "untranslatable",
        "keep",
        "verbatim",
        "translateno",
    ),
}.items():
    for _name in _names:
        _ALIASES[_name] = _status

KNOWN_STATUSES = "preferred, admitted, forbidden (deprecated/superseded), do-not-translate"


def parse_status(value: str) -> TermStatus | None:
    """The status a label means, or None when the label is unknown. Empty means preferred."""
    key = re.sub(r"[\s_\-:]", "", value).casefold()
    key = key.removesuffix("admnsts").removesuffix("term")  # TBX: preferredTerm-admn-sts, deprecatedTerm
    if not key:
        return TermStatus.PREFERRED
    return _ALIASES.get(key)


_TRUE = {"true", "yes", "y", "1", "on", "x", "cs", "sensitive", "case-sensitive"}
_FALSE = {"false", "no", "n", "0", "off", "", "ci", "insensitive", "case-insensitive"}


def parse_bool(value: str) -> bool | None:
    """A spreadsheet boolean ("yes", "1", "true", empty...), or None when it is not one."""
    key = value.strip().casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return None


def is_dnt_label(value: str) -> bool:
    """True for a custom value that marks a term do-not-translate ("doNotTranslate", "DNT")."""
    return re.sub(r"[\s_\-:]", "", value).casefold() in {"donottranslate", "dnt", "notranslate"}


def resource_id(filename: str, given: str | None) -> str:
    """The id a caller gave, else the file name without folders and extensions (`terms.v2.tbx` -> `terms`)."""
    if given:
        return given
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return name.split(".", 1)[0] or name
