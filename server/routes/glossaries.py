"""PUT/GET/DELETE /v1/glossaries/{id} and GET /v1/glossaries: the tenant's termbases."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from server.deps import ResourcesDep, SettingsDep, TenantDep
from server.errors import ApiError, documented_errors
from server.resources import ID_PATTERN
from server.routes._resource import UPLOAD_BODY, PairLang, list_resources, store_upload
from server.schemas import ResourceInfo, ResourceList

router = APIRouter(prefix="/v1/glossaries", tags=["glossaries"])
ERRORS = documented_errors(401, 404, 413, 422, 429)
IdPath = Annotated[str, Path(pattern=ID_PATTERN, description="your id for this glossary")]


@router.get("", response_model=ResourceList, responses=ERRORS)
async def list_glossaries(
    tenant: TenantDep,
    resources: ResourcesDep,
    source_lang: PairLang = None,
    target_lang: PairLang = None,
) -> ResourceList:
    """The tenant's glossaries; with `source_lang` and `target_lang`, only those a request in that pair can use."""
    return await list_resources(resources, tenant.id, "glossary", source_lang, target_lang)


@router.put("/{glossary_id}", response_model=ResourceInfo, responses=ERRORS, openapi_extra=UPLOAD_BODY)
async def put_glossary(
    glossary_id: IdPath,
    request: Request,
    tenant: TenantDep,
    resources: ResourcesDep,
    settings: SettingsDep,
    source_lang: Annotated[str | None, Query(max_length=20)] = None,
    target_lang: Annotated[str | None, Query(max_length=20)] = None,
    filename: Annotated[
        str | None, Query(max_length=255, description="decides the format by extension")
    ] = None,
    format: Annotated[Literal["tbx", "csv", "tsv", "yaml"] | None, Query()] = None,
) -> ResourceInfo:
    """Upload a termbase (TBX, CSV/TSV or YAML) as the raw body or a multipart `file`; replaces any earlier
    version. Validation errors are 422 with the file and line."""
    return await store_upload(
        request,
        tenant.id,
        resources,
        settings,
        "glossary",
        glossary_id,
        filename=filename,
        format=format,
        source_lang=source_lang,
        target_lang=target_lang,
    )


@router.get("/{glossary_id}", response_model=ResourceInfo, responses=ERRORS)
async def get_glossary(glossary_id: IdPath, tenant: TenantDep, resources: ResourcesDep) -> ResourceInfo:
    info = await resources.info(tenant.id, "glossary", glossary_id)
    if info is None:
        raise ApiError(404, f"glossary {glossary_id!r} not found", code="glossary_not_found")
    return info


@router.delete("/{glossary_id}", status_code=204, responses=ERRORS)
async def delete_glossary(glossary_id: IdPath, tenant: TenantDep, resources: ResourcesDep) -> Response:
    if not await resources.delete(tenant.id, "glossary", glossary_id):
        raise ApiError(404, f"glossary {glossary_id!r} not found", code="glossary_not_found")
    return Response(status_code=204)
