"""Language codes the service accepts, with English names for prompts and the DeepL-style language list."""

from __future__ import annotations

import re

from glossaries.text import primary_lang as primary

__all__ = ["LANGUAGES", "TAG_PATTERN", "is_supported", "language_name", "primary", "same_pair"]


LANGUAGES: dict[str, str] = {
    "ar": "Arabic", "bg": "Bulgarian", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian", "it": "Italian",
    "ja": "Japanese", "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian", "nb": "Norwegian Bokmål",
    "nl": "Dutch", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak",
    "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish", "th": "Thai", "tr": "Turkish", "uk": "Ukrainian",
    "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip


def _any_case(code: str) -> str:
    return "".join(f"[{c}{c.upper()}]" for c in code)


# A language we serve [-Script][-REGION]: `de`, `pt-BR`, `zh_Hans`, `sr-Latn-RS`, `es-419`, in any case.
# Variants and extensions are refused, so `en-ZZZZZZZZ` cannot pass for English. The OpenAPI schema carries
# the same pattern (JSON Schema has no case flag, hence `[eE][nN]`), so what it allows is what we accept.
TAG_PATTERN = (
    f"^(?:{'|'.join(_any_case(code) for code in LANGUAGES)})"
    "(?:[-_][A-Za-z]{4})?(?:[-_](?:[A-Za-z]{2}|[0-9]{3}))?$"
)
_TAG = re.compile(TAG_PATTERN)


def is_supported(code: str) -> bool:
    """A well-formed tag whose language we serve."""
    return _TAG.fullmatch(code.strip()) is not None


def same_pair(source: str, target: str, other_source: str, other_target: str) -> bool:
    """Whether two language pairs are the same up to region and script: an en->de glossary serves en-US->de-AT."""
    return primary(source) == primary(other_source) and primary(target) == primary(other_target)


def language_name(code: str) -> str:
    """English name for prompts; unknown codes are returned as given so a prompt is never empty."""
    return LANGUAGES.get(primary(code), code)
