"""Placeholders on real key-based files: does any placeholder-like token get lost or altered?

The corpus is `tests/fixtures/keybased` (Symfony, Angular, Xcode-exported iOS XLIFF, Android and gettext
converted to XLIFF 1.2; sources, commits and licenses in its README). Every unit with a target is read
with the service's own XLIFF reader (`formats.xliff.parse_xliff`), so sources and targets are the markup
text the agent sees.

Tokens. Placeholder-like tokens are found twice: by the service's recognizer (`agent.markup.find_markup`,
what `protect` masks) and by an independent, broad list of syntaxes (`SYNTAXES` below: printf with
positions and iOS `%@`, Python `%(name)s` and `{name}`, ICU, `{{ var }}`, `${var}`, `%{var}`, Symfony
`%name%` and plural intervals, Qt `%1`, `$(VAR)`, `$var$`, `$var`, `#var#`, `@var@`, stringsdict `%#@var@`,
`{% tag %}`, DTD entities, XLIFF inline placeholders `<x/>`/`<ph>`, and escaped markup `&lt;xliff:g&gt;` a
converter left in the text). A broad-list token is *protected* when the recognizer's units cover every
character of it; the others are listed by syntax (what the recognizer does not know).

Failures simulated, for each placeholder token of a unit that its reference translation also holds,
on that reference (the ideal output):
  deleted   the token is gone;
  altered   the token is corrupted as models and MT engines do it: `%entity_name%` -> `ntity_name%`,
            `{{ name }}` -> `{{ nom }}`, `%1$s` -> `%1 $s`, `{count}` -> `{nombre}`, `plural` -> `pluriel`,
            `<x id=…/>` -> `< x id=…/>`, `]1,Inf]` -> `]1,Infini]`;
  moved     the token is taken to the other end of the sentence;
  all       every placeholder token of the unit is gone at once.
(A unit that is nothing but the token is not emptied: no output at all is another failure.)
Two public paths take the damaged text:
  mt        the damaged text is the MT of a rules-only `PostEditor` (check, deterministic fix, finalize);
  model     a scripted model answers every draft with the damaged text *as the model would write it*:
            the masked reference (`SegmentMasks.mask`) with the token's mask deleted, written `[n]`, or
            moved; a token the recognizer does not mask is damaged as text, as the model sees it. The
            segment has no MT, so the agent must use the model's output (`rewrite` ->
            `SegmentMasks.unmask_placed` -> checks -> `fix` -> finalize).
A token is *lost* when the final output holds it fewer times than both the source and the reference do
(ICU blocks compared by their `{arg, type,` head); *altered* when the corrupted form survives in the
final output. A row is *flagged* when the result is `needs_review` (an error or a review finding such as
`tag-placement-unverified` or `placeholder-missing`).

Checks mode: the references are taken as MT and checked with the rules-only check path
(`agent.checks.run_checks`). A tag/placeholder error on a reference that carries every token of its
source and none foreign to its message (plural forms may repeat them: a Russian pipe plural has three
forms, a gettext `one` form may hold the plural's `%d`) is a false finding. The rules-only editor is run
on them too: the tokens it removes from a correct translation, and the translated ICU blocks it replaces
with the English ones, are reported.

Prints per file and in total; exits 1 when any token is lost or altered, or removed from a correct
reference.

Run: .venv/bin/python bench/bench_placeholders_real.py [-v] [--path mt|model] [--file SUBSTRING]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.checks import CheckInput, Severity, run_checks
from agent.editor import PostEditor
from agent.llm import LLMCall, LLMReply
from agent.markup import MASK_RE, find_markup
from agent.protection import SegmentMasks, mask_segment
from agent.types import EditOptions, Segment, Status
from formats.xliff import parse_xliff
from server.settings import prepare_libraries

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "keybased"
MODES = ("deleted", "altered", "moved", "all")
PATHS = ("mt", "model")
MARKUP_CODES = ("placeholder-", "tag-")

# --- the independent recognizer: a broad list of syntaxes ---------------------------------------------

_ICU_HEAD = re.compile(
    r"\{\s*([\w.]+)\s*,\s*(plural|select|selectordinal|number|date|time|choice|spellout|ordinal|duration)"
    r"\s*(?:,|\})"
)
# (name, class, pattern), tried in this order at each position; "markup" tokens are counted, not damaged.
SYNTAXES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    (
        "xliff-placeholder",
        "placeholder",
        re.compile(r"<(?:x|bx|ex|ph|it|bpt|ept)\b[^<>]*?/>|<(ph|bpt|ept|it)\b[^<>]*>.*?</\1\s*>", re.S),
    ),
    ("xml-tag", "markup", re.compile(r"</?[A-Za-z_][\w:.-]*(?:\s[^<>]*)?/?>")),
    ("escaped-tag", "placeholder", re.compile(r"&lt;/?[A-Za-z_][\w:.-]*(?:\s(?:(?!&[lg]t;).)*)?/?&gt;")),
    ("xml-escape", "markup", re.compile(r"&(?:lt|gt|amp|quot|apos|#\d+|#[xX][0-9a-fA-F]+);")),
    ("named-entity", "placeholder", re.compile(r"&[A-Za-z_][\w.-]*;")),
    ("icu", "placeholder", _ICU_HEAD),
    ("jinja-block", "placeholder", re.compile(r"\{%.*?%\}")),
    ("double-brace", "placeholder", re.compile(r"\{\{.*?\}\}")),
    ("dollar-brace", "placeholder", re.compile(r"\$\{[^{}\s]+\}")),
    ("percent-brace", "placeholder", re.compile(r"%\{[\w.]+\}")),
    (
        "symfony-interval",
        "placeholder",
        re.compile(
            r"(?:(?<=^)|(?<=\|))\s*(?:\{\s*-?\d+(?:\s*,\s*-?\d+)*\s*\}"
            r"|[\[\]]\s*(?:-?\d+|-Inf)\s*,\s*(?:-?\d+|\+?Inf)\s*[\[\]])"
        ),
    ),
    ("brace", "placeholder", re.compile(r"\{[\w.\[\]-]*(?:![rsa])?(?::[^{}]*)?\}")),
    ("apple-plural", "placeholder", re.compile(r"%#@[A-Za-z_]\w*@")),
    ("python-named", "placeholder", re.compile(r"%\([\w.-]+\)[-+0# ]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")),
    ("percent-name", "placeholder", re.compile(r"%[A-Za-z_][\w-]+(?:\.[\w-]+)*%")),
    ("printf-escape", "placeholder", re.compile(r"%%")),
    (
        "printf",
        "placeholder",
        re.compile(
            r"%(?:\d+\$)?[-+0#']*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGcsaAp@]"
        ),
    ),
    ("positional", "placeholder", re.compile(r"(?<![\w%])%\d+(?![\d$%\w])")),
    ("dollar-paren", "placeholder", re.compile(r"\$\([\w.-]+\)")),
    ("dollar-delimited", "placeholder", re.compile(r"\$[A-Za-z_][\w.-]*\$")),
    ("dollar-name", "placeholder", re.compile(r"(?<![\w$])\$[A-Za-z_]\w*(?![\w$(])")),
    ("hash-delimited", "placeholder", re.compile(r"#[A-Za-z_][\w.-]*#")),
    ("at-delimited", "placeholder", re.compile(r"(?<![\w.])@[A-Za-z_][\w.-]*@(?![\w.])")),
)
_TRIGGER = re.compile(r"[<&{%$#@|\[\]]")


@dataclass(frozen=True)
class Tok:
    """A token of the broad list. `key` is what is compared between texts: the text itself, for an ICU
    block its `{arg, type,` head (its branches are translated); `start`/`end` span the whole token."""

    syntax: str
    cls: str  # "placeholder" | "markup"
    text: str
    key: str
    start: int
    end: int


def _balanced_end(text: str, start: int) -> int | None:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def scan(text: str) -> list[Tok]:
    """Every broad-list token of `text`, in order (the tokens inside an ICU block too)."""
    found: list[Tok] = []
    pos = 0
    while (m := _TRIGGER.search(text, pos)) is not None:
        i = m.start()
        pos = i + 1
        for name, cls, rx in SYNTAXES:
            hit = rx.match(text, i)
            if hit is None or hit.end() == i:
                continue
            if name == "icu":
                end = _balanced_end(text, i) or hit.end()
                key = f"{{{hit.group(1)}, {hit.group(2)},"
                found.append(Tok(name, cls, text[i:end], key, i, end))
            else:
                start = i + len(hit.group()) - len(hit.group().lstrip())
                found.append(
                    Tok(name, cls, text[start : hit.end()], text[start : hit.end()], start, hit.end())
                )
            pos = hit.end()
            break
    return found


def keys(tokens: Iterable[Tok], cls: str = "placeholder") -> Counter[str]:
    return Counter(t.key for t in tokens if t.cls == cls)


def coverage(text: str) -> list[tuple[int, int]]:
    """The spans of the service's recognizer (what `protect` masks) in `text`. An ICU message with cases
    is masked as its head, case selectors and braces, the words of each case left to translate: those
    words count as covered too (the broad list reads a one-word case, `male {male}`, as a `{name}`)."""
    units = find_markup(text)
    spans = [(u.start, u.end) for u in units]
    opens = [u for u in units if u.name == "icu-case" and u.kind == "open"]
    closes = [u for u in units if u.name == "icu-case" and u.kind == "close"]
    for case in opens:
        close = next((c for c in closes if c.start >= case.end), None)
        if close is not None:
            spans.append((case.end, close.start))
    return spans


def protected(tok: Tok, spans: Sequence[tuple[int, int]]) -> bool:
    """Does the recognizer mask every character of the token?"""
    return all(any(s <= i < e for s, e in spans) for i in range(tok.start, tok.end))


def masked_keys(source: str) -> set[str]:
    """The keys of the source's placeholder tokens that the recognizer masks wherever they occur."""
    spans = coverage(source)
    toks = [t for t in scan(source) if t.cls == "placeholder"]
    return {t.key for t in toks} - {t.key for t in toks if not protected(t, spans)}


