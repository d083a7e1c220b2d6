"""Protect inline markup from the model, restore it afterwards, and validate a target's markup.

A small LLM rewrites whatever it sees, so every inline tag (XLIFF 1.2/2.0, HTML/XML), entity, placeholder
(printf, Python, ICU, `{{var}}`, `${var}`, `%name%`, `%1`, `$name$`, `$(name)`, `#name#`, `@name@`) and
do-not-translate term becomes an opaque mask before the
prompt: `⟦n⟧` for a standalone unit, `⟦n⟧..⟦/n⟧` for a paired tag so the model still sees the nesting.
Literal `⟦`/`⟧` in the text are masked too, so `restore(protect(x).masked, protect(x)) == x` for every
string. `validate` compares a target's tags and placeholders with its source's; `repair_masks` puts back
masks a model dropped, deterministically.
"""

from __future__ import annotations

import html.entities
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Literal

from agent.alignment import Lexicon, keyed_whole, project, word_key, words
from agent.violations import Severity, Violation
from glossaries.morphology import morphology
from glossaries.placeholder_profiles import DEFAULT_FAMILIES, families_for

Kind = Literal["open", "close", "empty", "placeholder", "dnt"]

MASK_OPEN = "⟦"
MASK_CLOSE = "⟧"
MASK_RE = re.compile(r"⟦(/?)(\d+)⟧")

__all__ = [
    "MASK_CLOSE",
    "MASK_OPEN",
    "MASK_RE",
    "Markup",
    "Protected",
    "Token",
    "blank_markup",
    "damaged_copy",
    "enclosed_text",
    "find_markup",
    "icu_head",
    "icu_inner_markup",
    "icu_skeleton",
    "mask_remnants",
    "masks_in",
    "partner_of",
    "place_masks",
    "protect",
    "repair_masks",
    "restore",
    "validate",
    "without_pair",
    "wrap_pair",
]


@dataclass(frozen=True)
class Token:
    """One protected unit. `name` is the tag name (`g`, `x`, `ph`, `b`) or the placeholder family
    (`printf`, `python`, `icu`, `brace`, `template`, `entity`, `percent` for `%name%`, `positional` for `%1`,
    `variable` for `$name$`, `$(name)`, `#name#`, `@name@`, `literal`) or the DNT term."""

    kind: Kind
    text: str
    name: str
    id: str | None
    token: str


@dataclass(frozen=True)
class Protected:
    masked: str
    tokens: tuple[Token, ...]


@dataclass(frozen=True)
class Markup:
    """A markup unit found in a text, with its span (what the validator and the checks work on)."""

    kind: Kind
    text: str
    name: str
    id: str | None
    start: int
    end: int


# --- recognition -------------------------------------------------------------------------------------

