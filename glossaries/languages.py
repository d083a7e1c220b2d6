"""Language codes the service accepts, with English names for prompts and the DeepL-style language list."""

from __future__ import annotations

from glossaries.text import primary_lang as primary

__all__ = ["LANGUAGES", "is_supported", "language_name", "primary", "same_pair"]

LANGUAGES: dict[str, str] = {
    "ar": "Arabic", "bg": "Bulgarian", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian", "it": "Italian",
    "ja": "Japanese", "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian", "nb": "Norwegian Bokmål",
    "nl": "Dutch", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak",
    "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish", "th": "Thai", "tr": "Turkish", "uk": "Ukrainian",
    "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip


def is_supported(code: str) -> bool:
    return primary(code) in LANGUAGES


def same_pair(source: str, target: str, other_source: str, other_target: str) -> bool:
    """Whether two language pairs are the same up to region and script: an en->de glossary serves en-US->de-AT."""
    return primary(source) == primary(other_source) and primary(target) == primary(other_target)


def language_name(code: str) -> str:
    """English name for prompts; unknown codes are returned as given so a prompt is never empty."""
    return LANGUAGES.get(primary(code), code)
