"""Style guides: YAML validated into typed rules, for the prompt (`prompt_rules`) and for the QA checks.

A guide names its language pair (or several target languages) and may override any rule per target
language under `languages:`; `rules_for(target_lang)` gives the merged view. See
`glossaries/examples/*/style.yaml` for a documented example.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import regex
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from glossaries.fields import resource_id
from glossaries.model import ResourceError, content_version
from glossaries.placeholder_profiles import families_for
from glossaries.text import primary_lang
from glossaries.yaml_source import load_yaml, raise_validation_error

__all__ = [
    "BannedPhrasing",
    "NumberFormat",
    "PreferredPhrasing",
    "Punctuation",
    "Quotes",
    "RegexRule",
    "StyleGuide",
    "StyleRules",
    "load_style_guide",
    "parse_style_guide",
]

Severity = Literal["error", "warning", "info"]

# Rules are the tenant's regexes, run on every segment of every request. The `regex` module (Python's syntax
# and Unicode `\b`/`\w`, which RE2 lacks) takes a timeout, and runs the textbook `^(a+)+$` in quadratic, not
# exponential, time. A pattern that still backtracks on a probe is refused at upload; any match is cut off here.
MATCH_TIMEOUT = 0.05  # seconds one rule may spend on one text
_PROBE_LENGTH = 40
_PROBE_CHARS = 12


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Quotes(_Strict):
    open: str = Field(min_length=1)
    close: str = Field(min_length=1)
    nested_open: str | None = None
    nested_close: str | None = None


class Punctuation(_Strict):
    space_before: str = ""  # characters preceded by a space, e.g. "?!:;" in French
    space_char: str = "\u202f"  # narrow no-break space by default; "\u00a0" or " " are common too
    no_space_before: str = ""  # characters that must follow the word directly
    note: str | None = None


class NumberFormat(_Strict):
    decimal_separator: str = "."
    group_separator: str = ","  # "" for none; "\u202f" / "\u00a0" / " " for a space


class PreferredPhrasing(_Strict):
    use: str = Field(min_length=1)
    instead_of: str | list[str]
    note: str | None = None

    @property
    def avoid(self) -> list[str]:
        return [self.instead_of] if isinstance(self.instead_of, str) else list(self.instead_of)


class BannedPhrasing(_Strict):
    text: str = Field(min_length=1)
    reason: str | None = None
    severity: Severity = "error"


class RegexRule(_Strict):
    id: str = Field(min_length=1)
    pattern: str = Field(min_length=1)
    message: str = Field(min_length=1)
    severity: Severity = "warning"
    applies_to: Literal["source", "target"] = "target"
    ignore_case: bool = False

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            regex.compile(value)
        except (regex.error, RecursionError, OverflowError) as exc:
            raise ValueError(f"invalid regular expression {value!r}: {exc}") from None
        return value

    @model_validator(mode="after")
    def _fast(self) -> RegexRule:
        """Refuse at upload a pattern that backtracks on a short run of a character it names."""
        if backtracks(self.regex, self.pattern):
            raise ValueError(
                f"rule {self.id!r}: pattern {self.pattern!r} backtracks catastrophically (over "
                f"{MATCH_TIMEOUT * 1000:.0f} ms on {_PROBE_LENGTH} characters); rewrite it without nested "
                "or overlapping repetition"
            )
        return self

    @cached_property
    def regex(self) -> regex.Pattern[str]:
        return regex.compile(self.pattern, regex.IGNORECASE if self.ignore_case else 0)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Non-empty matches in `text`; TimeoutError past `MATCH_TIMEOUT`."""
        return [m.span() for m in self.regex.finditer(text, timeout=MATCH_TIMEOUT) if m.end() > m.start()]


