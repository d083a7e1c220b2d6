"""Mask a source and its MT with one numbering, so a tag shared by both becomes the same mask in each.

The model then sees `⟦1⟧Save⟦/1⟧` in the source and in the MT, and whatever it writes is restored with
one table. Markup that only the MT has (an invented tag) gets numbers the source does not use.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from agent.markup import MASK_CLOSE, MASK_OPEN, MASK_RE, Protected, Token, place_masks, protect, restore


@dataclass(frozen=True)
class SegmentMasks:
    source: Protected
    table: Protected  # source tokens plus any MT-only tokens, for restoring model output
    profiles: tuple[str, ...] = ()  # opt-in placeholder syntaxes protected in this segment

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
        escapes = frozenset(
            t.token for t in self.table.tokens[len(self.source.tokens) :] if t.name == "entity"
        )
        repaired, guessed = place_masks(self._source_without_dnt(), masked_output, escapes)
        texts = {t.token: t.text for t in self.table.tokens}
        return restore(repaired, self.table), tuple(texts.get(mask, mask) for mask in guessed)

    def _source_without_dnt(self) -> str:
        dnt = {t.token: t.text for t in self.source.tokens if t.kind == "dnt"}
        if not dnt:
            return self.source.masked
        return MASK_RE.sub(lambda m: dnt.get(m.group(), m.group()), self.source.masked)

    def _dnt(self) -> list[str]:
        return [t.text for t in self.source.tokens if t.kind == "dnt"]


def mask_segment(
    source: str, mt: str | None, dnt: Sequence[str] = (), profiles: Sequence[str] = ()
) -> tuple[SegmentMasks, str | None]:
    """(masks, masked MT). DNT terms are masked in the source; in the MT only where they occur verbatim.
    `profiles` adds opt-in placeholder syntaxes (a bare `$name` for Mozilla) to what is protected."""
    src = protect(source, dnt, profiles)
    if mt is None:
        return SegmentMasks(src, src, tuple(profiles)), None
    masked_mt, extra = _align(src, protect(mt, dnt, profiles))
    table = Protected(src.masked, src.tokens + extra)
    return SegmentMasks(src, table, tuple(profiles)), masked_mt


def _align(source: Protected, target: Protected) -> tuple[str, tuple[Token, ...]]:
    """Renumber `target`'s masks to the source mask with the same markup text, first unused one first."""
    free: dict[tuple[str, str], list[str]] = {}
    for tok in source.tokens:
        free.setdefault((tok.kind, tok.text), []).append(_number(tok.token))
    next_free = max((int(_number(t.token)) for t in source.tokens), default=0) + 1
    renumber: dict[str, str] = {}
    extra: list[Token] = []
    altered = _altered(source, target)
    for tok in target.tokens:
        number = _number(tok.token)
        if number in renumber:  # closing mask of a pair already renumbered
            continue
        candidates = free.get((tok.kind, tok.text))
        if tok.token in altered:
            renumber[number] = _number(altered[tok.token])
        elif candidates:
            renumber[number] = candidates.pop(0)
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
    return masked, tuple(extra)


def _altered(source: Protected, target: Protected) -> dict[str, str]:
    """Target placeholders that are the source's, altered (`{{ nom }}` for `{{ name }}`, `$Datei` for
    `$file`): when exactly one source placeholder of a family is missing from the target and exactly one of
    that family is there instead, the target's mask -> the source's, so it is put back where it stood."""
    left = Counter((t.kind, t.text) for t in target.tokens)
    missing: dict[str, list[Token]] = {}
    for tok in source.tokens:
        if tok.kind != "placeholder":
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
    return {
        invented[family][0].token: toks[0].token
        for family, toks in missing.items()
        if len(toks) == 1 and len(invented.get(family, ())) == 1
    }


def _number(mask: str) -> str:
    m = MASK_RE.fullmatch(mask)
    return m.group(2) if m else mask
