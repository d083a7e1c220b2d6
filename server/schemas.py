"""Wire schemas: what clients send and receive. Separate request and response models, one error envelope."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from agent import Edit, Mode
from glossaries.languages import TAG_PATTERN
from glossaries.placeholder_profiles import PROFILES, families_for

__all__ = [
    "LANG_SCHEMA",
    "MAX_CONTEXT",
    "ErrorBody",
    "ErrorResponse",
    "HealthResponse",
    "JobCallback",
    "JobCallbackInfo",
    "JobInfo",
    "JobList",
    "PostEditRequest",
    "PostEditResponse",
    "PostEditStreamRequest",
    "ReadyResponse",
    "ResourceInfo",
    "ResourceList",
    "SegmentIn",
    "SegmentOut",
    "TermIn",
    "Text",
    "TokensOut",
    "ViolationOut",
]

MAX_CONTEXT = 5000  # characters of context per segment (`/v1`) or request (`/v2/translate`)
# The schema names the languages we serve; `make_context` checks them with a message naming the code.
LANG_SCHEMA: dict[str, Any] = {"pattern": TAG_PATTERN}
LangCode = Field(min_length=2, max_length=20, json_schema_extra=LANG_SCHEMA)


def _no_lone_surrogate(value: str) -> str:
    """A lone surrogate (`"\\ud800"` in JSON) is not text: it cannot be encoded, cached or sent to a model."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"a lone surrogate (U+{ord(value[exc.start]):04X}) at character {exc.start}"
        ) from None
    return value


Text = Annotated[str, AfterValidator(_no_lone_surrogate)]


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


class TermIn(BaseModel):
    """A glossary entry for one segment, added to the request's glossary."""

    source: Text = Field(min_length=1, max_length=500)
    target: list[Text] = Field(
        default_factory=list, max_length=20, description="accepted renderings, best first"
    )
    status: Literal["preferred", "forbidden", "do-not-translate"] = "preferred"


class SegmentIn(BaseModel):
    id: str = Field(min_length=1, max_length=200)
    source: Text = Field(
        description="source text; inline tags and placeholders are protected",
        json_schema_extra={"pattern": r"\S"},  # a blank source is the segment's own error
    )
    mt: Text | None = Field(default=None, description="machine translation to post-edit; omit to translate")
    context: Text | None = Field(default=None, max_length=MAX_CONTEXT)
    terms: list[TermIn] = Field(default_factory=list, max_length=100)


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source_lang: str = LangCode
    target_lang: str = LangCode
    glossary_id: str | None = Field(default=None, max_length=128)
    styleguide_id: str | None = Field(default=None, max_length=128)
    memory_id: str | None = Field(
        default=None, max_length=128, description="a translation memory: 100% matches, examples, learning"
    )
    mode: Mode = Mode.MINIMAL
    explain: bool = Field(default=False, description="include the agent's trace in each result")
    max_rounds: int = Field(default=2, ge=0, le=5, description="repair rounds after the self-check")
    placeholders: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="placeholder profiles to check (e.g. mozilla, openoffice, android); default: all common ones",
        json_schema_extra={"items": {"type": "string", "enum": [name for name in sorted(PROFILES)]}},
    )

    @field_validator("placeholders")
    @classmethod
    def _known_profiles(cls, value: list[str]) -> list[str]:
        families_for(tuple(value))  # raises ValueError naming the unknown ones
        return value

    def options(self) -> dict[str, Any]:
        """The fields above, as `server.segments.make_context` takes them."""
        return {name: getattr(self, name) for name in _Options.model_fields}


class PostEditRequest(_Options):
    """A batch of segments (at most `POSTEDIT_MAX_SEGMENTS`, default 100; each source and MT at most
    `POSTEDIT_MAX_SEGMENT_CHARS`, default 5000 characters; a longer one gets its own error entry)."""

    segments: list[SegmentIn] = Field(min_length=1, max_length=1000)


class PostEditStreamRequest(_Options):
    segment: SegmentIn


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
    status: Literal["unchanged", "edited", "needs_review", "tm_exact", "error"]
    edits: list[Edit] = Field(
        default_factory=list, description="word-level changes from the MT to the output"
    )
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
    name: str | None = Field(None, description="a display name: a DeepL glossary's, a style guide's `name`")


class ResourceList(BaseModel):
    items: list[ResourceInfo]


JobState = Literal["queued", "running", "done", "failed", "cancelled"]


class JobCallbackInfo(BaseModel):
    """How the job's callback went: integrators see here why their endpoint heard nothing."""

    url: str
    state: Literal["pending", "delivered", "failed"] = "pending"
    attempts: int = 0
    last_status: int | None = Field(default=None, description="the receiver's last HTTP status")
    last_error: str | None = Field(default=None, description="why the last attempt failed")


class JobInfo(BaseModel):
    id: str
    kind: Literal["xliff", "jsonl"]
    state: JobState
    total: int
    done: int
    failed: int
    created_at: float
    updated_at: float
    error: str | None = None
    callback: JobCallbackInfo | None = Field(default=None, description="null without a `callback_url`")


class JobList(BaseModel):
    items: list[JobInfo] = Field(description="newest first")


class JobCallback(BaseModel):
    """What `callback_url` receives (POST, JSON) when a job ends; `X-Postedit-Signature` is
    `sha256=` and the hex HMAC-SHA256 of these exact bytes under the server's webhook secret."""

    event: Literal["job.done", "job.failed"]
    id: str
    state: Literal["done", "failed"]
    total: int
    done: int = Field(description="finished segments, `failed` ones included")
    failed: int
    error: str | None = None
    result_url: str | None = Field(description="GET it with your API key; null unless the job is done")
    updated_at: float


class HealthResponse(BaseModel):
    status: str


class ReadyResponse(BaseModel):
    status: Literal["ready", "not_ready"]
    model: bool
    redis: bool | None = Field(description="null when running without Redis (in-process fallback)")