# --- corpus --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    file: str
    lang: str
    id: str
    source: str
    target: str
    group: str = ""  # the plural forms of one gettext/Android message share it (`85[0]`, `85[1]`, ...)


def corpus_files(root: Path = CORPUS) -> list[Path]:
    """The XLIFF files of the corpus (the converted ones, not the originals they came from)."""
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix in (".xlf", ".xliff") and "original" not in p.relative_to(root).parts
    )


def _lang_of(path: Path, declared: str | None) -> str:
    if declared:
        return declared.split("-")[0].split("_")[0].lower()
    m = re.search(r"[._-]([a-z]{2})(?:[._-][A-Za-z]+)?\.xl", path.name)
    return m.group(1) if m else "fr"


# Liberapay's catalogue puts this in the singular msgid of messages whose singular is never shown.
_UNUSED_SINGULAR = re.compile(r"&lt;unused singular \(hash=[0-9a-f]+\)&gt;")


def load_units(root: Path = CORPUS) -> list[Unit]:
    """Every unit with a non-empty target; Angular's `ng2.template` files declare no target language."""
    units: list[Unit] = []
    for path in corpus_files(root):
        doc = parse_xliff(path.read_bytes())
        lang = _lang_of(path, doc.target_lang)
        rel = str(path.relative_to(root))
        for u in doc.units:
            if not u.target or not u.target.strip() or _UNUSED_SINGULAR.fullmatch(u.source):
                continue
            plural = re.fullmatch(r"(.*)\[\d+\]", u.id)
            group = f"{rel}#{plural.group(1) if plural else u.key}"
            units.append(Unit(rel, lang, u.key, u.source, u.target, group))
    return units


