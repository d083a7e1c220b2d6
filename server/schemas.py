"""Wire schemas: what clients send and receive. Separate request and response models, one error envelope."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.types import Mode

__all__ = [
    "DeepLGlossary",
    "DeepLGlossaryList",
    "DeepLLanguage",
    "DeepLLanguagePair",
    "DeepLLanguagePairs",
    "DeepLTranslateResponse",
    "DeepLTranslation",
    "EditOut",
    "ErrorBody",
    "ErrorResponse",
    "HealthResponse",
    "JobInfo",
    "PostEditRequest",
    "PostEditResponse",
    "PostEditStreamRequest",
    "ReadyResponse",
    "ResourceInfo",
    "ResourceList",
    "SegmentIn",
    "SegmentOut",
    "TermIn",
    "TokensOut",
    "ViolationOut",
]

LangCode = Field(min_length=2, max_length=20, pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


class TermIn(BaseModel):
    """A glossary entry for one segment, added to the request's glossary."""

    source: str = Field(min_length=1, max_length=500)
    target: list[str] = Field(
        default_factory=list, max_length=20, description="accepted renderings, best first"
    )
    status: Literal["preferred", "forbidden", "do-not-translate"] = "preferred"


class SegmentIn(BaseModel):
    id: str = Field(min_length=1, max_length=200)
    source: str = Field(description="source text; inline tags and placeholders are protected")
    mt: str | None = Field(default=None, description="machine translation to post-edit; omit to translate")
    context: str | None = Field(default=None, max_length=5000)
    terms: list[TermIn] = Field(default_factory=list, max_length=100)


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source_lang: str = LangCode
    target_lang: str = LangCode
    glossary_id: str | None = Field(default=None, max_length=128)
    styleguide_id: str | None = Field(default=None, max_length=128)
    mode: Mode = Mode.MINIMAL
    explain: bool = Field(default=False, description="include the agent's trace in each result")
    max_rounds: int = Field(default=2, ge=0, le=5, description="repair rounds after the self-check")

    def options(self) -> dict[str, Any]:
        """The fields above, as `server.segments.make_context` takes them."""
        return {name: getattr(self, name) for name in _Options.model_fields}


class PostEditRequest(_Options):
    """A batch of segments (at most `POSTEDIT_MAX_SEGMENTS`, default 100; each source and MT at most
    `POSTEDIT_MAX_SEGMENT_CHARS`, default 5000 characters; a longer one gets its own error entry)."""

    segments: list[SegmentIn] = Field(min_length=1, max_length=1000)


class PostEditStreamRequest(_Options):
    segment: SegmentIn


class EditOut(BaseModel):
    op: str
    before: str
    after: str
    mt_start: int
    mt_end: int
    out_start: int
    out_end: int
    reason: str | None = None


class ViolationOut(BaseModel):
    code: str
    severity: str
    message: str
    start: int | None = None
    end: int | None = None


class TokensOut(BaseModel):
    prompt: int = 0
    completion: int = 0


class SegmentOut(BaseModel):
    id: str
    output: str | None = Field(description="the post-edited target; null only when status is `error`")
    status: Literal["unchanged", "edited", "needs_review", "error"]
    edits: list[EditOut] = Field(default_factory=list)
    violations: list[ViolationOut] = Field(default_factory=list)
    cached: bool = False
    latency_ms: float = 0.0
    tokens: TokensOut = Field(default_factory=TokensOut)
    rounds: int = 0
    reason: str | None = None
    error: ErrorBody | None = None
    trace: list[dict[str, Any]] | None = None


class PostEditResponse(BaseModel):
    segments: list[SegmentOut]
    glossary_version: str | None = None
    styleguide_version: str | None = None


class ResourceInfo(BaseModel):
    id: str
    kind: Literal["glossary", "styleguide"]
    filename: str
    version: str = Field(description="SHA-256 of the uploaded bytes")
    size: int
    entries: int | None = None
    source_lang: str | None = None
    target_lang: str | None = None
    created_at: float
    name: str | None = Field(None, description="a display name (DeepL glossaries have one)")


class ResourceList(BaseModel):
    items: list[ResourceInfo]


class JobInfo(BaseModel):
    id: str
    kind: Literal["xliff", "jsonl"]
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    total: int
    done: int
    failed: int
    created_at: float
    updated_at: float
    error: str | None = None


class HealthResponse(BaseModel):
    status: str


class ReadyResponse(BaseModel):
    status: Literal["ready", "not_ready"]
    model: bool
    redis: bool | None = Field(description="null when running without Redis (in-process fallback)")


class DeepLTranslation(BaseModel):
    detected_source_language: str
    text: str


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
