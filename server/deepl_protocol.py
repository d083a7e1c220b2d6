"""DeepL's wire protocol (`/v2`), as its official clients speak it: request and response models only.

Kept apart from our own `/v1` schemas (`server.schemas`), as vLLM keeps OpenAI's in a `protocol.py`: the
shapes are DeepL's, and a client written for DeepL must find them unchanged.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from server.schemas import LANG_SCHEMA, MAX_CONTEXT, Text

__all__ = [
    "DeepLGlossary",
    "DeepLGlossaryList",
    "DeepLLanguage",
    "DeepLLanguagePair",
    "DeepLLanguagePairs",
    "DeepLTranslateRequest",
    "DeepLTranslateResponse",
    "DeepLTranslation",
]


DeepLFormality = Literal["default", "more", "less", "prefer_more", "prefer_less"]


class DeepLTranslateRequest(BaseModel):
    """`POST /v2/translate` as DeepL's clients send it, from JSON or a form (where lists repeat or are
    comma-separated). DeepL parameters that change nothing here (`split_sentences`, `preserve_formatting`,
    `outline_detection`, `model_type`, ...) are accepted and ignored, as DeepL ignores unknown ones."""

    model_config = ConfigDict(extra="ignore")

    text: list[Text] = Field(min_length=1)
    target_lang: str = Field(json_schema_extra=LANG_SCHEMA)
    source_lang: str | None = Field(None, json_schema_extra=LANG_SCHEMA)
    formality: DeepLFormality = "default"
    tag_handling: Literal["xml", "html"] | None = None
    context: Text | None = Field(None, max_length=MAX_CONTEXT)
    glossary_id: str | None = None
    ignore_tags: list[str] = Field(
        default_factory=list, description="elements whose content is kept verbatim"
    )
    non_splitting_tags: list[str] = Field(default_factory=list, description="accepted; each text is one unit")
    splitting_tags: list[str] = Field(default_factory=list, description="accepted; each text is one unit")
    show_billed_characters: bool = False
    custom_instructions: list[Annotated[str, Field(max_length=300)]] = Field(
        default_factory=list, max_length=10
    )
    glossary_ids: None = Field(None, description="not supported here (one `glossary_id`): refused with 400")
    style_id: None = Field(None, description="not supported here: refused with 400")
    translation_memory_id: None = Field(None, description="not supported here: refused with 400")

    @model_validator(mode="before")
    @classmethod
    def _form_shapes(cls, data: Any) -> Any:
        """A form leaves unset fields empty (`source_lang=`) and may send one `text` as a plain string."""
        if not isinstance(data, dict):
            return data
        data = {k: v for k, v in data.items() if v is not None and v != ""}
        if isinstance(data.get("text"), str):
            data["text"] = [data["text"]]
        return data

    @field_validator("ignore_tags", "non_splitting_tags", "splitting_tags", mode="before")
    @classmethod
    def _tag_list(cls, value: Any) -> Any:
        """`"a,b"`, `["a,b", "c"]` and `["a", "b", "c"]` are the same list, as DeepL's client joins them."""
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            return value  # the type check reports it
        return [tag.strip() for item in items for tag in item.split(",") if tag.strip()]


class DeepLTranslation(BaseModel):
    detected_source_language: str
    text: str
    billed_characters: int | None = Field(None, description="only when `show_billed_characters` was set")


class DeepLTranslateResponse(BaseModel):
    translations: list[DeepLTranslation]


class DeepLUsage(BaseModel):
    character_count: int
    character_limit: int


class DeepLLanguage(BaseModel):
    language: str
    name: str
    supports_formality: bool | None = None


class DeepLGlossary(BaseModel):
    glossary_id: str
    name: str
    ready: bool
    source_lang: str
    target_lang: str
    creation_time: str
    entry_count: int


class DeepLGlossaryList(BaseModel):
    glossaries: list[DeepLGlossary]


class DeepLLanguagePair(BaseModel):
    source_lang: str
    target_lang: str


class DeepLLanguagePairs(BaseModel):
    supported_languages: list[DeepLLanguagePair]
