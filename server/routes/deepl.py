"""A DeepL-compatible subset, so tools and plugins that speak DeepL's API v2 can point at this service.

`POST /v2/translate` has no MT to post-edit: the agent translates and self-checks each text.
Auth is `Authorization: DeepL-Auth-Key KEY` (Bearer works too); DeepL answers a bad key with 403.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from agent.types import Mode
from glossaries.deepl_entries import EntriesFormat, entries_as_yaml, read_entries, termbase_pairs, write_tsv
from glossaries.languages import LANGUAGES, is_supported, primary
from glossaries.model import ResourceError
from server.deps import ResourcesDep, StateDep, TenantDep
from server.errors import ApiError
from server.schemas import (
    DeepLGlossary,
    DeepLGlossaryList,
    DeepLLanguage,
    DeepLLanguagePair,
    DeepLLanguagePairs,
    DeepLTranslateResponse,
    DeepLTranslation,
    DeepLUsage,
    ErrorResponse,
    ResourceInfo,
    SegmentIn,
)
from server.segments import make_context, run_batch
from server.usage import QUOTA_EXCEEDED, characters_used, check_quota, count_characters

router = APIRouter(prefix="/v2", tags=["deepl"])
ERRORS: dict[int | str, dict[str, object]] = {c: {"model": ErrorResponse} for c in (400, 403, 404, 413, 429)}
MAX_GLOSSARY_NAME = 1024
FORMALITY = {
    "more": "Use formal address (e.g. German 'Sie', French 'vous').",
    "prefer_more": "Use formal address (e.g. German 'Sie', French 'vous').",
    "less": "Use informal address (e.g. German 'du', French 'tu').",
    "prefer_less": "Use informal address (e.g. German 'du', French 'tu').",
}
FORMAL_TARGETS = {"de", "fr", "it", "es", "nl", "pl", "pt", "ru", "ja"}  # languages with a T-V distinction
TRANSLATE_BODY: dict[str, object] = {
    "requestBody": {
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["text", "target_lang"],
                    "properties": {
                        "text": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 50},
                        "source_lang": {"type": "string"},
                        "target_lang": {"type": "string"},
                        "glossary_id": {"type": "string"},
                        "formality": {"type": "string", "enum": ["default", *FORMALITY]},
                        "tag_handling": {"type": "string", "enum": ["xml", "html"]},
                        "context": {"type": "string"},
                    },
                }
            },
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["text", "target_lang"],
                    "properties": {
                        "text": {"type": "array", "items": {"type": "string"}},
                        "source_lang": {"type": "string"},
                        "target_lang": {"type": "string"},
                        "glossary_id": {"type": "string"},
                        "formality": {"type": "string"},
                        "tag_handling": {"type": "string"},
                        "context": {"type": "string"},
                    },
                }
            },
        },
        "required": True,
    }
}


async def _params(request: Request) -> dict[str, Any]:
    """DeepL accepts JSON or a form; in a form `text` repeats."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            body = json.loads(await request.body() or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ApiError(400, f"invalid JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise ApiError(400, "the JSON body must be an object")
        return body
    form = await request.form()
    params: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    params["text"] = [v for v in form.getlist("text") if isinstance(v, str)]
    return params


def _detect(texts: list[str]) -> str:
    try:
        import simplemma

        found = simplemma.langdetect(" ".join(texts)[:2000], lang=("en", "de", "fr", "es", "it", "pt", "nl"))
        return str(found[0][0]) if found and found[0][0] != "unk" else "en"
    except Exception:
        return "en"