def has_placeholders(unit: Unit) -> bool:
    return any(t.cls == "placeholder" for t in scan(unit.source)) or any(
        u.kind == "placeholder" and u.name not in ("entity", "literal") for u in find_markup(unit.source)
    )


# --- damage ----------------------------------------------------------------------------------------------

_ICU_WORDS = {"plural": "pluriel", "select": "choix", "selectordinal": "ordinal", "number": "nombre"}
_RENAMES = {"name": "nom", "count": "nombre", "value": "valeur", "limit": "limite", "username": "utilisateur"}


def _rename(identifier: str) -> str:
    """What a model does to a variable name it should have kept: translates it, or changes its case."""
    if identifier.lower() in _RENAMES:
        return _RENAMES[identifier.lower()]
    return identifier[0].swapcase() + identifier[1:]


def corrupt(tok: Tok) -> str:
    """The token as a model or an MT engine damages it."""
    t = tok.text
    if tok.syntax == "percent-name":
        return t[2:]  # `%entity_name%` -> `ntity_name%` (the report)
    if tok.syntax == "icu":  # the keyword translated: `{n, plural, …}` -> `{n, pluriel, …}`
        return re.sub(r"(,\s*)([a-z]+)", lambda m: m.group(1) + _ICU_WORDS.get(m.group(2), "x"), t, count=1)
    if tok.syntax in (
        "double-brace",
        "brace",
        "python-named",
        "dollar-brace",
        "percent-brace",
        "dollar-paren",
    ):
        ident = re.search(r"[A-Za-z_]\w*", t)
        if ident is not None:
            return t[: ident.start()] + _rename(ident.group()) + t[ident.end() :]
        return t[:1] + " " + t[1:]  # `{0}` -> `{ 0}`
    if tok.syntax == "printf":  # `%1$s` -> `%1 $s`, `%@` -> `% @`
        return t.replace("$", " $", 1) if "$" in t else t[:1] + " " + t[1:]
    if tok.syntax == "printf-escape":
        return "%"
    if tok.syntax == "named-entity":
        return t[:-1]
    if tok.syntax == "symfony-interval":
        return t.replace("Inf", "Infini") if "Inf" in t else t.replace("{", "{ ", 1)
    if tok.syntax in ("dollar-delimited", "dollar-name", "hash-delimited", "at-delimited"):
        return t[0] + _rename(t[1:].rstrip("$#@")) + (t[-1] if t[-1] in "$#@" and len(t) > 2 else "")
    return t[:1] + " " + t[1:]  # tags, escaped tags, `%1`: `< x id=…/>`, `&lt; /xliff:g&gt;`


