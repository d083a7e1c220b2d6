"""Mask a source and its MT with one numbering, so a tag shared by both becomes the same mask in each.

The model then sees `⟦1⟧Save⟦/1⟧` in the source and in the MT, and whatever it writes is restored with
one table. Markup that only the MT has (an invented tag) gets numbers the source does not use.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from agent.alignment import Lexicon, learn_lexicon
from agent.markup import (
    MASK_CLOSE,
    MASK_OPEN,
    MASK_RE,
    Protected,
    Token,
    damaged_copy,
    icu_head,
    mask_remnants,
    masks_in,
    partner_of,
    place_masks,
    protect,
    restore,
)

_UNNAMED = ("printf", "literal", "icu", "icu-case", "entity")  # placeholders whose count is their meaning


@dataclass(frozen=True)
class SegmentMasks:
    source: Protected
    table: Protected  # source tokens plus any MT-only tokens, for restoring model output
    profiles: tuple[str, ...] = ()  # opt-in placeholder syntaxes protected in this segment
    lexicon: Lexicon | None = None  # word alignment learned from the job, to place lost tag pairs
    target_lang: str = ""  # what the target's word classes look like, for the cognate anchor ("": unknown)

    @property
    def masked_source(self) -> str:
        return self.source.masked

    def mask(self, text: str) -> str:
        """Mask a target-side text (MT, draft) with the source's numbering."""
        return _align(self.source, protect(text, self._dnt(), self.profiles))[0]

    def unmask(self, masked_output: str) -> str:
        """Restore model output, first putting back tags and placeholders it dropped and removing invented ones.

        A dropped DNT mask is not put back: the model translated the term, and inserting it again would
        leave both renderings side by side. The checks flag it (`dnt-altered`) and the term repair fixes it.
        """
        return self.unmask_placed(masked_output)[0]

    def unmask_placed(self, masked_output: str) -> tuple[str, tuple[str, ...]]:
        """`unmask`, and the markup (as written in the source) that went back at a guessed place."""
        # Kept as written: what the MT has and the source lacks among escapes (`&amp;`), placeholders and
        # escaped tags (a Russian plural form's `%d` for "1 second left": the form also serves 21), which
        # the checks flag for review rather than the repair deleting; and named placeholders used more
        # often than in the source (plural forms). A repeated tag or printf argument is still dropped.
        escapes = frozenset(
            t.token
            for t in self.table.tokens[len(self.source.tokens) :]
            if t.kind == "placeholder" or t.text.startswith("&lt;")
        )
        repeatable = frozenset(
            t.token
            for t in self.source.tokens
            if t.kind == "placeholder" and t.name not in ("printf", "literal")
        )
        masked_output = self._mend(masked_output)
        masked_output, lost = self._with_lost_messages(masked_output)
        # An ICU case is the target language's: one the output adds (Russian `few {`) stays, one it lacks
        # (`=1 {`) is not put back.
        cases = frozenset(t.token for t in self.table.tokens if t.name == "icu-case")
        repaired, guessed = place_masks(
            self._source_without_dnt(),
            masked_output,
            escapes | repeatable | cases,
            optional=cases,
            lexicon=self.lexicon,
            target_lang=self.target_lang,
        )
        texts = {t.token: t.text for t in self.table.tokens}
        return restore(repaired, self.table), tuple(texts.get(mask, mask) for mask in [*lost, *guessed])

    def _with_lost_messages(self, masked_output: str) -> tuple[str, list[str]]:
        """An ICU message the output lost from inside a case of another (`{VAR_SELECT, select, …}` in a
        plural's `other {…}`) goes back whole, cases and their source words, into the same case: restored
        as masks alone, its head would stand without cases, which no ICU parser reads. Returned as guessed:
        its words are the source's, for a linguist to translate."""
        source = self.source.masked
        lost: list[str] = []
        for tok in self.source.tokens:
            head, end = tok.token, partner_of(tok.token)
            if tok.name != "icu" or "/" in head or head in masked_output or end in masked_output:
                continue
            start, stop = source.find(head), source.find(end) + len(end)
            opened = [m for m in MASK_RE.finditer(source, 0, start) if partner_of(m.group()) in source[stop:]]
            if stop < start or not opened or opened[-1].group() not in masked_output:
                continue  # not nested in a case the output kept
            case_end = partner_of(opened[-1].group())
            at = masked_output.find(case_end)
            if at < 0:
                continue
            if not source[opened[-1].end() : start].strip():  # it opens its case: so in the output
                at = masked_output.find(opened[-1].group()) + len(opened[-1].group())
            masked_output = masked_output[:at] + source[start:stop] + masked_output[at:]
            lost.append(head)
        return masked_output, lost

    def _mend(self, masked_output: str) -> str:
        """Put each missing mask back in place of its damaged copy (`%1 $s`, `ntity_name%`, `⟦3`), so the
        repair neither guesses a place nor leaves the remnant beside the restored markup."""
        mendable = (
            t.token for t in self.source.tokens if t.kind != "dnt" and t.name not in ("icu", "icu-case")
        )
        missing = Counter(mendable) - Counter(masks_in(masked_output))
        # A named placeholder may repeat (a translation writes `{1}` twice): a damaged extra copy is mended too.
        named = [t.token for t in self.source.tokens if t.kind == "placeholder" and t.name not in _UNNAMED]
        texts = {t.token: t.text for t in self.table.tokens}
        masked_output = self._unbroken(masked_output)
        for mask in dict.fromkeys([*missing, *named]):
            plain, origin = self._spelled(masked_output, texts[mask])
            span = damaged_copy(plain, mask, texts[mask])
            if span is not None:
                start, end = origin[span[0]][0], origin[span[1] - 1][1]
                masked_output = masked_output[:start] + mask + masked_output[end:]
        return masked_output

    def _unbroken(self, masked_output: str) -> str:
        """Masks a model half-wrote (`[3]`, `⟦3`, `3⟧`) made whole, unless the source has that text."""
        source = self.source.masked
        for tok in self.source.tokens:
            if tok.kind not in ("placeholder", "empty"):
                continue
            for form in mask_remnants(tok.token, either_half=False):
                if not re.search(form, source):
                    masked_output = re.sub(form, tok.token, masked_output)
        return masked_output

    def _spelled(self, masked_output: str, inside: str) -> tuple[str, list[tuple[int, int]]]:
        """The output with masks the source lacks written out (`%1 $s` may have become `⟦7⟧ $s`), and those
        whose text is part of `inside` (a damaged `&lt;a href="%(email)s"&gt;`), and for each of its
        characters the span of `masked_output` it comes from."""
        own = {t.token for t in self.source.tokens if t.text not in inside or t.text == inside}
        texts = {t.token: t.text for t in self.table.tokens}
        chars: list[str] = []
        origin: list[tuple[int, int]] = []
        pos = 0
        for m in [*MASK_RE.finditer(masked_output), None]:
            end = m.start() if m else len(masked_output)
            chars.append(masked_output[pos:end])
            origin += [(i, i + 1) for i in range(pos, end)]
            if m is None:
                break
            spelled = m.group() if m.group() in own else texts.get(m.group(), m.group())
            chars.append(spelled)
            origin += [(m.start(), m.end())] * len(spelled)
            pos = m.end()
        return "".join(chars), origin

    def _source_without_dnt(self) -> str:
        dnt = {t.token: t.text for t in self.source.tokens if t.kind == "dnt"}
        if not dnt:
            return self.source.masked
        return MASK_RE.sub(lambda m: dnt.get(m.group(), m.group()), self.source.masked)

    def _dnt(self) -> list[str]:
        return [t.text for t in self.source.tokens if t.kind == "dnt"]