@router.post(
    "/translate",
    response_model=DeepLTranslateResponse,
    responses={**ERRORS, QUOTA_EXCEEDED: {"model": ErrorResponse}},
    openapi_extra=TRANSLATE_BODY,
)
async def translate(request: Request, state: StateDep, tenant: TenantDep) -> DeepLTranslateResponse:
    params = await _params(request)
    texts = params.get("text")
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise ApiError(400, "Parameter 'text' not specified.")
    if len(texts) > state.settings.max_segments:
        raise ApiError(413, f"at most {state.settings.max_segments} texts per request")
    target = params.get("target_lang")
    if not isinstance(target, str) or not target:
        raise ApiError(400, "Value for 'target_lang' not supported.")
    source = params.get("source_lang")
    detected = source if isinstance(source, str) and source else _detect(texts)
    formality = params.get("formality") or "default"
    if formality not in {"default", *FORMALITY}:
        raise ApiError(400, "Value for 'formality' not supported.")
    if formality in {"more", "less"} and primary(target) not in FORMAL_TARGETS:
        raise ApiError(400, "'formality' is not supported for the given 'target_lang'.")
    tag_handling = params.get("tag_handling")
    if tag_handling not in {None, "", "xml", "html"}:
        raise ApiError(400, "Value for 'tag_handling' not supported.")
    context = params.get("context")
    glossary_id = params.get("glossary_id")
    characters = sum(len(t) for t in texts)
    await check_quota(state, tenant.id, characters)
    ctx = await make_context(
        state,
        tenant.id,
        source_lang=detected.lower(),
        target_lang=target.lower(),
        glossary_id=glossary_id if isinstance(glossary_id, str) and glossary_id else None,
        mode=Mode.FULL,
        instructions=(FORMALITY[formality],) if formality in FORMALITY else (),
    )
    segments = [
        SegmentIn(id=str(i), source=t, mt=None, context=context if isinstance(context, str) else None)
        for i, t in enumerate(texts)
    ]
    outs = await run_batch(ctx, segments)
    await count_characters(state, tenant.id, characters)
    code = primary(detected).upper()
    return DeepLTranslateResponse(
        translations=[
            DeepLTranslation(detected_source_language=code, text=o.output if o.output is not None else t)
            for o, t in zip(outs, texts, strict=True)
        ]
    )


@router.get("/usage", response_model=DeepLUsage, responses=ERRORS)
async def usage(state: StateDep, tenant: TenantDep) -> DeepLUsage:
    """Characters translated through `/v2/translate` this calendar month (UTC) and the monthly limit."""
    return DeepLUsage(
        character_count=await characters_used(state, tenant.id),
        character_limit=state.settings.deepl_character_limit,
    )


TARGET_VARIANTS = {"en": ["EN-GB", "EN-US"], "pt": ["PT-BR", "PT-PT"], "zh": ["ZH-HANS", "ZH-HANT"]}


@router.get(
    "/languages", response_model=list[DeepLLanguage], response_model_exclude_none=True, responses=ERRORS
)
async def languages(
    tenant: TenantDep, type: Annotated[Literal["source", "target"], Query()] = "source"
) -> list[DeepLLanguage]:
    """DeepL's shape: `[{"language": "DE", "name": "German", "supports_formality": true}]` (target only)."""
    out = []
    for code, name in sorted(LANGUAGES.items()):
        if type == "source":
            out.append(DeepLLanguage(language=code.upper(), name=name))
            continue
        for variant in TARGET_VARIANTS.get(code, [code.upper()]):
            out.append(DeepLLanguage(language=variant, name=name, supports_formality=code in FORMAL_TARGETS))
    return out


def _deepl_glossary(info: ResourceInfo) -> DeepLGlossary:
    return DeepLGlossary(
        glossary_id=info.id,
        name=info.name or info.filename,
        ready=True,
        source_lang=primary(info.source_lang or "").lower(),
        target_lang=primary(info.target_lang or "").lower(),
        creation_time=datetime.fromtimestamp(info.created_at, UTC).isoformat().replace("+00:00", "Z"),
        entry_count=info.entries or 0,
    )


GLOSSARY_BODY: dict[str, object] = {
    "requestBody": {
        "content": {
            media: {
                "schema": {
                    "type": "object",
                    "required": ["name", "source_lang", "target_lang", "entries"],
                    "properties": {
                        "name": {"type": "string"},
                        "source_lang": {"type": "string"},
                        "target_lang": {"type": "string"},
                        "entries": {"type": "string", "description": "source<TAB>target per line (or CSV)"},
                        "entries_format": {"type": "string", "enum": ["tsv", "csv"]},
                    },
                }
            }
            for media in ("application/json", "application/x-www-form-urlencoded")
        },
        "required": True,
    }
}