def _cut(text: str, start: int, end: int) -> str:
    """`text` without [start, end), and without the space that separated it from its neighbours."""
    before = text[start - 1] if start > 0 else None
    after = text[end] if end < len(text) else None
    if before == " " and (after is None or after in " .,;:!?)"):
        start -= 1
    elif before in (None, " ") and after == " ":
        end += 1
    return text[:start] + text[end:]


def _moved(text: str, start: int, end: int) -> str:
    """The token taken to the other end of the text."""
    piece = text[start:end]
    rest = _cut(text, start, end)
    if start < len(text) / 2:
        return rest.rstrip() + " " + piece
    return piece + " " + rest.lstrip()


def damage_text(text: str, tok: Tok, mode: str) -> tuple[str, str | None]:
    """(damaged text, the corrupted form that must not survive) for one token of `text`."""
    if mode == "deleted":
        return _cut(text, tok.start, tok.end), None
    if mode == "altered":
        bad = corrupt(tok)
        residue = bad
        if tok.syntax == "icu":  # the corrupted head; the branches stay as they were
            head = re.match(r"\{\s*[\w.]+\s*,\s*\w+", bad)
            residue = head.group() if head else bad
        return text[: tok.start] + bad + text[tok.end :], residue
    return _moved(text, tok.start, tok.end), None


def damageable(unit: Unit) -> list[Tok]:
    """The reference's placeholder tokens that the source holds too, one per distinct key."""
    src = keys(scan(unit.source))
    seen: set[str] = set()
    out: list[Tok] = []
    for t in scan(unit.target):
        if t.cls == "placeholder" and src[t.key] and t.key not in seen:
            seen.add(t.key)
            out.append(t)
    return out


@dataclass(frozen=True)
class Case:
    unit: Unit
    path: str
    mode: str
    syntax: str  # the damaged token's syntax ("*" for all)
    token: str
    damaged: str  # the MT (mt path) or the model's masked output (model path)
    residue: str | None  # the corrupted form that must not survive
    masked: bool  # the recognizer masks the damaged token(s) in the source


def mt_cases(unit: Unit) -> list[Case]:
    cases: list[Case] = []
    toks = damageable(unit)
    known = masked_keys(unit.source)
    for tok in toks:
        for mode in ("deleted", "altered", "moved"):
            if mode == "moved" and tok.syntax == "icu":
                continue  # an ICU block is most of its unit: moving it means nothing
            text, residue = damage_text(unit.target, tok, mode)
            if text.strip():  # an empty MT or answer is another failure (no output), not a lost token
                cases.append(Case(unit, "mt", mode, tok.syntax, tok.text, text, residue, tok.key in known))
    if len(toks) > 1:
        text = unit.target
        for tok in sorted(_outermost(scan(unit.target), toks), key=lambda t: -t.start):
            text = _cut(text, tok.start, tok.end)
        if text.strip():
            every = all(t.key in known for t in toks)
            cases.append(Case(unit, "mt", "all", "*", "*", text, None, every))
    return cases