def mask_segment(
    source: str,
    mt: str | None,
    dnt: Sequence[str] = (),
    profiles: Sequence[str] = (),
    lexicon: Lexicon | None = None,
    target_lang: str = "",
) -> tuple[SegmentMasks, str | None]:
    """(masks, masked MT). DNT terms are masked in the source; in the MT only where they occur verbatim.
    `profiles` adds opt-in placeholder syntaxes (a bare `$name` for Mozilla) to what is protected; a
    `lexicon` places lost tag pairs by word alignment."""
    src = protect(source, dnt, profiles)
    if mt is None:
        return SegmentMasks(src, src, tuple(profiles), lexicon, target_lang), None
    masked_mt, extra, overrides = _align(src, protect(_healed_escapes(mt, source), dnt, profiles))
    own = tuple(replace(t, text=overrides.get(t.token, t.text)) for t in src.tokens)
    table = Protected(src.masked, own + extra)
    return SegmentMasks(src, table, tuple(profiles), lexicon, target_lang), masked_mt


_BROKEN_ESCAPE = re.compile(r"&\s+(lt|gt|amp|quot|apos|#\d+);")


def _healed_escapes(mt: str, source: str) -> str:
    """The MT with the escapes it broke by a space (`& lt;strong&gt;`) made whole again where the source has
    them: no reader means `& lt;`, and whole, the escaped tag is the source's markup again."""
    return _BROKEN_ESCAPE.sub(lambda m: f"&{m.group(1)};" if f"&{m.group(1)};" in source else m.group(), mt)


def _unit_key(tok: Token) -> tuple[str, str]:
    """What makes a target unit the source's: its text, or for an ICU message its argument and type (the
    translation rewrites the words inside `{count, plural, one {…} other {…}}`, and the selectors)."""
    return ("icu", icu_head(tok.text).split(",")[0]) if tok.name == "icu" else (tok.kind, tok.text)