def backtracks(compiled: regex.Pattern[str], pattern: str) -> bool:
    """True when a run of one character the pattern names (or `a`, `0`, a space), then `!`, times it out."""
    chars = dict.fromkeys([*(c for c in pattern if c.isalnum()), "a", "0", " "])
    for char in list(chars)[:_PROBE_CHARS]:
        try:
            compiled.search(char * _PROBE_LENGTH + "!", timeout=MATCH_TIMEOUT)
        except TimeoutError:
            return True
    return False


class StyleRules(_Strict):
    """Every rule a guide can set; all optional, so a per-language section overrides only what it names."""

    formality: Literal["formal", "informal"] | None = None
    formality_note: str | None = None  # e.g. 'address the reader with "Sie"'
    quotes: Quotes | None = None
    punctuation: Punctuation | None = None
    numbers: NumberFormat | None = None
    date_format: str | None = None  # e.g. "DD.MM.YYYY"
    units: str | None = None  # e.g. "metric, with a no-break space between number and unit"
    capitalization: Literal["sentence", "title", "preserve"] | None = None
    capitalization_note: str | None = None
    preferred_phrasings: list[PreferredPhrasing] = Field(default_factory=list)
    banned_phrasings: list[BannedPhrasing] = Field(default_factory=list)
    rules: list[RegexRule] = Field(default_factory=list)
    max_length: int | None = Field(default=None, gt=0)  # characters
    placeholders: list[str] = Field(default_factory=list)  # placeholder profiles, e.g. [mozilla]
    max_length_ratio: float | None = Field(default=None, gt=0)  # target length / source length
    min_length_ratio: float | None = Field(default=None, ge=0)
    guidance: str | None = None

    @field_validator("banned_phrasings", mode="before")
    @classmethod
    def _plain_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"text": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("placeholders")
    @classmethod
    def _known_profiles(cls, value: list[str]) -> list[str]:
        families_for(tuple(value))  # raises ValueError naming the unknown ones
        return value

    @model_validator(mode="after")
    def _ratios(self) -> StyleRules:
        low, high = self.min_length_ratio, self.max_length_ratio
        if low is not None and high is not None and low > high:
            raise ValueError("min_length_ratio is larger than max_length_ratio")
        return self


class StyleGuide(StyleRules):
    """A loaded style guide. `version` is the SHA-256 of the file bytes, like a Termbase's."""

    id: str = ""
    version: str = ""
    name: str | None = None
    source_lang: str | None = None
    target_lang: str | list[str] | None = None
    languages: dict[str, StyleRules] = Field(default_factory=dict)

    @property
    def target_langs(self) -> list[str]:
        declared = [self.target_lang] if isinstance(self.target_lang, str) else list(self.target_lang or [])
        return declared + [lang for lang in self.languages if lang not in declared]

    def applies_to(self, source_lang: str, target_lang: str) -> bool:
        """True when this guide covers the pair (a guide that names no language covers every pair)."""
        if self.source_lang and primary_lang(self.source_lang) != primary_lang(source_lang):
            return False
        targets = self.target_langs
        return not targets or any(_lang_covers(t, target_lang) for t in targets)

    def rules_for(self, target_lang: str) -> StyleRules:
        """The guide's rules with the matching `languages:` sections applied (`fr`, then `fr-CA`)."""
        merged = StyleRules.model_validate(self.model_dump(include=set(StyleRules.model_fields)))
        sections = sorted((code for code in self.languages if _lang_covers(code, target_lang)), key=len)
        for code in sections:
            section = self.languages[code]
            merged = merged.model_copy(update={k: getattr(section, k) for k in section.model_fields_set})
        return merged

    def prompt_rules(self, source_lang: str, target_lang: str) -> list[str]:
        """Short imperative lines for the prompt: only the rules that apply to this pair."""
        if not self.applies_to(source_lang, target_lang):
            return []
        return _prompt_lines(self.rules_for(target_lang))