def _outermost(all_tokens: Sequence[Tok], chosen: Sequence[Tok]) -> list[Tok]:
    """Every occurrence of the chosen keys, less those inside another one (an ICU block)."""
    wanted = {t.key for t in chosen}
    hits = [t for t in all_tokens if t.key in wanted]
    return [t for t in hits if not any(o is not t and o.start <= t.start and t.end <= o.end for o in hits)]


def model_cases(unit: Unit, masks: SegmentMasks) -> list[Case]:
    """The model's masked output with one token's mask deleted / written `[n]` / moved; a token the
    recognizer does not mask is damaged as text, as the model sees it."""
    ref = unit.target
    units = find_markup(ref)
    masked = masks.mask(ref)
    found = list(MASK_RE.finditer(masked))
    if len(found) != len(units):  # a DNT or literal mask we cannot align: leave the unit out
        return []
    cases: list[Case] = []
    toks = damageable(unit)
    known = masked_keys(unit.source)
    for tok in toks:
        exact = next((k for k, u in enumerate(units) if (u.start, u.end) == (tok.start, tok.end)), None)
        inside = exact is None and any(u.start <= tok.start and tok.end <= u.end for u in units)
        if inside:
            continue  # inside a larger mask (an ICU block, a `<ph>`): out of the model's reach
        for mode in ("deleted", "altered", "moved"):
            if mode == "moved" and tok.syntax == "icu":
                continue
            out: str
            residue: str | None
            if exact is not None:
                m = found[exact]
                mask_tok = Tok("mask", "placeholder", m.group(), m.group(), m.start(), m.end())
                if mode == "altered":  # the mask written `[n]`
                    residue = "[" + m.group()[1:-1] + "]"
                    out = masked[: m.start()] + residue + masked[m.end() :]
                else:
                    out, residue = damage_text(masked, mask_tok, mode)
            else:
                text, residue = damage_text(ref, tok, mode)
                out = masks.mask(text)
            if out.strip():
                cases.append(Case(unit, "model", mode, tok.syntax, tok.text, out, residue, tok.key in known))
    if len(toks) > 1:
        text = ref
        for tok in sorted(_outermost(scan(ref), toks), key=lambda t: -t.start):
            text = _cut(text, tok.start, tok.end)
        if text.strip():
            every = all(t.key in known for t in toks)
            cases.append(Case(unit, "model", "all", "*", "*", masks.mask(text), None, every))
    return cases


# --- running the service -----------------------------------------------------------------------------


class ScriptedModel:
    """A model that answers every draft request with the same text (the damaged output)."""

    model_name = "scripted"

    def __init__(self, output: str) -> None:
        self.output = output
        self.calls = 0

    async def ping(self) -> bool:
        return True

    async def complete_json(self, messages: Any, schema: dict[str, Any], **_: Any) -> LLMReply:
        self.calls += 1
        call = LLMCall(self.model_name, 0, 0, 0.0, 0)
        return LLMReply(text=self.output, data={"output": self.output}, call=call)


@dataclass
class Outcome:
    case: Case
    output: str
    flagged: bool
    codes: tuple[str, ...]
    lost: Counter[str] = field(default_factory=Counter)  # syntax -> tokens lost
    altered: bool = False

    @property
    def damaged(self) -> bool:
        return bool(self.lost) or self.altered


def lost_tokens(unit: Unit, output: str) -> Counter[str]:
    """Placeholder tokens the source and the reference both hold more often than the output, by syntax."""
    src, ref = scan(unit.source), scan(unit.target)
    want = keys(src) & keys(ref)
    have = keys(scan(output))
    syntax = {t.key: t.syntax for t in src}
    lost: Counter[str] = Counter()
    for key, n in want.items():
        if have[key] < n:
            lost[syntax[key]] += n - have[key]
    return lost