def _align(source: Protected, target: Protected) -> tuple[str, tuple[Token, ...], dict[str, str]]:
    """Renumber `target`'s masks to the source mask with the same markup, first unused one first.

    Also returns, per source mask, the target's own text where it differs (a translated ICU message), so
    that restoring keeps the translation's version.
    """
    free: dict[tuple[str, str], list[str]] = {}
    repeatable: dict[tuple[str, str], str] = {}  # a named placeholder used again (a plural form) is the same
    for tok in source.tokens:
        free.setdefault(_unit_key(tok), []).append(_number(tok.token))
        if tok.kind == "placeholder" and tok.name not in ("printf", "literal"):
            repeatable.setdefault(_unit_key(tok), _number(tok.token))
    overrides: dict[str, str] = {}
    next_free = max((int(_number(t.token)) for t in source.tokens), default=0) + 1
    renumber: dict[str, str] = {}
    extra: list[Token] = []
    altered = _altered(source, target)
    source_next = _neighbour_keys(source.tokens)
    target_next = _neighbour_keys(target.tokens)
    for tok in target.tokens:
        number = _number(tok.token)
        if number in renumber:  # closing mask of a pair already renumbered
            continue
        candidates = free.get(_unit_key(tok))
        if tok.token in altered:
            renumber[number] = _number(altered[tok.token])
        elif candidates:
            renumber[number] = _take(tok, candidates, target_next.get(tok.token), source_next)
            if tok.kind == "open":  # its closer is renumbered with it: no unmatched closer may take it
                closers = free.get(("close", _closer_text(tok, source)), [])
                if renumber[number] in closers:
                    closers.remove(renumber[number])
            if tok.name == "icu":
                own = next(t.text for t in source.tokens if _number(t.token) == renumber[number])
                overrides[f"{MASK_OPEN}{renumber[number]}{MASK_CLOSE}"] = _with_head_of(own, tok.text)
        elif _unit_key(tok) in repeatable:
            renumber[number] = repeatable[_unit_key(tok)]
        elif (near := _near_copy(tok, repeatable)) is not None:
            renumber[number] = near
        else:
            renumber[number] = str(next_free)
            next_free += 1
            slash = "/" if tok.kind == "close" else ""
            extra.append(
                Token(
                    tok.kind, tok.text, tok.name, tok.id, f"{MASK_OPEN}{slash}{renumber[number]}{MASK_CLOSE}"
                )
            )
    # Closing tags share their opener's number in protect(); give unmatched closers their own entries.
    for tok in target.tokens:
        if tok.kind == "close":
            new = f"{MASK_OPEN}/{renumber[_number(tok.token)]}{MASK_CLOSE}"
            if all(t.token != new for t in source.tokens) and all(t.token != new for t in extra):
                extra.append(Token(tok.kind, tok.text, tok.name, tok.id, new))
    masked = MASK_RE.sub(
        lambda m: f"{MASK_OPEN}{m.group(1)}{renumber[m.group(2)]}{MASK_CLOSE}", target.masked
    )
    return masked, tuple(extra), overrides


def _take(
    tok: Token,
    candidates: list[str],
    touches: tuple[str, str] | None,
    source_next: dict[str, tuple[str, str]],
) -> str:
    """The source number a target unit takes (and removes from `candidates`): among identical tags
    (`&lt;strong&gt;` three times), the one next to the same unit as in the source, so the pair around
    `%end%` keeps its number when the MT lost the pair before it; else the first unused."""
    pick = next((c for c in candidates if touches and source_next.get(_mask_of(tok, c)) == touches), None)
    number = pick if pick is not None else candidates[0]
    candidates.remove(number)
    return number


def _mask_of(tok: Token, number: str) -> str:
    return f"{MASK_OPEN}{'/' if tok.kind == 'close' else ''}{number}{MASK_CLOSE}"


def _neighbour_keys(tokens: Sequence[Token]) -> dict[str, tuple[str, str]]:
    """Per paired mask, the unit it touches inside its pair: an opener's next unit, a closer's previous."""
    out: dict[str, tuple[str, str]] = {}
    for i, tok in enumerate(tokens):
        if tok.kind == "open" and i + 1 < len(tokens):
            out[tok.token] = _unit_key(tokens[i + 1])
        elif tok.kind == "close" and i > 0:
            out[tok.token] = _unit_key(tokens[i - 1])
    return out


def _closer_text(opener: Token, source: Protected) -> str:
    """The text of the source's closer of the pair an opener of this text starts (`&lt;/strong&gt;`)."""
    return next((t.text for t in source.tokens if t.kind == "close" and t.name == opener.name), "")