def _lang_covers(code: str, target: str) -> bool:
    """`fr` covers `fr-CA`; `fr-CA` covers only `fr-CA` (and `fr_ca`)."""
    a, b = code.replace("_", "-").casefold(), target.replace("_", "-").casefold()
    return a == b or a == primary_lang(b)


def _prompt_lines(r: StyleRules) -> list[str]:
    lines: list[str] = []
    if r.formality:
        how = f" ({r.formality_note})" if r.formality_note else ""
        lines.append(f"Use {r.formality} address{how}.")
    if r.quotes:
        lines.append(f"Use {r.quotes.open}…{r.quotes.close} as quotation marks.")
    if r.punctuation and r.punctuation.space_before:
        marks = " ".join(r.punctuation.space_before)
        space = {"\u202f": "a narrow no-break space", "\u00a0": "a no-break space"}.get(
            r.punctuation.space_char, "a space"
        )
        lines.append(f"Put {space} before each of these marks: {marks}")
    if r.punctuation and r.punctuation.no_space_before:
        lines.append(f"Never put a space before these marks: {' '.join(r.punctuation.no_space_before)}")
    if r.punctuation and r.punctuation.note:
        lines.append(r.punctuation.note)
    if r.numbers:
        group = {
            "": "no",
            " ": "a space",
            "\u00a0": "a no-break space",
            "\u202f": "a narrow no-break space",
        }.get(r.numbers.group_separator, f"'{r.numbers.group_separator}'")
        lines.append(
            f"Write numbers with '{r.numbers.decimal_separator}' as decimal separator and {group} as "
            f"thousands separator (e.g. {_sample_number(r.numbers)})."
        )
    if r.date_format:
        lines.append(f"Write dates as {r.date_format}.")
    if r.units:
        lines.append(f"Units: {r.units}.")
    if r.capitalization:
        note = f" ({r.capitalization_note})" if r.capitalization_note else ""
        lines.append(
            f"Use {r.capitalization} case{note}."
            if r.capitalization != "preserve"
            else f"Keep the source capitalization{note}."
        )
    for p in r.preferred_phrasings:
        avoid = " / ".join(f'"{a}"' for a in p.avoid)
        lines.append(f'Write "{p.use}", not {avoid}.')
    for b in r.banned_phrasings:
        why = f" ({b.reason})" if b.reason else ""
        lines.append(f'Never write "{b.text}"{why}.')
    lines += [rule.message for rule in r.rules if rule.applies_to == "target"]
    if r.max_length:
        lines.append(f"Keep the translation within {r.max_length} characters.")
    if r.max_length_ratio:
        lines.append(f"Keep the translation under {r.max_length_ratio:g}x the source length.")
    if r.guidance:
        lines += [line.strip() for line in r.guidance.strip().splitlines() if line.strip()]
    return lines


def _sample_number(fmt: NumberFormat) -> str:
    return f"1{fmt.group_separator}234{fmt.decimal_separator}5"


def parse_style_guide(data: bytes, filename: str, id: str | None = None) -> StyleGuide:
    """Parse a YAML style guide. Bad YAML, unknown keys, bad values and invalid regexes name their line."""
    value, node = load_yaml(data, filename)
    if not isinstance(value, dict):
        raise ResourceError(filename, "a style guide is a YAML mapping (id, name, target_lang, rules...)", 1)
    for reserved in ("version",):
        if reserved in value:
            raise ResourceError(filename, f"'{reserved}' is computed from the file content; remove it")
    try:
        guide = StyleGuide.model_validate(value)
    except ValidationError as exc:
        raise_validation_error(exc, filename, node)
    return guide.model_copy(
        update={"id": resource_id(filename, id or guide.id), "version": content_version(data)}
    )


def load_style_guide(path: str | Path, id: str | None = None) -> StyleGuide:
    """Read and parse a style guide file."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ResourceError(str(path), f"cannot read: {exc.strerror or exc}") from None
    return parse_style_guide(data, str(path), id=id)