_ATTRS = r"""(?:\s+[\w:.-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*"""
_TAG = re.compile(rf"<(/?)([A-Za-z_][\w:.-]*)({_ATTRS})\s*(/?)>")
# XLIFF 1.2 elements whose content is native code, never text: one opaque unit each.
_OPAQUE = re.compile(rf"<(ph|bpt|ept|it|sub)\b({_ATTRS})\s*>.*?</\1\s*>", re.DOTALL)
_SPECIAL = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.DOTALL)
# HTML `translate="no"` and `class="notranslate"`, XLIFF 2 `<mrk translate="no">`: the element's content is not
# text to translate, so the whole element, content included, is one opaque unit.
_NO_TRANSLATE = re.compile(
    r"""(?:^|\s)(?:translate\s*=\s*(?:"no"|'no'|no(?![\w-]))"""
    r"""|class\s*=\s*(?:"[^"]*\bnotranslate\b[^"]*"|'[^']*\bnotranslate\b[^']*'|notranslate(?![\w-])))""",
    re.IGNORECASE,
)
_ID = re.compile(r"""(?:^|\s)id\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z_][\w.-]*);")  # DTD names take `.`, `-`
_PRINTF = re.compile(
    r"%%|%\([\w.-]+\)[-+0# ]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|%(?:\d+\$)?[-+0#']*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGcCsSaAp@]"
)
_URL_ESCAPE = re.compile(r"%[0-9][A-F]")
_AFTER_NUMBER = re.compile(r"\d[ \u00a0\u202f]?$")
_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_DOLLAR = re.compile(r"\$\{[^{}\s]+\}")
_PY_BRACE = re.compile(r"\{[\w.\[\]]*(?:![rsa])?(?::[^{}]*)?\}")
_ICU_HEAD = re.compile(
    r"\s*[\w.]+\s*,\s*(?:plural|select|selectordinal|number|date|time|spellout|ordinal|duration|choice)\s*(?:,|$)"
    # any keyword with branches: an MT that translated the keyword (`{n, pluriel, one {…}`) still holds one
    r"|\s*[\w.]+\s*,\s*\w+\s*,\s*(?:=\d+|[\w-]+)\s*\{"
)
# Variable syntaxes of other ecosystems, each a whole token: Symfony/OpenOffice `%name%`, Qt/Windows `%1`,
# Mozilla `$name$`, shell/Make `$(name)`, `#name#`, `@name@`.
_PERCENT_NAME = re.compile(r"%([A-Za-z_][\w.-]{2,})%")
_PRINTF_LIKE = re.compile(r"(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGcsaAp]")
_PERCENT_NUMBER = re.compile(r"%\d+(?![\d$%])")
_DOLLAR_NAME = re.compile(r"\$[A-Za-z_][\w.-]*\$")
_SHELL = re.compile(r"\$\(\^?[\w.-]+\)")  # `$(name)`, NSIS `$(^Name)`
_BARE_DOLLAR = re.compile(r"\$[A-Za-z_]\w*")
_BARE_PERCENT = re.compile(r"%[A-Za-z_]\w*")  # OpenOffice `%file`
_DELIMITED = re.compile(r"([#@])[A-Za-z_][\w.-]*\1")
_HASH_NUMBER = re.compile(r"#\d+\b")
_BRACKET = re.compile(r"\$?\[[A-Za-z_][\w.-]*\]")
_TRIGGER = re.compile(r"[<&%{$#@\[\]⟦⟧]")
_ESCAPED_TAG = re.compile(r"&lt;(/?)([A-Za-z_][\w:.-]*)((?:\s+(?:[^&]|&(?!gt;))*?)?)\s*(/?)&gt;")
# Symfony's plural intervals at the start of a `|` form: `]1,Inf]`, `[0,1]`, `[2,Inf[`.
_INTERVAL = re.compile(r"[\[\]]\s*(?:-?\d+|-Inf)\s*,\s*(?:\+?\d+|\+?Inf)\s*[\[\]]")
# An attribute-less, capitalised tag with no close tag (`<None>`, `<Error>`) is UI text in angle brackets,
# meant to be translated (pofilter skips such pseudo-tags too).
_PSEUDO_TAG = re.compile(r"<([A-Z][a-z]+(?: [A-Za-z]+)*)>")


def icu_head(message: str) -> str:
    """`count,plural` for `{count, plural, one {…} other {…}}`: the argument and type a translation of an
    ICU message keeps (its words, and its plural selectors, are the target language's)."""
    head = message[1:].split(",", 2)
    return ",".join(part.strip() for part in head[:2])


_ICU_SELECTOR = re.compile(r"\s*(?:=\d+|[\w-]+)\s*(?=\{)")


def icu_inner_markup(message: str) -> list[str]:
    """The markup inside an ICU message's branches (`<x id="INTERPOLATION"/>`, `{name}`), nested messages
    by their skeleton: what every translation of the message must keep too."""
    head = _ICU_HEAD.match(message, 1)
    pos = head.end() if head else len(message)
    found: list[str] = []
    while (selector := _ICU_SELECTOR.match(message, pos)) is not None:
        end = _balanced_end(message, selector.end())
        if end is None:
            break
        for unit in find_markup(message[selector.end() + 1 : end - 1]):
            found.append(icu_skeleton(unit.text) if unit.name == "icu" else unit.text)
        pos = end
    return found


def icu_skeleton(message: str) -> str:
    """What validation compares of an ICU message: its head and the set of markup in its branches."""
    inner = sorted(set(icu_inner_markup(message)))
    return icu_head(message) + ("|" + " ".join(inner) if inner else "")


def _balanced_end(text: str, start: int) -> int | None:
    """End offset of the brace group opening at `start`, or None when unbalanced."""
    depth = 0
    for i in range(start, len(text)):
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _tag_id(attrs: str) -> str | None:
    m = _ID.search(attrs)
    if m is None:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


def _element_end(text: str, name: str, start: int) -> int | None:
    """End offset of the close tag of the `name` element whose content starts at `start`, or None if unclosed."""
    depth = 1
    for m in _TAG.finditer(text, start):
        closing, tag, _, selfclosing = m.groups()
        if tag == name and not selfclosing:
            depth += -1 if closing else 1
            if depth == 0:
                return m.end()
    return None


_DOLLAR_FAMILIES = (
    (_DOLLAR, "template"),
    (_SHELL, "shell"),
    (_DOLLAR_NAME, "dollar"),
    (_BRACKET, "bracket"),
    (_BARE_DOLLAR, "bare-dollar"),
)


def _entity_family(entity: str) -> str:
    """`entity` for a character reference (`&amp;`, `&#169;`), `dtd` for a DTD variable (`&brandShortName;`)."""
    name = entity[1:-1]
    return "entity" if name.startswith("#") or name in html.entities.name2codepoint else "dtd"


def _starts_form(text: str, i: int) -> bool:
    return not text[:i].strip() or text[:i].rstrip().endswith("|")


def _is_pseudo_tag(text: str, m: re.Match[str]) -> bool:
    found = _PSEUDO_TAG.fullmatch(m.group())
    return found is not None and f"</{found.group(1).split()[0]}>" not in text


def _match_tag(text: str, i: int, families: frozenset[str]) -> Markup | None:
    """A tag, comment or CDATA at `<`; a `translate="no"` element whole; pseudo-tags (`<None>`) are text."""
    m = _SPECIAL.match(text, i)
    if m:
        return Markup("empty", m.group(), "comment", None, i, m.end())
    m = _OPAQUE.match(text, i)
    if m:
        return Markup("empty", m.group(), m.group(1), _tag_id(m.group(2)), i, m.end())
    m = _TAG.match(text, i)
    if m:
        closing, name, attrs, selfclosing = m.groups()
        if (closing and selfclosing) or _is_pseudo_tag(text, m):
            return None
        end = (
            _element_end(text, name, m.end())
            if not (closing or selfclosing) and _NO_TRANSLATE.search(attrs)
            else None
        )
        if end is not None:
            return Markup("empty", text[i:end], name, _tag_id(attrs), i, end)
        kind: Kind = "close" if closing else "empty" if selfclosing else "open"
        return Markup(kind, m.group(), name, _tag_id(attrs), i, m.end())
    return None


def _match_ampersand(text: str, i: int, families: frozenset[str]) -> Markup | None:
    """A tag written as text (`&lt;b&gt;`) or an entity at `&`."""
    m = _ESCAPED_TAG.match(text, i)
    if m:  # `&lt;xliff:g id="n"&gt;`: a tag written as text (Android strings, HTML in catalogues)
        closing, name, _, selfclosing = m.groups()
        escaped: Kind = "close" if closing else "empty" if selfclosing else "open"
        return Markup(escaped, m.group(), name, _tag_id(html.unescape(m.group(3))), i, m.end())
    m = _ENTITY.match(text, i)
    return Markup("placeholder", m.group(), _entity_family(m.group()), None, i, m.end()) if m else None


def _match_percent(text: str, i: int, families: frozenset[str]) -> Markup | None:
    """Symfony `%name%`, printf and Python `%(name)s`, Qt `%1`, or (opt-in) a bare `%name` at `%`."""
    m = _PERCENT_NAME.match(text, i)
    if m and not _PRINTF_LIKE.fullmatch(m.group(1)):
        return Markup("placeholder", m.group(), "percent", None, i, m.end())
    m = _PRINTF.match(text, i)
    # `50%-a` (Hungarian suffix) and `%3A` (URL escape) are text, not placeholders.
    if (
        m
        and m.group() != "%%"
        and (_AFTER_NUMBER.search(text[max(0, i - 2) : i]) or _URL_ESCAPE.fullmatch(m.group()))
    ):
        return None
    family = "python" if m and m.group().startswith("%(") else "printf"
    if m and family in families:
        return Markup("placeholder", m.group(), family, None, i, m.end())
    m = _PERCENT_NUMBER.match(text, i)
    if m and not _AFTER_NUMBER.search(text[max(0, i - 2) : i]):
        return Markup("placeholder", m.group(), "positional", None, i, m.end())
    m = _BARE_PERCENT.match(text, i) if "bare-percent" in families else None
    return Markup("placeholder", m.group(), "bare-percent", None, i, m.end()) if m else None


def _match_dollar(text: str, i: int, families: frozenset[str]) -> Markup | None:
    """The `$` families that are on: `$name$`, `${name}`, `$(name)`, a bare `$name`."""
    for pattern, family in _DOLLAR_FAMILIES:
        m = pattern.match(text, i)
        if m and family in families:
            return Markup("placeholder", m.group(), family, None, i, m.end())
    return None


def _match_delimited(text: str, i: int, families: frozenset[str]) -> Markup | None:
    """`#name#` or `@name@`, or (opt-in) `#1`."""
    m = _DELIMITED.match(text, i)
    if m:
        return Markup("placeholder", m.group(), "delimited", None, i, m.end())
    m = _HASH_NUMBER.match(text, i) if "hash-number" in families else None
    return Markup("placeholder", m.group(), "hash-number", None, i, m.end()) if m else None


def _match_bracket(text: str, i: int, families: frozenset[str]) -> Markup | None:
    """A Symfony plural interval (`]1,Inf]`) or (opt-in) an OpenOffice `[name]`."""
    m = _INTERVAL.match(text, i) if "interval" in families and _starts_form(text, i) else None
    if m:
        return Markup("placeholder", m.group(), "interval", None, i, m.end())
    m = _BRACKET.match(text, i) if text[i] == "[" and "bracket" in families else None
    return Markup("placeholder", m.group(), "bracket", None, i, m.end()) if m else None


def _match_brace(text: str, i: int, families: frozenset[str]) -> Markup | None:
    """`{{ name }}`, `{name}` / `{0}` / `{0:N2}`, or a whole ICU message."""
    m = _TEMPLATE.match(text, i)
    if m:
        return Markup("placeholder", m.group(), "template", None, i, m.end())
    m = _PY_BRACE.match(text, i)
    if m:
        return Markup("placeholder", m.group(), "brace", None, i, m.end())
    if _ICU_HEAD.match(text, i + 1):
        end = _balanced_end(text, i)
        if end is not None:
            return Markup("placeholder", text[i:end], "icu", None, i, end)
    return None


_MATCHERS: dict[str, Callable[[str, int, frozenset[str]], Markup | None]] = {
    "<": _match_tag,
    "&": _match_ampersand,
    "%": _match_percent,
    "$": _match_dollar,
    "#": _match_delimited,
    "@": _match_delimited,
    "[": _match_bracket,
    "]": _match_bracket,
    "{": _match_brace,
}


def _match_at(text: str, i: int, families: frozenset[str] = DEFAULT_FAMILIES) -> Markup | None:
    """The markup unit starting at offset `i`, if any. A `$` or `[` unit counts only when its family is on."""
    matcher = _MATCHERS.get(text[i])
    return matcher(text, i, families) if matcher is not None else None


_ICU_BRANCHING = re.compile(r"\{\s*[\w.]+\s*,\s*\w+\s*,(?=\s*(?:offset:\d+\s*)?(?:=\d+|[\w-]+)\s*\{)")
_ICU_CASE = re.compile(r"\s*(?:offset:\d+\s*)?(?:=\d+|[\w-]+)\s*\{")


def _icu_message(text: str, i: int, literals: bool, families: frozenset[str]) -> list[Markup] | None:
    """An ICU message with branches (`{n, plural, one {# file} other {# files}}`) as markup around text:
    its head and final brace a pair (`icu`), each case and its brace a pair (`icu-case`), and the words of
    each case left to translate, with the markup inside them found as anywhere else."""
    head = _ICU_BRANCHING.match(text, i)
    end = _balanced_end(text, i) if head else None
    if head is None or end is None:
        return None
    units = [Markup("open", head.group(), "icu", None, i, head.end())]
    pos = head.end()
    while (case := _ICU_CASE.match(text, pos, end)) is not None:
        close = _balanced_end(text, case.end() - 1)
        if close is None or close > end - 1:
            return None
        units.append(Markup("open", case.group(), "icu-case", None, case.start(), case.end()))
        inner = _scan(text[case.end() : close - 1], literals, families)
        units += [replace(u, start=u.start + case.end(), end=u.end + case.end()) for u in inner]
        units.append(Markup("close", "}", "icu-case", None, close - 1, close))
        pos = close
    if text[pos : end - 1].strip():
        return None  # not ICU after all: text between the last case and the closing brace
    units.append(Markup("close", text[pos:end], "icu", None, pos, end))
    return units


def _scan(text: str, literals: bool, families: frozenset[str] = DEFAULT_FAMILIES) -> list[Markup]:
    """Markup units of `text`; placeholders only of the given families (tags always)."""
    found: list[Markup] = []
    pos = 0
    while True:
        t = _TRIGGER.search(text, pos)
        if t is None:
            return found
        i = t.start()
        if text[i] in "⟦⟧":
            if literals:
                found.append(Markup("placeholder", text[i], "literal", None, i, i + 1))
            pos = i + 1
            continue
        message = _icu_message(text, i, literals, families) if text[i] == "{" and "icu" in families else None
        if message is not None:
            found += message
            pos = message[-1].end
            continue
        unit = _match_at(text, i, families)
        if unit is not None and unit.kind == "placeholder" and unit.name not in families:
            unit = None
        if unit is None:
            pos = i + 1
        else:
            found.append(unit)
            pos = unit.end


def find_markup(text: str, profiles: Sequence[str] = ()) -> list[Markup]:
    """Tags, entities and placeholders in `text`, in order, with their spans; placeholders of the named
    profiles (see `glossaries.placeholder_profiles`), or of the default families for none."""
    return _scan(text, literals=False, families=families_for(tuple(profiles)))


def _dnt_pattern(dnt: Sequence[str]) -> re.Pattern[str] | None:
    terms = sorted({t for t in dnt if t.strip()}, key=len, reverse=True)
    if not terms:
        return None
    parts = []
    for term in terms:
        left = r"(?<!\w)" if term[0].isalnum() or term[0] == "_" else ""
        right = r"(?!\w)" if term[-1].isalnum() or term[-1] == "_" else ""
        parts.append(left + re.escape(term) + right)
    return re.compile("|".join(parts))


def _with_dnt(text: str, units: list[Markup], dnt: Sequence[str]) -> list[Markup]:
    pattern = _dnt_pattern(dnt)
    if pattern is None:
        return units
    out: list[Markup] = []
    pos = 0
    for unit in [*units, None]:
        gap_end = unit.start if unit is not None else len(text)
        for m in pattern.finditer(text, pos, gap_end):
            out.append(Markup("dnt", m.group(), m.group(), None, m.start(), m.end()))
        if unit is not None:
            out.append(unit)
            pos = unit.end
    return out


def _pairs(units: Sequence[Markup]) -> dict[int, int]:
    """Index of each close tag -> index of its open tag (by name, innermost first)."""
    stack: list[int] = []
    pairs: dict[int, int] = {}
    for i, u in enumerate(units):
        if u.kind == "open":
            stack.append(i)
        elif u.kind == "close":
            for depth in range(len(stack) - 1, -1, -1):
                if units[stack[depth]].name == u.name:
                    pairs[i] = stack.pop(depth)
                    break
    return pairs


# --- protect / restore -------------------------------------------------------------------------------


def protect(text: str, dnt: Sequence[str] = (), profiles: Sequence[str] = ()) -> Protected:
    """Replace every markup unit and DNT term with a numbered mask the model copies verbatim.

    Profiles only add families: whatever the default recognises is protected whatever the file type says,
    as a model must never rewrite something that looks like a placeholder.
    """
    families = DEFAULT_FAMILIES | families_for(tuple(profiles))
    units = _with_dnt(text, _scan(text, literals=True, families=families), dnt)
    pairs = _pairs(units)
    numbers: dict[int, int] = {}
    tokens: list[Token] = []
    parts: list[str] = []
    pos = 0
    n = 0
    for i, u in enumerate(units):
        if i in pairs:
            mask = f"{MASK_OPEN}/{numbers[pairs[i]]}{MASK_CLOSE}"
        else:
            n += 1
            numbers[i] = n
            slash = "/" if u.kind == "close" else ""
            mask = f"{MASK_OPEN}{slash}{n}{MASK_CLOSE}"
        parts.append(text[pos : u.start])
        parts.append(mask)
        pos = u.end
        tokens.append(Token(u.kind, u.text, u.name, u.id, mask))
    parts.append(text[pos:])
    return Protected("".join(parts), tuple(tokens))


def restore(masked: str, protected: Protected) -> str:
    """Put the original markup back in place of every mask; unknown masks are left as they are."""
    table = {t.token: t.text for t in protected.tokens}
    return MASK_RE.sub(lambda m: table.get(m.group(), m.group()), masked)


def masks_in(masked: str) -> list[str]:
    """The masks present in `masked` (e.g. a model's output), in order."""
    return [m.group() for m in MASK_RE.finditer(masked)]


# --- repair ------------------------------------------------------------------------------------------


def _snap(text: str, pos: int, attach_right: bool, attach_left: bool) -> int:
    """Nearest offset to `pos` that sits on a word boundary the mask can attach to."""
    pos = max(0, min(len(text), pos))

    def ok(p: int) -> bool:
        before = text[p - 1] if p > 0 else " "
        after = text[p] if p < len(text) else " "
        if attach_right and not attach_left:
            return (not after.isspace() and (before.isspace() or p == 0)) or p == len(text)
        if attach_left and not attach_right:
            return (not before.isspace() and (after.isspace() or p == len(text))) or p == 0
        return (
            before.isspace()
            or after.isspace()
            or p in (0, len(text))
            or not (before.isalnum() and after.isalnum())
        )

    for delta in range(len(text) + 1):
        for p in (pos - delta, pos + delta):
            if 0 <= p <= len(text) and ok(p):
                return p
    return pos


_WORD = re.compile(r"\S+")


def partner_of(mask: str) -> str:
    """The other half of a paired mask: `⟦/3⟧` for `⟦3⟧` and back."""
    return mask.replace("/", "") if "/" in mask else mask[:1] + "/" + mask[1:]


def _partner(masked_source: str, src: list[re.Match[str]], k: int, out: str) -> int | None:
    """Where a paired mask goes when its partner survived: as many words away as in the source."""
    mask = src[k].group()
    partner_mask = partner_of(mask)
    idx = out.find(partner_mask)
    if idx < 0:
        return None
    j = next((j for j, m in enumerate(src) if m.group() == partner_mask), None)
    if j is None:
        return None
    if j < k:  # closing mask: skip forward the words the pair wrapped
        inner = MASK_RE.sub(" ", masked_source[src[j].end() : src[k].start()])
        words = list(_WORD.finditer(out, idx + len(partner_mask)))
        n = len(inner.split())
        if n == 0:
            return idx + len(partner_mask)
        if not words:
            return len(out)
        w = words[min(n, len(words)) - 1]
        text = out[w.start() : w.end()]
        trail = len(text) - len(text.rstrip(".,;:!?)»”"))
        return w.end() - trail
    inner = MASK_RE.sub(" ", masked_source[src[k].end() : src[j].start()])
    n = len(inner.split())
    words = list(_WORD.finditer(out, 0, idx))
    if n == 0 or not words:
        return idx
    return words[max(0, len(words) - n)].start()


def _outside_masks(text: str, p: int) -> int:
    """`p`, moved past any mask it would split."""
    for m in MASK_RE.finditer(text):
        if m.start() < p < m.end():
            return m.end()
    return p


# Words a translation keeps as they are: numbers and codes, acronyms, URLs. A mask glued to one in the
# source is glued to the same token in the output, wherever word order put it.
_IDENTICAL = re.compile(r"[^\s]*\d[^\s]*|[A-Z][A-Z0-9]+(?:[-/][A-Z0-9]+)*|https?://[^\s]+")


def _glued_token(masked_source: str, m: re.Match[str]) -> tuple[str, bool] | None:
    """The keep-as-is token a mask is glued to in the source, and whether it follows the mask."""
    after = re.match(r"[^\s⟦⟧]+", masked_source[m.end() :])
    before = re.search(r"[^\s⟦⟧]+$", masked_source[: m.start()])
    if after is not None and before is not None:
        return None  # glued on both sides (`-⟦2⟧EUR`): which side it follows is not for a token to say
    for found, follows in ((after, True), (before, False)):
        if found is not None:
            word = found.group().strip(".,;:!?»”\"'") if follows else found.group().lstrip("«“\"'")
            if word and _IDENTICAL.fullmatch(word):
                return word, follows
    return None


def _token_anchor(masked_source: str, m: re.Match[str], out: str) -> int | None:
    """Where a mask glued to a keep-as-is token goes: next to that token, if the output has it once."""
    glued = _glued_token(masked_source, m)
    if glued is None:
        return None
    word, follows = glued
    hits = [h.start() for h in re.finditer(rf"(?<![\w.,]){re.escape(word)}(?![\w]|[.,]\d)", out)]
    if len(hits) != 1:
        return None
    return hits[0] if follows else hits[0] + len(word)


_LETTERS = re.compile(r"[^\W\d_]{4,}")


def _folded(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(c))


def _cognate(a: str, b: str) -> bool:
    """Do two words share their stem across languages (`cooperation`/`coopération`, `technical`/`technikai`)?

    Measured on the EUR-Lex markup sets (de, fr, hu): a source word with exactly one such word in the
    target names the right word 99% of the time, and the misses are names a translation expands.
    """
    a, b = _folded(a), _folded(b)
    prefix = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return prefix >= 5 or (prefix >= 3 and SequenceMatcher(None, a, b).ratio() >= 0.75)


def _text_anchor(
    masked_source: str, src: list[re.Match[str]], k: int, out: str, target_lang: str
) -> int | None:
    """Where a paired mask goes when the pair's own text names the place in the output: inside the same
    kept word (`CO<g>2</g>`), around the same punctuation mark counted in order (`Armenia<g>, </g>…`), or
    around the one output word sharing the enclosed word's stem."""
    bounds = _pair_bounds(masked_source, src, k)
    if bounds is None:
        return None
    p = _in_word_anchor(masked_source, src, bounds, k, out)
    p = _verbatim_anchor(masked_source, src, bounds, k, out) if p is None else p
    p = _punctuation_anchor(masked_source, src, bounds, k, out) if p is None else p
    p = _cognate_anchor(masked_source, src, bounds, k, out, target_lang) if p is None else p
    return None if p is None or _partner_disagrees(out, src[k].group(), p) else p


def _verbatim_anchor(
    masked_source: str, src: list[re.Match[str]], bounds: tuple[int, int], k: int, out: str
) -> int | None:
    """A pair around text a translation keeps as is (a URL, a code, a number with its unit) goes around
    the same text in the output, when the output has it exactly once."""
    a, b = bounds
    inner = masked_source[src[a].end() : src[b].start()].strip()
    if len(inner) < 2 or MASK_RE.search(inner) or not _IDENTICAL.fullmatch(inner):
        return None  # (a pair around other pairs: their places say where it goes)
    hits = list(re.finditer(rf"(?<![\w.,]){re.escape(inner)}(?![\w]|[.,]\d)", _blanked(out)))
    if len(hits) != 1:
        return None
    return hits[0].start() if k == a else hits[0].end()


def _in_word_anchor(
    masked_source: str, src: list[re.Match[str]], bounds: tuple[int, int], k: int, out: str
) -> int | None:
    """A pair inside a word (`CO⟦3⟧2⟦/3⟧`, `km⟦4⟧2 ⟦/4⟧`) goes inside the same word of the output, when the
    output has that word exactly once: a word a translation keeps, so the same letters are the same place."""
    a, b = bounds
    head = re.search(r"[^\W_]+$", masked_source[: src[a].start()])
    inner = masked_source[src[a].end() : src[b].start()].rstrip()
    if head is None or not re.fullmatch(r"[^\W_]+", inner):
        return None
    hits = list(re.finditer(rf"(?<![^\W_]){re.escape(head.group() + inner)}(?!\d)", _blanked(out)))
    if len(hits) != 1:
        return None
    at = hits[0].start() + len(head.group())
    return at if k == a else at + len(inner)


def _punctuation_anchor(
    masked_source: str, src: list[re.Match[str]], bounds: tuple[int, int], k: int, out: str
) -> int | None:
    """A pair around punctuation alone (the commas of a list) goes around the same mark, counted in order,
    when the output has as many of it as the source."""
    a, b = bounds
    mark = MASK_RE.sub("", masked_source[src[a].end() : src[b].start()]).strip()
    if not mark or len(mark) > 3 or any(c.isalnum() for c in mark):
        return None
    source, output = _blanked(masked_source), _blanked(out)
    marks = [h.start() for h in re.finditer(re.escape(mark), source)]
    found = [h.start() for h in re.finditer(re.escape(mark), output)]
    if len(marks) != len(found):
        return None
    nth = next((n for n, at in enumerate(marks) if at >= src[a].end()), None)
    if nth is None:
        return None
    return found[nth] if k == a else found[nth] + len(mark)


def _cognate_anchor(
    masked_source: str, src: list[re.Match[str]], bounds: tuple[int, int], k: int, out: str, target_lang: str
) -> int | None:
    """Where a paired mask goes when its pair encloses one word in the source and exactly one word of the
    output shares that word's stem: before that word (open) or after it (close). Not for an English adverb
    whose cognate the target language does not make an adverb (`particularly` -> `en particulier`): a
    phrase renders it, and the cognate is only part of it."""
    a, b = bounds
    inner = MASK_RE.sub(" ", masked_source[src[a].end() : src[b].start()]).split()
    words = _LETTERS.findall(" ".join(inner))
    if len(inner) != 1 or words != [inner[0]]:
        return None
    hits = [h for h in _LETTERS.finditer(out) if _cognate(words[0], h.group())]
    if len(hits) != 1:
        return None
    adverb = target_lang and words[0].casefold().endswith("ly")
    if adverb and morphology(target_lang).is_adverb(hits[0].group()) is False:
        return None
    return hits[0].start() if k == a else hits[0].end()


def _pair_bounds(masked_source: str, src: list[re.Match[str]], k: int) -> tuple[int, int] | None:
    """The indices (open, close) in `src` of the pair mask `k` belongs to; None when it is no pair or the
    pair wraps the whole segment (then the edges say where it goes)."""
    partner = partner_of(src[k].group())
    j = next((j for j, m in enumerate(src) if m.group() == partner), None)
    if j is None:
        return None
    a, b = sorted((j, k))
    if src[a].start() == 0 and src[b].end() == len(masked_source):
        return None
    return a, b


def _partner_disagrees(out: str, mask: str, p: int) -> bool:
    """Does the surviving other half of `mask` in `out` say the pair is elsewhere than `p`?"""
    survivor = out.find(partner_of(mask))
    return survivor >= 0 and (survivor > p if "/" in mask else survivor < p)


def _blanked(text: str) -> str:
    """`text` with every mask turned into spaces, offsets kept: the words a reader sees."""
    return MASK_RE.sub(lambda m: " " * len(m.group()), text)


def _lexical_anchor(
    masked_source: str, src: list[re.Match[str]], k: int, out: str, lexicon: Lexicon
) -> tuple[int, bool] | None:
    """Where a paired mask goes by word alignment: before the first (open) or after the last (close) of
    the output words that render the words the pair encloses in the source; and whether that is sure."""
    bounds = _pair_bounds(masked_source, src, k)
    if bounds is None:
        return None
    a, b = bounds
    source = words(_blanked(masked_source))
    inside = [n for n, w in enumerate(source) if src[a].end() <= w.start() and w.end() <= src[b].start()]
    target = words(_blanked(out))
    if not inside or not target:
        return None
    found = project(
        lexicon,
        [word_key(w.group()) for w in source],
        range(inside[0], inside[-1] + 1),
        [word_key(w.group()) for w in target],
    )
    if found is None:
        return None
    p = target[found.first].start() if k == a else target[found.last].end()
    stop = re.search(r"[.!?;:]$", _blanked(masked_source[: src[b].start()]).rstrip()) if k == b else None
    if stop and (same := re.match(rf"\s*{re.escape(stop.group())}", out[p:])):
        p += same.end()  # the pair's closing punctuation goes in with it, as in the source
    if _partner_disagrees(out, src[k].group(), p):
        return None
    inner = masked_source[max(0, src[a].start() - 1) : src[b].end() + 1]
    in_word = bool(re.match(r"\w⟦", inner) or re.search(r"⟧\w$", inner))  # `CO⟦3⟧2⟦/3⟧`: not between words
    whole = all(keyed_whole(w.group()) for w in target[found.first : found.last + 1])
    return p, found.sure and whole and not in_word


def repair_masks(masked_source: str, masked_output: str) -> str:
    """Drop masks the model invented or repeated and re-insert the ones it dropped (see `place_masks`)."""
    return place_masks(masked_source, masked_output)[0]


_CLOSING = {"(": ")", "[": "]", "{": "}", "«": "»", "“": "”", "„": "“"}  # not `"`: `"a" "b"` has a `" "`


def _bracket_hole(before: str, after: str, out: str) -> int | None:
    """Inside the one empty bracket pair of the output, for a mask the source encloses in that pair alone
    (`System default ($value)` -> `Standard ()`): the hole it left, wherever word order put it."""
    if before not in _CLOSING or after != _CLOSING[before]:
        return None
    holes = list(re.finditer(re.escape(before) + r"\s*" + re.escape(after), out))
    return holes[0].start() + 1 if len(holes) == 1 else None


def _drop_extras(masked_output: str, wanted: Counter[str]) -> str:
    """`masked_output` without the masks the model invented or repeated (one space kept where one went)."""
    seen: Counter[str] = Counter()
    out = ""
    pos = 0
    dropped = False
    for m in [*MASK_RE.finditer(masked_output), None]:
        piece = masked_output[pos : m.start() if m else len(masked_output)]
        if dropped and out.endswith(" ") and piece.startswith(" "):
            piece = piece[1:]  # "a ⟦9⟧ b" -> "a b", not "a  b"
        if m is None:
            out = out.rstrip(" ") if dropped and not piece.strip(" ") else out + piece
            break
        out += piece
        dropped = seen[m.group()] >= wanted[m.group()]
        if not dropped:
            seen[m.group()] += 1
            out += m.group()
        pos = m.end()
    return out


def _place_one(
    masked_source: str,
    src: list[re.Match[str]],
    k: int,
    out: str,
    wanted: Counter[str],
    guessed: list[str],
    lexicon: Lexicon | None = None,
    target_lang: str = "",
) -> tuple[int, bool]:
    """Where in `out` the missing source mask `src[k]` goes back, and whether an anchor confirms the place
    (see `place_masks`)."""
    m = src[k]
    mask = m.group()
    left_src, left_out, right_src, right_out = _surviving_neighbours(masked_source, src, k, out)
    before = masked_source[m.start() - 1] if m.start() > 0 else ""
    after = masked_source[m.end()] if m.end() < len(masked_source) else ""
    attach_right = bool(after) and not after.isspace()
    attach_left = bool(before) and not before.isspace()
    partner = _partner(masked_source, src, k, out)
    token = None if _encloses_more(masked_source, src, k) else _kept_anchor(masked_source, m, out)
    paired = "/" in mask or partner_of(mask) in wanted
    cognate = _text_anchor(masked_source, src, k, out, target_lang) if paired else None
    aligned = _lexical_anchor(masked_source, src, k, out, lexicon) if paired and lexicon else None
    if aligned is not None and not left_out <= aligned[0] <= right_out:
        aligned = None  # across a surviving tag: the nesting would break
    glued = _glued_place(masked_source, m, guessed, (left_src, left_out, right_src, right_out))
    anchored = True
    if cognate is not None:  # before the edges: "natural <g>resources</g>" -> "<g>ressources</g> naturelles"
        p = cognate
    elif m.start() == 0:
        p = 0
    elif m.end() == len(masked_source):
        # Glued to a tag the output has (`…</g></g>` at the source's end): right after it, before any
        # full stop the translation added; else the very end.
        at_end = m.start() == left_src and left_src > 0
        p = (
            left_out
            if at_end and _neighbour(masked_source, m.start(), before=True) not in guessed
            else len(out)
        )
    elif token is not None:  # next to a kept token, in its empty brackets, after its plural's pipe
        p = token
    elif glued is not None and glued[1]:  # glued to a tag whose place is sure (`…</g><g>…`)
        p = glued[0]
    elif aligned is not None:
        p, anchored = aligned[0], aligned[1] and not _guessed_partner(mask, guessed)
    elif partner is not None:
        p = partner
        anchored = _encloses_nothing(masked_source, src, k) and not _guessed_partner(mask, guessed)
    elif glued is not None:
        p, anchored = glued
    else:  # the same relative place between the neighbours as in the source: a guess
        frac = (m.start() - left_src) / max(1, right_src - left_src)
        p = _snap(out, left_out + round(frac * max(0, right_out - left_out)), attach_right, attach_left)
        p = max(left_out, min(p, right_out)) if left_out <= right_out else p
        anchored = False
    return p, anchored


def _kept_anchor(masked_source: str, m: re.Match[str], out: str) -> int | None:
    """A place the output's own text fixes: next to a token kept as is, in the one empty bracket pair
    the source encloses the mask in, at the start of its form of a pipe plural."""
    before = masked_source[m.start() - 1] if m.start() > 0 else ""
    after = masked_source[m.end()] if m.end() < len(masked_source) else ""
    for p in (_token_anchor(masked_source, m, out), _bracket_hole(before, after, out)):
        if p is not None:
            return p
    return _pipe_anchor(masked_source, m, out)


def _pipe_anchor(masked_source: str, m: re.Match[str], out: str) -> int | None:
    """A mask opening a form of a pipe-separated plural (`{0} none|{1} one|]1,Inf] many`) opens the same
    form of the output, when it has as many forms."""
    head = masked_source[: m.start()].rstrip()
    if not head.endswith("|") or masked_source.count("|") != out.count("|"):
        return None
    pipe = [i for i, c in enumerate(out) if c == "|"][head.count("|") - 1]
    if masked_source[m.start() - 1] == "|":  # glued to its pipe in the source (`|]1,Inf]`): so in the output
        return pipe + 1
    return pipe + 1 + len(out[pipe + 1 :]) - len(out[pipe + 1 :].lstrip())


def _glued_place(
    masked_source: str, m: re.Match[str], guessed: Sequence[str], neighbours: tuple[int, int, int, int]
) -> tuple[int, bool] | None:
    """Next to the surviving mask a missing one is glued to in the source (no space between), and whether
    that neighbour's own place is sure."""
    left_src, left_out, right_src, right_out = neighbours
    before = masked_source[m.start() - 1] if m.start() > 0 else ""
    after = masked_source[m.end()] if m.end() < len(masked_source) else ""
    if m.start() == left_src and left_src > 0 and before and not before.isspace():
        return left_out, _neighbour(masked_source, m.start(), before=True) not in guessed
    if m.end() == right_src and right_src < len(masked_source) and after and not after.isspace():
        return right_out, _neighbour(masked_source, m.end(), before=False) not in guessed
    return None


def _surviving_neighbours(
    masked_source: str, src: list[re.Match[str]], k: int, out: str
) -> tuple[int, int, int, int]:
    """The nearest source masks on either side of `src[k]` that `out` holds: (left end in the source, in
    the output, right start in the source, in the output); the text's ends where there are none."""
    left_src, left_out = 0, 0
    for j in range(k - 1, -1, -1):
        idx = out.find(src[j].group())
        if idx >= 0:
            left_src, left_out = src[j].end(), idx + len(src[j].group())
            break
    right_src, right_out = len(masked_source), len(out)
    for j in range(k + 1, len(src)):
        idx = out.find(src[j].group(), left_out)
        if idx >= 0:
            right_src, right_out = src[j].start(), idx
            break
    return left_src, left_out, right_src, right_out


def place_masks(
    masked_source: str,
    masked_output: str,
    keep: frozenset[str] = frozenset(),
    optional: frozenset[str] = frozenset(),
    lexicon: Lexicon | None = None,
    target_lang: str = "",
) -> tuple[str, tuple[str, ...]]:
    """Drop masks the model invented or repeated and re-insert the ones it dropped; also name the masks
    whose place nothing confirms. Masks in `keep` (the MT's own escapes, `&amp;`) are text, never dropped.

    A missing mask glued to a token translation keeps as is (a number, a code, an acronym) goes next to
    that token; a paired one around a single word goes around the one output word sharing its stem; one
    at either end of the source goes to that end; one glued to a surviving mask goes next to it. Those
    places are anchored. Any other goes between its nearest surviving neighbours at the same relative
    position it had in the source, snapped to a word boundary: a guess that word order can defeat, so it
    is returned as unanchored for the caller to flag. With a `lexicon` (word alignment learned from the
    job), a pair goes around the output words that render what it encloses, anchored when the alignment is
    sure (`agent.alignment.project`).
    """
    src = list(MASK_RE.finditer(masked_source))
    wanted = Counter(m.group() for m in src)
    wanted.update(m.group() for m in MASK_RE.finditer(masked_output) if m.group() in keep)
    out = _drop_extras(masked_output, wanted)

    present = Counter(masks_in(out))
    guessed: list[str] = []
    for k, m in enumerate(src):
        mask = m.group()
        if present[mask] > 0 or mask in optional:  # `optional`: an ICU case the target language lacks
            present[mask] -= 1
            continue
        p, anchored = _place_one(masked_source, src, k, out, wanted, guessed, lexicon, target_lang)
        if not anchored:
            guessed.append(mask)
        p = _outside_masks(out, p)
        before = masked_source[m.start() - 1] if m.start() > 0 else ""
        after = masked_source[m.end()] if m.end() < len(masked_source) else ""
        insert = mask
        if before.isspace() and p > 0 and (out[p - 1].isalnum() or out[p - 1] in "⟧"):
            insert = " " + insert
        if after.isspace() and p < len(out) and (out[p].isalnum() or out[p] in "⟦"):
            insert = insert + " "
        out = out[:p] + insert + out[p:]
    return out, tuple(guessed)


def mask_remnants(mask: str, either_half: bool = True) -> list[str]:
    """Patterns for `mask` (`⟦3⟧`) half-written by a model: `[3]`, `⟦3`, `3⟧`; with `either_half`, the
    bracketed and opening forms of its closing half (`[/3]`, `⟦/3`) too."""
    number, slash = re.escape(mask.strip("⟦⟧/")), "/?" if either_half else ""
    return [rf"\[\s*{slash}{number}\s*\]", rf"⟦{slash}{number}(?![\d⟧])", rf"(?<![⟦/\d]){number}⟧"]


def damaged_copy(masked: str, mask: str, text: str) -> tuple[int, int] | None:
    """Where `masked` (a masked output) holds the markup `text`, or its `mask`, damaged the way models
    damage them: spaces put inside (`%1 $s`, `{ 0}`, `< x id="1"/>`), the first or last character lost
    (`ntity_name%`), the mask half written (`⟦3`, `[3]`), an interval's keyword translated (`]1,Infini]`).
    Outside other masks; None unless exactly one."""
    forms = [r"\s?".join(map(re.escape, text))]
    for cut in (1, 2) if len(text) >= 5 + 2 else (1,) if len(text) >= 5 else ():
        forms += [rf"(?<![\w%{{$&]){re.escape(text[cut:])}", rf"{re.escape(text[:-cut])}(?![\w%}};])"]
    forms += mask_remnants(mask)
    if text[:1] in "[]" and re.search(r"\d", text):  # a Symfony interval: any word for its `Inf`
        runs = re.split(r"([^\W\d_]+)", text)
        forms.append("".join(r"[^\W\d_]+" if run.isalpha() else re.escape(run) for run in runs))
    if text == "%%":  # a format string's escaped percent written as a lone `%`
        forms.append(r"(?<![%\w])%(?![%\w(${])")
    masks = [(m.start(), m.end()) for m in MASK_RE.finditer(masked)]
    hits = {
        (h.start(), h.end())
        for form in forms
        for h in re.finditer(form, masked)
        if h.group() != text and not any(a < h.end() and h.start() < b for a, b in masks)
    }
    widest = [h for h in hits if not any(o != h and o[0] <= h[0] and h[1] <= o[1] for o in hits)]
    return widest[0] if len(widest) == 1 else None


def without_pair(masked: str, mask: str) -> str:
    """`masked` without the paired mask `mask` (`⟦3⟧`) and its partner, leaving no doubled space."""
    for half in (mask, partner_of(mask)):
        at = masked.find(half)
        if at < 0:
            continue
        before, after = masked[:at], masked[at + len(half) :]
        if before.endswith(" ") and (after.startswith(" ") or not after):
            before = before[:-1]
        masked = before + after
    return masked


def wrap_pair(masked: str, mask: str, start: int, end: int) -> str | None:
    """`masked` with the pair `mask` around `masked[start:end]`; None when that would cut another pair."""
    inside = Counter(m.group() for m in MASK_RE.finditer(masked, start, end))
    if any(inside[partner_of(m)] != n for m, n in inside.items()):
        return None
    return masked[:start] + mask + masked[start:end] + partner_of(mask) + masked[end:]


def enclosed_text(masked_source: str, mask: str) -> str | None:
    """The source words the pair `mask` encloses, masks left out; None when it is no pair."""
    a, b = masked_source.find(mask), masked_source.find(partner_of(mask))
    if a < 0 or b < 0 or b < a:
        return None
    return " ".join(MASK_RE.sub(" ", masked_source[a + len(mask) : b]).split())


def _encloses_more(masked_source: str, src: list[re.Match[str]], k: int) -> bool:
    """Does the pair of mask `k` enclose more than one word in the source? Then a kept token it is glued to
    says where that word went, not the pair (`<g>ACP states</g>` -> `des États ACP`)."""
    bounds = _pair_bounds(masked_source, src, k)
    if bounds is None:
        return False
    a, b = bounds
    return len(MASK_RE.sub(" ", masked_source[src[a].end() : src[b].start()]).split()) > 1


def _encloses_nothing(masked_source: str, src: list[re.Match[str]], k: int) -> bool:
    """Does the pair of mask `k` enclose no words in the source (`⟦1⟧⟦/1⟧`)? Then its partner fixes it."""
    mask = src[k].group()
    partner = partner_of(mask)
    j = next((j for j, m in enumerate(src) if m.group() == partner), None)
    if j is None:
        return False
    a, b = sorted((j, k))
    return not MASK_RE.sub("", masked_source[src[a].end() : src[b].start()]).strip()


def _guessed_partner(mask: str, guessed: Sequence[str]) -> bool:
    return partner_of(mask) in guessed


def _neighbour(masked_source: str, at: int, *, before: bool) -> str | None:
    """The mask right before (or after) offset `at` in the source, if one is glued there."""
    found = re.search(r"⟦/?\d+⟧$", masked_source[:at]) if before else MASK_RE.match(masked_source, at)
    return found.group() if found else None


# --- validation --------------------------------------------------------------------------------------

_Key = tuple[str, str, str]


@dataclass(frozen=True)
class _Unit:
    key: _Key
    markup: Markup


# Attributes whose value is text for the reader (translated with it) or layout a translator may adapt:
# a change in them is not a different tag. Layout changes are still reported, as a warning.
_TEXT_ATTRS = frozenset(
    {"alt", "title", "lang", "xml:lang", "xml-lang", "dir", "aria-label", "placeholder", "label", "summary"}
)
_LAYOUT_ATTRS = frozenset({"width", "height", "visibility", "name"})
_ATTR = re.compile(r"""([\w:.-]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_POSITION = re.compile(r"%(\d+)\$")


def _attributes(tag: str) -> dict[str, str]:
    m = _TAG.match(tag)
    if m is None:
        return {}
    return {name.lower(): value.strip("\"'") for name, value in _ATTR.findall(m.group(3))}


def _tag_ident(unit: Markup) -> str:
    """What identifies a tag across languages: its id, else its name and its non-text, non-layout attributes
    in any order (`<a href=x title=y>` is `<a title=z href=x>`)."""
    if unit.id is not None:
        return unit.id
    if unit.name == "icu":  # an ICU message's head: its argument and type
        return icu_head(unit.text)
    if _TAG.fullmatch(unit.text) is None:  # an opaque unit (`<ph>..</ph>`, a comment): all of it
        return " ".join(unit.text.split())
    attrs = _attributes(unit.text)
    kept = sorted(f"{k}={v}" for k, v in attrs.items() if k not in _TEXT_ATTRS | _LAYOUT_ATTRS)
    return " ".join([unit.name, *kept])


def _layout(unit: Markup) -> dict[str, str]:
    return {k: v for k, v in _attributes(unit.text).items() if k in _LAYOUT_ATTRS}


def _printf_key(unit: Markup, order: int) -> str:
    """`%s` as the `order`-th argument, `%2$d` as the second: `%s %d` and `%1$s %2$d` are the same."""
    if _POSITION.match(unit.text):
        return unit.text
    return f"%{order}${unit.text[1:]}"


def _units(markup: Sequence[Markup]) -> tuple[list[_Unit], list[Markup]]:
    """Tags and placeholders keyed for comparison, and the close tags that break nesting.

    Character entities (`&amp;`) are left to `_entity_findings`; `%%` is an escaped percent sign, not an
    argument, so a translation may use it or not (`_percent_findings`).
    """
    found = [
        u
        for u in markup
        if u.name not in ("entity", "comment", "icu-case") and not (u.name == "printf" and u.text == "%%")
    ]
    pairs = _pairs(found)
    opens_of = {v: k for k, v in pairs.items()}
    keys: dict[int, _Key] = {}
    units: list[_Unit] = []
    misnested: list[Markup] = []
    stack: list[int] = []
    printf_order = 0
    for i, u in enumerate(found):
        if u.kind in ("open", "empty"):
            key: _Key = (u.kind, u.name, _tag_ident(u))
        elif u.kind == "close":
            open_key = keys.get(pairs[i]) if i in pairs else None
            key = ("close", u.name, open_key[2] if open_key else "")
        elif u.name == "icu":
            key = ("placeholder", u.name, icu_skeleton(u.text))
        elif u.name == "printf":
            printf_order += not _POSITION.match(u.text)
            key = ("placeholder", u.name, _printf_key(u, printf_order))
        else:
            key = ("placeholder", u.name, u.text)
        keys[i] = key
        if u.kind == "close":
            if i in pairs and stack and stack[-1] == pairs[i]:
                stack.pop()
            else:
                if i in pairs:
                    stack.remove(pairs[i])
                misnested.append(u)
        units.append(_Unit(key, u))
        if u.kind == "open" and i in opens_of:
            stack.append(i)
    return units, misnested


def _case_spans(markup: Sequence[Markup]) -> list[tuple[int, int]]:
    """Where the words of each ICU case are (between `other {` and its `}`)."""
    spans: list[tuple[int, int]] = []
    opened: list[int] = []
    for u in markup:
        if u.name == "icu-case":
            if u.kind == "open":
                opened.append(u.end)
            elif opened:
                spans.append((opened.pop(), u.start))
    return spans


def _within(units: Sequence[_Unit], spans: Sequence[tuple[int, int]]) -> bool:
    return all(any(a <= u.markup.start and u.markup.end <= b for a, b in spans) for u in units)


def _describe(key: _Key) -> str:
    return "placeholder" if key[0] == "placeholder" or key[1] == "icu" else "tag"


def _entity_findings(
    source: Sequence[Markup], target_markup: Sequence[Markup], target: str
) -> list[Violation]:
    """Character entities of the source left mangled in the target (`&lt;&lt;` -> `&lt;lt;`).

    A target may write out what the source escaped (`&nbsp;` as U+00A0) or drop the character with the
    wording (`A&amp;B` -> "A und B"); what it must not do is keep the entity's name without its `&`.
    """

    def entities(markup: Sequence[Markup]) -> Counter[str]:
        return Counter(u.text for u in markup if u.name == "entity")

    src, tgt = entities(source), entities(target_markup)
    out: list[Violation] = []
    for entity, n in src.items():
        lost = n - tgt[entity] - target.count(html.unescape(entity))
        if lost > 0 and re.search(rf"(?<![&\w]){re.escape(entity[1:])}", target):
            out.append(
                Violation(
                    "placeholder-altered",
                    Severity.WARNING,
                    f"entity {entity} from the source lost its '&' in the target",
                    expected=entity,
                )
            )
    return out


def _percent_findings(source: Sequence[Markup], target: Sequence[Markup]) -> list[Violation]:
    """An escaped percent sign (`%%`) a format string's target dropped: the printf call prints no percent
    sign, or breaks on a lone `%` (Android's `String.format`)."""

    def escapes(markup: Sequence[Markup]) -> int:
        return sum(u.text == "%%" for u in markup if u.name == "printf")

    lost = escapes(source) - escapes(target)
    if lost <= 0 or not any(u.name == "printf" and u.text != "%%" for u in source):
        return []
    return [
        Violation(
            "placeholder-missing",
            Severity.ERROR,
            f"{lost} escaped percent sign(s) %% from the source missing in the target",
            expected="%%",
        )
    ]


def _layout_findings(src_by: dict[_Key, list[_Unit]], tgt_by: dict[_Key, list[_Unit]]) -> list[Violation]:
    out: list[Violation] = []
    for key, s in src_by.items():
        for a, b in zip(s, tgt_by.get(key, []), strict=False):
            if _layout(a.markup) != _layout(b.markup):
                out.append(
                    Violation(
                        "tag-attribute-changed",
                        Severity.WARNING,
                        f"tag {b.markup.text} changes the layout attributes of {a.markup.text}",
                        start=b.markup.start,
                        end=b.markup.end,
                    )
                )
    return out


def validate(source: str, target: str, profiles: Sequence[str] = ()) -> list[Violation]:
    """Tags and placeholders of `target` that are missing, extra, duplicated or mis-nested vs `source`,
    for the placeholder syntaxes of the named profiles (the default families for none)."""
    src_markup, tgt_markup = find_markup(source, profiles), find_markup(target, profiles)
    src_units, _ = _units(src_markup)
    tgt_units, tgt_misnested = _units(tgt_markup)
    src_by: dict[_Key, list[_Unit]] = defaultdict(list)
    tgt_by: dict[_Key, list[_Unit]] = defaultdict(list)
    for u in src_units:
        src_by[u.key].append(u)
    for u in tgt_units:
        tgt_by[u.key].append(u)
    status = _count_status(src_by, tgt_by, _case_spans(src_markup), _case_spans(tgt_markup))
    out = _count_findings(status, src_by, tgt_by)
    # Containment may legitimately change in translation (the EUR-Lex references do it); only
    # close tags that break well-formedness are errors.
    flagged = {v.start for v in out}
    out += [
        Violation(
            "tag-misnested", Severity.ERROR, f"tag {m.text} closes out of order", start=m.start, end=m.end
        )
        for m in tgt_misnested
        if m.start not in flagged
    ]
    return (
        out
        + _layout_findings(src_by, tgt_by)
        + _entity_findings(src_markup, tgt_markup, target)
        + _percent_findings(src_markup, tgt_markup)
        + _damaged_findings(src_markup, tgt_markup, target)
    )


def _damaged_findings(
    source: Sequence[Markup], target_markup: Sequence[Markup], target: str
) -> list[Violation]:
    """A damaged copy of a source placeholder in the target (`{ 1}` beside an intact `{1}`, `]1,Infini]`)
    where the target holds it fewer times than the source, or at all for a named one, which a translation
    may repeat: the count check alone lets those pass."""
    have = Counter(u.text for u in target_markup)
    out: list[Violation] = []
    kept = ("icu", "entity")  # an entity's damage is `_entity_findings`' (`&amp;amp;` is no damaged `&amp;`)
    for text, n in Counter(u.text for u in source if u.kind == "placeholder" and u.name not in kept).items():
        named = next(u.name for u in source if u.text == text) not in ("printf", "literal")
        if have[text] >= n and not named:  # a named one may be repeated, and a repeated copy damaged
            continue
        hit = damaged_copy(target, "⟦0⟧", text)
        if hit is not None and not any(u.start < hit[1] and hit[0] < u.end for u in target_markup):
            out.append(
                Violation(
                    "placeholder-altered",
                    Severity.ERROR,
                    f"{target[hit[0] : hit[1]]!r} in the target looks like a damaged copy of {text}",
                    start=hit[0],
                    end=hit[1],
                    expected=text,
                )
            )
    return out


def _count_status(
    src_by: dict[_Key, list[_Unit]],
    tgt_by: dict[_Key, list[_Unit]],
    src_cases: Sequence[tuple[int, int]],
    tgt_cases: Sequence[tuple[int, int]],
) -> dict[_Key, str]:
    """Per unit key, whether the target has it `missing`, `extra` or `duplicated` (absent: as the source)."""
    status: dict[_Key, str] = {}
    for key in list(src_by) + [k for k in tgt_by if k not in src_by]:
        s, t = src_by.get(key, []), tgt_by.get(key, [])
        if s and t and _within(s, src_cases) and _within(t, tgt_cases):
            continue  # in ICU cases: each language has its own cases, so only presence counts
        if len(t) < len(s):
            status[key] = "missing"
        elif not s:
            status[key] = "extra"
        elif len(t) > len(s):
            status[key] = "duplicated"
    return status


def _count_findings(
    status: dict[_Key, str], src_by: dict[_Key, list[_Unit]], tgt_by: dict[_Key, list[_Unit]]
) -> list[Violation]:
    """One finding per missing, extra or duplicated unit; a close tag's only where its open tag has none."""
    out: list[Violation] = []
    for key, what in status.items():
        if key[0] == "close" and key[2] and status.get(("open", key[1], key[2])) == what:
            continue  # a close tag's finding is implied by its open tag's: report it once
        family = _describe(key)
        s, t = src_by.get(key, []), tgt_by.get(key, [])
        if what == "missing":
            out += [
                Violation(
                    f"{family}-missing",
                    Severity.ERROR,
                    f"{family} {u.markup.text} from the source is missing in the target",
                    expected=u.markup.text,
                )
                for u in s[len(t) :]
            ]
            continue
        verb = "occurs more often than in the source"
        if what == "extra":
            verb = "is an argument the source does not have" if key[1] == "printf" else "is not in the source"
        # A named placeholder may repeat (a plural form more than the source has, `{{ limit }}` in each of
        # Russian's three); a repeated tag or an extra argument breaks the string.
        severity = Severity.WARNING if what == "duplicated" and family == "placeholder" else Severity.ERROR
        out += [
            Violation(
                f"{family}-{what}",
                severity,
                f"{family} {u.markup.text} {verb}",
                start=u.markup.start,
                end=u.markup.end,
            )
            for u in t[len(s) :]
        ]
    return out


def blank_markup(text: str) -> str:
    """The text with every tag and placeholder blanked out (same offsets), so terms never match inside tags."""
    chars = list(text)
    for unit in find_markup(text):
        chars[unit.start : unit.end] = " " * (unit.end - unit.start)
    return "".join(chars)