def _near_copy(tok: Token, repeatable: dict[tuple[str, str], str]) -> str | None:
    """The source's named placeholder a target one is a near copy of (`{{ limite }}` for `{{ limit }}`),
    when exactly one is."""
    if tok.kind != "placeholder" or tok.name in ("printf", "literal", "icu"):
        return None
    near = [
        number
        for (kind, text), number in repeatable.items()
        if kind == "placeholder" and SequenceMatcher(None, text, tok.text).ratio() >= 0.85
    ]
    return near[0] if len(near) == 1 else None


def _with_head_of(source_message: str, message: str) -> str:
    """The target's ICU message with the source's head (`{count, pluriel,` -> `{count, plural,`): the
    argument and keyword are code; the branches are the translation's."""
    cut = [m.start() for m in re.finditer(",", message)][1:2]
    own_cut = [m.start() for m in re.finditer(",", source_message)][1:2]
    if not cut or not own_cut:
        return message
    return source_message[: own_cut[0]] + message[cut[0] :]


def _altered(source: Protected, target: Protected) -> dict[str, str]:
    """Target placeholders that are the source's, altered (`{{ nom }}` for `{{ name }}`, `$Datei` for
    `$file`): when exactly one source placeholder of a family is missing from the target and exactly one of
    that family is there instead, the target's mask -> the source's, so it is put back where it stood."""
    left = Counter((t.kind, t.text) for t in target.tokens)
    missing: dict[str, list[Token]] = {}
    for tok in source.tokens:
        if tok.kind != "placeholder" or tok.name == "icu":  # an ICU message is never restored as the source's
            continue
        if left[(tok.kind, tok.text)] > 0:
            left[(tok.kind, tok.text)] -= 1
        else:
            missing.setdefault(tok.name, []).append(tok)
    source_texts = {t.text for t in source.tokens}
    invented: dict[str, list[Token]] = {}
    for tok in target.tokens:
        if tok.kind == "placeholder" and tok.text not in source_texts:
            invented.setdefault(tok.name, []).append(tok)
    mapped = {}
    for family, toks in missing.items():
        if len(invented.get(family, ())) == 1:
            tok = invented[family][0]
            own = toks[0] if len(toks) == 1 else _likeliest_original(tok, toks, source, target)
            if own is not None:
                mapped[tok.token] = own.token
    return mapped


def _likeliest_original(
    tok: Token, candidates: Sequence[Token], source: Protected, target: Protected
) -> Token | None:
    """Which of several missing source placeholders an invented one renames (`{utilisateur}` beside a lost
    `{username}` and `{n}`): the one nearest its place and most like it, when both say the same."""

    def place(t: Token, text: Protected) -> float:
        return text.masked.find(t.token) / max(1, len(text.masked))

    nearest = min(candidates, key=lambda t: abs(place(t, source) - place(tok, target)))
    likest = max(candidates, key=lambda t: SequenceMatcher(None, t.text, tok.text).ratio())
    return nearest if nearest is likest else None


def _number(mask: str) -> str:
    m = MASK_RE.fullmatch(mask)
    return m.group(2) if m else mask


MIN_ALIGNMENT_PAIRS = 50  # fewer sentence pairs teach a word aligner chance co-occurrences, not translations
MAX_ALIGNMENT_PAIRS = 3000  # the model's tables grow with every pair: a large job learns from a sample


def job_lexicon(pairs: Iterable[tuple[str, str | None]], *, terms: bool = False) -> Lexicon | None:
    """Word alignment for a job's lost tag pairs and for the words a term repair replaces, learned from its
    (source, MT) pairs with markup blanked; None when there is nothing to use it for (no source has a tag
    pair and the job has no `terms`) or fewer than `MIN_ALIGNMENT_PAIRS` have MT. CPU-bound (about 4 s per
    1,000 pairs on a 2-core AMD EPYC): callers on an event loop run it in a thread."""
    with_mt = [(protect(s).masked, t) for s, t in pairs if t]  # each source protected once
    tagged = [MASK_OPEN + "/" in s for s, _ in with_mt]
    if len(with_mt) < MIN_ALIGNMENT_PAIRS or not (any(tagged) or terms):
        return None
    # The segments with tag pairs first (theirs are the words to place), then the others, evenly spread.
    ordered = [p for p, t in zip(with_mt, tagged, strict=True) if t][:MAX_ALIGNMENT_PAIRS]
    rest = [p for p, t in zip(with_mt, tagged, strict=True) if not t]
    room = MAX_ALIGNMENT_PAIRS - len(ordered)
    if room > 0 and rest:
        ordered += rest[:: -(-len(rest) // room)][:room]  # every k-th, k = ceil(len(rest) / room)
    return learn_lexicon((_blank(s), _blank(protect(t).masked)) for s, t in ordered)


def _blank(masked: str) -> str:
    return MASK_RE.sub(" ", masked)