async def run_case(case: Case) -> Outcome:
    unit = case.unit
    options = EditOptions(source_lang="en", target_lang=unit.lang)
    if case.path == "mt":
        editor = PostEditor(None)
        segment = Segment(unit.id, unit.source, case.damaged)
    else:
        editor = PostEditor(ScriptedModel(case.damaged))  # type: ignore[arg-type]
        segment = Segment(unit.id, unit.source, None)
    result = await editor.edit(segment, options)
    codes = tuple(dict.fromkeys(v.code for v in result.violations))
    altered = case.residue is not None and case.residue in result.output and case.residue not in unit.target
    return Outcome(
        case,
        result.output,
        result.status is Status.NEEDS_REVIEW,
        codes,
        lost_tokens(unit, result.output),
        altered,
    )


def cases_for(units: Sequence[Unit], paths: Sequence[str] = PATHS) -> list[Case]:
    cases: list[Case] = []
    for unit in units:
        if not has_placeholders(unit):
            continue
        if "mt" in paths:
            cases += mt_cases(unit)
        if "model" in paths:
            masks, _ = mask_segment(unit.source, None)
            cases += model_cases(unit, masks)
    return cases


async def run_cases(cases: Sequence[Case]) -> list[Outcome]:
    return [await run_case(c) for c in cases]


# --- checks mode -----------------------------------------------------------------------------------------


@dataclass
class CheckOutcome:
    unit: Unit
    codes: tuple[str, ...]  # error-severity findings
    markup: tuple[str, ...]  # error-severity tag/placeholder findings
    false: bool  # those findings are false: the reference carries the source's tokens
    output: str  # the rules-only editor's output with the reference as MT
    removed: Counter[str] = field(default_factory=Counter)  # syntax -> reference tokens the editor removed
    reverted: int = 0  # translated ICU blocks the editor replaced with the source's

    @property
    def changed(self) -> bool:
        return self.output != self.unit.target


def _all_keys(text: str) -> set[str]:
    return {t.key for t in scan(text)}


def group_keys(units: Iterable[Unit]) -> dict[str, set[str]]:
    """Per plural group, the tokens of all its sources: a Russian `one` form may (must) hold the `%d`
    of the English plural, as 21 and 31 take it."""
    out: dict[str, set[str]] = defaultdict(set)
    for u in units:
        out[u.group] |= _all_keys(u.source)
    return out


def carries_source_tokens(unit: Unit, allowed: set[str]) -> bool:
    """Does the reference hold every token of its source, and no token foreign to its message? (How
    often it holds each may differ: a Russian pipe plural has three forms where English has two.)"""
    ref = _all_keys(unit.target)
    return _all_keys(unit.source) <= ref <= (allowed | _all_keys(unit.source))


async def check_reference(unit: Unit, editor: PostEditor, allowed: set[str] | None = None) -> CheckOutcome:
    found = run_checks(CheckInput(unit.source, unit.target, "en", unit.lang))
    errors = tuple(v.code for v in found if v.severity is Severity.ERROR)
    markup = tuple(c for c in errors if c.startswith(MARKUP_CODES))
    false = bool(markup) and carries_source_tokens(unit, allowed if allowed is not None else set())
    result = await editor.edit(Segment(unit.id, unit.source, unit.target), EditOptions("en", unit.lang))
    out = CheckOutcome(unit, errors, markup, false, result.output)
    if out.changed:
        ref, got = scan(unit.target), scan(result.output)
        have = keys(got)
        syntax = {t.key: t.syntax for t in ref}
        for key, n in keys(ref).items():
            if have[key] < n:
                out.removed[syntax[key]] += n - have[key]
        src_blocks = {t.text for t in scan(unit.source) if t.syntax == "icu"}
        ref_blocks = {t.text for t in ref if t.syntax == "icu"}
        out.reverted = sum(1 for t in got if t.syntax == "icu" and t.text in src_blocks - ref_blocks)
    return out


async def check_references(units: Sequence[Unit]) -> list[CheckOutcome]:
    editor = PostEditor(None)
    allowed = group_keys(units)
    return [await check_reference(u, editor, allowed[u.group]) for u in units]


# --- report ----------------------------------------------------------------------------------------------