@router.post(
    "/glossaries",
    status_code=201,
    response_model=DeepLGlossary,
    responses=ERRORS,
    openapi_extra=GLOSSARY_BODY,
)
async def create_glossary(request: Request, tenant: TenantDep, resources: ResourcesDep) -> DeepLGlossary:
    """DeepL's glossary creation: stored as a glossary of this tenant, usable by `/v1` requests too."""
    params = await _params(request)
    name, entries = params.get("name"), params.get("entries")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_GLOSSARY_NAME:
        raise ApiError(400, "Parameter 'name' not specified.")
    if not isinstance(entries, str) or not entries.strip():
        raise ApiError(400, "Parameter 'entries' not specified.")
    if params.get("entries_format") not in (None, "", "tsv", "csv"):
        raise ApiError(400, "Value for 'entries_format' not supported.")
    fmt: EntriesFormat = "csv" if params.get("entries_format") == "csv" else "tsv"
    langs = []
    for field in ("source_lang", "target_lang"):
        code = params.get(field)
        if not isinstance(code, str) or not is_supported(code):
            raise ApiError(400, f"Value for '{field}' not supported.")
        langs.append(primary(code).lower())
    try:
        pairs = read_entries(entries, fmt, filename="entries")
    except ResourceError as exc:
        raise ApiError(400, f"Invalid glossary entries provided: {exc}", code="invalid_resource") from exc
    gid = str(uuid.uuid4())
    info = await resources.put(
        tenant.id,
        "glossary",
        gid,
        entries_as_yaml(pairs, *langs),
        f"{gid}.yaml",
        source_lang=langs[0],
        target_lang=langs[1],
        name=name.strip(),
    )
    return _deepl_glossary(info)


def _not_found() -> ApiError:
    return ApiError(404, "Glossary not found.", code="glossary_not_found")


@router.get("/glossaries/{glossary_id}", response_model=DeepLGlossary, responses=ERRORS)
async def glossary(glossary_id: str, tenant: TenantDep, resources: ResourcesDep) -> DeepLGlossary:
    info = (
        await resources.info(tenant.id, "glossary", glossary_id) if resources.valid_id(glossary_id) else None
    )
    if info is None:
        raise _not_found()
    return _deepl_glossary(info)


@router.get(
    "/glossaries/{glossary_id}/entries",
    responses={**ERRORS, 200: {"content": {"text/tab-separated-values": {}}}},
    response_class=Response,
)
async def glossary_entries(glossary_id: str, tenant: TenantDep, resources: ResourcesDep) -> Response:
    """The entries as DeepL lists them: source<TAB>target lines (preferred targets of any glossary format)."""
    valid = resources.valid_id(glossary_id)
    termbase = await resources.load(tenant.id, "glossary", glossary_id) if valid else None
    if termbase is None:
        raise _not_found()
    return Response(write_tsv(termbase_pairs(termbase)), media_type="text/tab-separated-values")


@router.delete("/glossaries/{glossary_id}", status_code=204, responses=ERRORS)
async def delete_glossary(glossary_id: str, tenant: TenantDep, resources: ResourcesDep) -> Response:
    if not await resources.delete(tenant.id, "glossary", glossary_id):
        raise _not_found()
    return Response(status_code=204)


@router.get("/glossary-language-pairs", response_model=DeepLLanguagePairs, responses=ERRORS)
async def glossary_language_pairs(tenant: TenantDep) -> DeepLLanguagePairs:
    codes = sorted(LANGUAGES)
    return DeepLLanguagePairs(
        supported_languages=[
            DeepLLanguagePair(source_lang=s, target_lang=t) for s in codes for t in codes if s != t
        ]
    )


@router.get("/glossaries", response_model=DeepLGlossaryList, responses=ERRORS)
async def glossaries(tenant: TenantDep, resources: ResourcesDep) -> DeepLGlossaryList:
    items = await resources.list_all(tenant.id, "glossary")
    return DeepLGlossaryList(glossaries=[_deepl_glossary(g) for g in items])
