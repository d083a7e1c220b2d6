"""A DeepL-compatible subset, so tools and plugins that speak DeepL's API v2 can point at this service.

`POST /v2/translate` has no MT to post-edit: the agent translates and self-checks each text. A text the
agent could not translate (the model failed, or the guards rejected its draft) fails the request with 503, as
DeepL answers when it cannot translate now, and nothing is billed. Auth is `Authorization: DeepL-Auth-Key KEY`
(Bearer works too); DeepL answers a bad key with 403. DeepL calls this service does not implement (documents,
v3 glossaries, Write) answer 403 with a message saying so: DeepL's status for a feature the key cannot use.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import ValidationError

from agent import Mode
from agent.markup import find_markup
from formats.jsonl import loads
from glossaries.deepl_entries import EntriesFormat, entries_as_yaml, read_entries, termbase_pairs, write_tsv
from glossaries.languages import LANGUAGES, is_supported, primary
from glossaries.model import ResourceError
from server.deepl_protocol import (
    DeepLGlossary,
    DeepLGlossaryList,
    DeepLLanguage,
    DeepLLanguagePair,
    DeepLLanguagePairs,
    DeepLTranslateRequest,
    DeepLTranslateResponse,
    DeepLTranslation,
    DeepLUsage,
)
from server.deps import ResourcesDep, StateDep, TenantDep
from server.errors import ApiError, documented_errors
from server.schemas import LANG_SCHEMA, ErrorResponse, ResourceInfo, SegmentIn, SegmentOut
from server.segments import BatchContext, make_context, run_batch
from server.settings import Settings
from server.usage import QUOTA_EXCEEDED, characters_used, check_quota, count_characters

router = APIRouter(prefix="/v2", tags=["deepl"])
ERRORS = documented_errors(400, 403, 404, 413, 429)
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
            media: {"schema": DeepLTranslateRequest.model_json_schema()}
            for media in ("application/json", "application/x-www-form-urlencoded")
        },
        "required": True,
    }
}
LIST_PARAMS = ("text", "ignore_tags", "non_splitting_tags", "splitting_tags")  # repeated in a form


async def _params(request: Request) -> dict[str, Any]:
    """DeepL accepts JSON or a form; in a form `text` and the tag lists repeat."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            body = loads(await request.body() or b"null")
        except ValueError as exc:
            raise ApiError(400, str(exc)) from exc
        if not isinstance(body, dict):
            raise ApiError(400, "the JSON body must be an object")
        return body
    form = await request.form()
    params: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    for name in LIST_PARAMS:
        if name in form:
            params[name] = [v for v in form.getlist(name) if isinstance(v, str)]
    return params


def _translate_request(params: dict[str, Any]) -> DeepLTranslateRequest:
    """The request, or a 400 naming the parameter in DeepL's words (never a 422 or a 500 for a wrong type)."""
    try:
        return DeepLTranslateRequest.model_validate(params)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "text"
        if error["type"] in ("missing", "too_short"):
            raise ApiError(400, f"Parameter '{field}' not specified.") from exc
        raise ApiError(400, f"Value for '{field}' not supported.") from exc


def _keep_ignored(text: str, ignore_tags: Collection[str]) -> tuple[str, dict[str, str]]:
    """`text` with the `ignore_tags` elements marked `translate="no"`, and each marked start tag's original.

    The agent's markup protection masks a `translate="no"` element whole, content included, so the model never
    sees that content and it comes back verbatim; `_unmark` then takes the added attribute off again. The
    spelling of the attribute is one the text does not already contain, so no tag of the caller's is changed.
    """
    if not ignore_tags:
        return text, {}
    opens = [u for u in find_markup(text) if u.kind == "open" and u.name in ignore_tags]
    spelling = ' translate="no"'
    while spelling in text:
        spelling = spelling.replace("=", " =")
    originals: dict[str, str] = {}
    parts: list[str] = []
    pos = 0
    for unit in opens:
        marked = unit.text[:-1].rstrip() + spelling + ">"
        originals[marked] = unit.text
        parts += [text[pos : unit.start], marked]
        pos = unit.end
    return "".join(parts) + text[pos:], originals


def _unmark(text: str, originals: dict[str, str]) -> str:
    for marked, original in originals.items():
        text = text.replace(marked, original)
    return text


def _refusal(out: SegmentOut) -> str | None:
    """Why the agent's result must not be served as a translation, or None: no output (the model failed:
    an error, a timeout, an unusable answer), or a draft the guards rejected (a prompt injection obeyed, a
    part left out), which `/v1` returns flagged `needs_review` but DeepL's format has no way to flag."""
    if out.status == "error" or not out.output:
        return out.error.message if out.error else out.reason or "no translation could be produced"
    rejected = [v.message for v in out.violations if v.code == "implausible-draft"]
    return rejected[0] if rejected else None


DETECTABLE = ("en", "de", "fr", "es", "it", "pt", "nl")


def detect_language(texts: list[str]) -> str:
    """The likeliest source language of a request without `source_lang` (English when unsure).

    Its first call loads seven lemma dictionaries (3-9 s, about 400 MB), in a thread so other requests go
    on meanwhile. Not preloaded: a process that never sees a request without `source_lang` should not pay
    that memory (the soak test in tests/reliability bounds the API's RSS).
    """
    try:
        import simplemma

        found = simplemma.langdetect(" ".join(texts)[:2000], lang=DETECTABLE)
        return str(found[0][0]) if found and found[0][0] != "unk" else "en"
    except Exception:
        return "en"