def unrecognized(units: Sequence[Unit]) -> dict[str, Counter[str]]:
    """Source tokens of the broad list the service's recognizer does not mask, by syntax."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for unit in units:
        spans = coverage(unit.source)
        for tok in scan(unit.source):
            if tok.cls == "placeholder" and not protected(tok, spans):
                out[tok.syntax][tok.key] += 1
    return out


def _examples(counter: Counter[str], n: int = 3) -> str:
    return ", ".join(repr(k) for k, _ in counter.most_common(n))


def _lost(outcomes: Iterable[Outcome]) -> int:
    return sum(sum(o.lost.values()) for o in outcomes)


def _file_table(units: Sequence[Unit], outcomes: Sequence[Outcome]) -> None:
    print(
        f"\n{'file':<40} {'units':>5} {'w/ph':>5} {'tokens':>6} {'unmask':>6} {'cases':>6} {'lost':>5}"
        f" {'alter':>5} {'damaged: flagged/all':>21} {'undamaged: flagged/all':>23}"
    )
    for f in [*sorted({u.file for u in units}), None]:
        fu = [u for u in units if f is None or u.file == f]
        fw = [u for u in fu if has_placeholders(u)]
        toks = sum(sum(keys(scan(u.source)).values()) for u in fw)
        unmasked = sum(sum(c.values()) for c in unrecognized(fw).values())
        fo = [o for o in outcomes if f is None or o.case.unit.file == f]
        dmg = [o for o in fo if o.damaged]
        ok = [o for o in fo if not o.damaged]
        print(
            f"{f or 'TOTAL':<40} {len(fu):>5} {len(fw):>5} {toks:>6} {unmasked:>6} {len(fo):>6} {_lost(fo):>5}"
            f" {sum(o.altered for o in fo):>5} {sum(o.flagged for o in dmg):>12}/{len(dmg):<8}"
            f" {sum(o.flagged for o in ok):>14}/{len(ok):<8}"
        )


def _checks_report(checks: Sequence[CheckOutcome], verbose: bool) -> int:
    codes = Counter(code for c in checks for code in c.codes)
    false = [c for c in checks if c.false]
    false_codes = Counter(code for c in false for code in c.markup)
    removed = Counter[str]()
    for c in checks:
        removed.update(c.removed)
    print(
        f"\nchecks mode: the {len(checks)} reference translations taken as MT (rules-only checks, then editor)"
    )
    print(
        f"  references with an error finding: {sum(bool(c.codes) for c in checks)}  {dict(codes.most_common())}"
    )
    print(
        f"  false tag/placeholder findings (the reference carries the source's tokens): {sum(false_codes.values())}"
        f" on {len(false)} units {dict(false_codes.most_common())}"
    )
    if false:
        print(f"    by file: {dict(Counter(c.unit.file for c in false).most_common())}")
    print(
        f"  true tag/placeholder findings (the reference lacks or adds a token): "
        f"{sum(bool(c.markup) and not c.false for c in checks)} units"
    )
    print(
        f"  references the rules-only editor changed: {sum(c.changed for c in checks)}; placeholder tokens it"
        f" removed from them: {sum(removed.values())} {dict(removed.most_common())}; translated ICU blocks it"
        f" replaced with the English source: {sum(c.reverted for c in checks)}"
    )
    if verbose:
        print("\nreferences with a tag/placeholder finding or changed by the rules-only editor:")
        for c in checks:
            if c.markup or c.changed:
                kind = "FALSE" if c.false else "true" if c.markup else "no finding"
                print(f"- {c.unit.file} {c.unit.id} [{kind}] {c.markup} removed {dict(c.removed)}")
                print(
                    f"    source: {c.unit.source!r}\n    target: {c.unit.target!r}\n    output: {c.output!r}"
                )
    return sum(removed.values())


def report(
    units: Sequence[Unit], outcomes: Sequence[Outcome], checks: Sequence[CheckOutcome], verbose: bool = False
) -> int:
    """Print the figures; the number of tokens lost or altered (0 is the goal)."""
    with_ph = [u for u in units if has_placeholders(u)]
    print(
        f"corpus: {len({u.file for u in units})} files, {len(units)} units with a target, {len(with_ph)} with"
        " placeholder-like tokens in the source"
    )
    _file_table(units, outcomes)
    by_syntax, unrec = _syntax_table(with_ph)
    _mode_table(outcomes)
    _damage_table(outcomes)
    removed = _checks_report(checks, verbose) if checks else 0
    if verbose:
        _print_damaged(outcomes)
    lost, altered = _lost(outcomes), sum(o.altered for o in outcomes)
    silent = sum(o.damaged and not o.flagged for o in outcomes)
    print(
        f"\nTOTAL: {sum(by_syntax.values())} placeholder tokens in {len(with_ph)} sources,"
        f" {sum(sum(c.values()) for c in unrec.values())} not masked by the recognizer;"
        f" simulated failures: {lost} tokens lost and {altered} altered in final outputs,"
        f" {silent} damaged rows without a flag; correct references: {removed} tokens removed (goal: all 0)"
    )
    return lost + altered + removed


def _syntax_table(with_ph: Sequence[Unit]) -> tuple[Counter[str], dict[str, Counter[str]]]:
    print(
        "\nplaceholder tokens in sources by syntax (broad list), and those the service's recognizer does not mask:"
    )
    by_syntax = Counter(t.syntax for u in with_ph for t in scan(u.source) if t.cls == "placeholder")
    unrec = unrecognized(with_ph)
    for syn, n in by_syntax.most_common():
        miss = unrec.get(syn, Counter())
        extra = f"  e.g. {_examples(miss)}" if miss else ""
        print(f"  {syn:<18} {n:>5}  not masked: {sum(miss.values()):>4}{extra}")
    return by_syntax, unrec


def _mode_table(outcomes: Sequence[Outcome]) -> None:
    print(
        "\nper path and failure mode (tokens lost / altered forms left in the output; rows flagged needs_review):"
    )
    for path in PATHS:
        for mode in MODES:
            sel = [o for o in outcomes if o.case.path == path and o.case.mode == mode]
            if not sel:
                continue
            dmg = [o for o in sel if o.damaged]
            altered, flagged = sum(o.altered for o in sel), sum(o.flagged for o in dmg)
            noise = sum(o.flagged for o in sel if not o.damaged)
            print(
                f"  {path:<5} {mode:<8} cases {len(sel):>5}  lost {_lost(sel):>4}  altered {altered:>4}"
                f"  damaged rows: flagged {flagged:>4} unflagged {len(dmg) - flagged:>4}"
                f"  undamaged rows flagged {noise:>4}/{len(sel) - len(dmg)}"
            )


def _damage_table(outcomes: Sequence[Outcome]) -> None:
    rows: dict[tuple[str, bool], Counter[str]] = defaultdict(Counter)
    for o in outcomes:
        c = rows[(o.case.syntax, o.case.masked)]
        c["cases"] += 1
        c["damaged"] += o.damaged
        c["silent"] += o.damaged and not o.flagged
        c["lost"] += sum(o.lost.values())
    print("\nby the syntax of the damaged token, masked by the recognizer or not (all paths and modes):")
    for (syn, masked), c in sorted(rows.items(), key=lambda kv: (-kv[1]["damaged"], kv[0])):
        print(
            f"  {syn:<18} {'masked' if masked else 'NOT masked':<10} cases {c['cases']:>5}  rows damaged"
            f" {c['damaged']:>4} (unflagged {c['silent']:>4})  tokens lost {c['lost']:>4}"
        )


def _print_damaged(outcomes: Sequence[Outcome]) -> None:
    print("\ndamaged outputs:")
    for o in outcomes:
        if o.damaged:
            u = o.case.unit
            print(f"- {u.file} {u.id} [{o.case.path}/{o.case.mode} {o.case.syntax} {o.case.token!r}]")
            print(
                f"    source:    {u.source!r}\n    reference: {u.target!r}\n    given:     {o.case.damaged!r}"
            )
            print(f"    output:    {o.output!r}\n    lost {dict(o.lost)} altered {o.altered} flags {o.codes}")


async def _main(args: argparse.Namespace) -> int:
    units = [u for u in load_units() if args.file is None or args.file in u.file]
    paths = PATHS if args.path is None else (args.path,)
    outcomes = await run_cases(cases_for(units, paths))
    checks = [] if args.no_checks else await check_references(units)
    return 1 if report(units, outcomes, checks, args.verbose) else 0


def main() -> None:
    prepare_libraries()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument(
        "-v", "--verbose", action="store_true", help="print every damaged output and false finding"
    )
    ap.add_argument("--path", choices=PATHS, help="only this path (default: both)")
    ap.add_argument("--file", help="only corpus files whose path contains this")
    ap.add_argument("--no-checks", action="store_true", help="skip the checks mode on the references")
    sys.exit(asyncio.run(_main(ap.parse_args())))


if __name__ == "__main__":
    main()
