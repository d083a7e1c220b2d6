"""The upload and listing steps shared by the glossary and style-guide routers."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Query, Request

from glossaries.model import ResourceError
from server.errors import ApiError
from server.resources import Kind, ResourceStore
from server.schemas import LANG_SCHEMA, ResourceInfo, ResourceList
from server.settings import Settings
from server.uploads import read_upload

log = logging.getLogger(__name__)

PairLang = Annotated[
    str | None,
    Query(
        max_length=20,
        description="with the other one: only what fits the pair",
        json_schema_extra=LANG_SCHEMA,
    ),
]
UPLOAD_BODY: dict[str, object] = {
    "requestBody": {
        "description": "the file: raw bytes (name the format in `filename` or `format`) or multipart `file`",
        "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            },
        },
    }
}


async def list_resources(
    resources: ResourceStore, tenant: str, kind: Kind, source_lang: str | None, target_lang: str | None
) -> ResourceList:
    """Everything of this kind, or with both languages only what a request in that pair can use."""
    if source_lang is None and target_lang is None:
        return ResourceList(items=await resources.list_all(tenant, kind))
    if source_lang is None or target_lang is None:
        raise ApiError(422, "give both source_lang and target_lang to list what fits a language pair")
    return ResourceList(items=await resources.list_for_pair(tenant, kind, source_lang, target_lang))


async def store_upload(
    request: Request,
    tenant: str,
    resources: ResourceStore,
    settings: Settings,
    kind: Kind,
    rid: str,
    *,
    filename: str | None,
    format: str | None,
    source_lang: str | None = None,
    target_lang: str | None = None,
) -> ResourceInfo:
    upload = await read_upload(request, settings.max_upload_bytes)
    name = filename or upload.filename or (f"{rid}.{format}" if format else None)
    if not name:
        raise ApiError(
            422, "say the file format: a `filename` or `format` query parameter, or a multipart file"
        )
    if format and not name.lower().endswith("." + format):
        name = f"{name}.{format}"
    source_lang = source_lang or upload.form.get("source_lang")
    target_lang = target_lang or upload.form.get("target_lang")
    try:
        return await resources.put(
            tenant, kind, rid, upload.data, name, source_lang=source_lang, target_lang=target_lang
        )
    except ResourceError as exc:
        raise ApiError(422, str(exc), code="invalid_resource") from exc
    except (ValueError, UnicodeError, LookupError, TypeError) as exc:
        log.info("rejected %s upload %s: %r", kind, name, exc)
        raise ApiError(
            422, f"{name}: could not read this file ({type(exc).__name__})", code="invalid_resource"
        ) from exc