@router.post(
    "/translate",
    response_model=DeepLTranslateResponse,
    response_model_exclude_none=True,
    responses={**ERRORS, QUOTA_EXCEEDED: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
    openapi_extra=TRANSLATE_BODY,
)
async def translate(request: Request, state: StateDep, tenant: TenantDep) -> DeepLTranslateResponse:
    req = _translate_request(await _params(request))
    _check_translate(req, state.settings)
    source_lang = req.source_lang
    if not source_lang:
        source_lang = await asyncio.to_thread(detect_language, req.text)
    characters = sum(len(t) for t in req.text)
    await check_quota(state, tenant.id, characters)
    ctx = await make_context(
        state,
        tenant.id,
        source_lang=source_lang.lower(),
        target_lang=req.target_lang.lower(),
        glossary_id=req.glossary_id,
        mode=Mode.FULL,
        instructions=((FORMALITY[req.formality],) if req.formality in FORMALITY else ())
        + tuple(req.custom_instructions),
    )  # a rejection is DeepL's 400 on /v2 (server.errors), not /v1's 422
    texts = await _translate_texts(ctx, req)
    await count_characters(state, tenant.id, characters)
    detected = primary(source_lang).upper()
    return DeepLTranslateResponse(
        translations=[
            DeepLTranslation(
                detected_source_language=detected,
                text=text,
                billed_characters=len(source) if req.show_billed_characters else None,
            )
            for text, source in zip(texts, req.text, strict=True)
        ]
    )


def _check_translate(req: DeepLTranslateRequest, settings: Settings) -> None:
    """DeepL's 400s for languages and formality, 413s for this service's request limits."""
    if len(req.text) > settings.max_segments:
        raise ApiError(413, f"at most {settings.max_segments} texts per request")
    if max(len(t) for t in req.text) > settings.max_segment_chars:
        raise ApiError(413, f"a text has more than {settings.max_segment_chars} characters")
    for field, lang in (("target_lang", req.target_lang), ("source_lang", req.source_lang)):
        if lang is not None and not is_supported(lang):
            raise ApiError(400, f"Value for '{field}' not supported.", code="unsupported_language")
    if req.formality in {"more", "less"} and primary(req.target_lang) not in FORMAL_TARGETS:
        raise ApiError(400, "'formality' is not supported for the given 'target_lang'.")


async def _translate_texts(ctx: BatchContext, req: DeepLTranslateRequest) -> list[str]:
    """Each text translated by the agent (blank ones as they are), or a 503 naming the first that was not."""
    marked = [_keep_ignored(t, req.ignore_tags) for t in req.text]
    todo = [i for i, t in enumerate(req.text) if t.strip()]
    segments = [SegmentIn(id=str(i), source=marked[i][0], context=req.context) for i in todo]
    translated = list(req.text)
    for i, out in zip(todo, await run_batch(ctx, segments), strict=True):
        refusal = _refusal(out)
        if refusal is not None:
            raise ApiError(
                503,
                f"Text {i + 1} could not be translated (nothing was billed): {refusal}",
                code="unavailable",
            )
        translated[i] = _unmark(out.output or "", marked[i][1])
    return translated


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
    request: Request,
    tenant: TenantDep,
    type: Annotated[
        str | None,
        Query(description="`source` (default) or `target`", json_schema_extra={"enum": ["source", "target"]}),
    ] = None,
) -> list[DeepLLanguage]:
    """DeepL's shape: `[{"language": "DE", "name": "German", "supports_formality": true}]` (target only).

    `type` comes from the query string or from a form body: DeepL's Python client sends it in a body on a GET.
    """
    kind = type or (await _params(request)).get("type") or "source"
    if kind not in ("source", "target"):
        raise ApiError(400, "Value for 'type' not supported.")
    out = []
    for code, name in sorted(LANGUAGES.items()):
        if kind == "source":
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
                        "name": {"type": "string", "maxLength": MAX_GLOSSARY_NAME, "pattern": r"\S"},
                        "source_lang": {"type": "string", **LANG_SCHEMA},
                        "target_lang": {"type": "string", **LANG_SCHEMA},
                        "entries": {
                            "type": "string",
                            "pattern": r"\S",
                            "description": "source<TAB>target per line (or CSV)",
                        },
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


NOT_IMPLEMENTED = {
    "/v2/document": "Document translation",
    "/v2/write": "DeepL Write (rephrase, correct)",
    "/v3": "DeepL's v3 API (multilingual glossaries, style rules, translation memories, v3 languages)",
}
unimplemented_router = APIRouter(tags=["deepl"], include_in_schema=False)


@unimplemented_router.api_route("/v2/document", methods=["GET", "POST"])
@unimplemented_router.api_route("/v2/document/{rest:path}", methods=["GET", "POST"])
@unimplemented_router.api_route("/v2/write/{rest:path}", methods=["GET", "POST"])
@unimplemented_router.api_route("/v3/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def not_implemented(request: Request, tenant: TenantDep) -> Response:
    """403, DeepL's answer for a feature the key cannot use (its client raises `AuthorizationException`,
    not a retry loop as for 5xx), with a message that says the feature is missing here, not the key wrong."""
    feature = next(f for prefix, f in NOT_IMPLEMENTED.items() if request.url.path.startswith(prefix))
    raise ApiError(
        403,
        f"{feature} is not implemented by this server (a DeepL-compatible subset): "
        "use /v2/translate, /v2/glossaries, /v2/languages and /v2/usage",
        code="not_implemented",
    )
