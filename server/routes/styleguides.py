"""PUT/GET/DELETE /v1/styleguides/{id} and GET /v1/styleguides: the tenant's style guides."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from server.deps import ResourcesDep, SettingsDep, TenantDep
from server.errors import ApiError, documented_errors
from server.resources import ID_PATTERN
from server.routes._resource import UPLOAD_BODY, PairLang, list_resources, store_upload
from server.schemas import ResourceInfo, ResourceList

router = APIRouter(prefix="/v1/styleguides", tags=["styleguides"])
ERRORS = documented_errors(401, 404, 413, 422, 429)
IdPath = Annotated[str, Path(pattern=ID_PATTERN, description="your id for this style guide")]


@router.get("", response_model=ResourceList, responses=ERRORS)
async def list_styleguides(
    tenant: TenantDep,
    resources: ResourcesDep,
    source_lang: PairLang = None,
    target_lang: PairLang = None,
) -> ResourceList:
    """The tenant's style guides; with `source_lang` and `target_lang`, only those a request in that pair can use."""
    return await list_resources(resources, tenant.id, "styleguide", source_lang, target_lang)


@router.put("/{styleguide_id}", response_model=ResourceInfo, responses=ERRORS, openapi_extra=UPLOAD_BODY)
async def put_styleguide(
    styleguide_id: IdPath,
    request: Request,
    tenant: TenantDep,
    resources: ResourcesDep,
    settings: SettingsDep,
    filename: Annotated[
        str | None, Query(max_length=255, description="decides the format by extension")
    ] = None,
    format: Annotated[Literal["yaml"] | None, Query()] = None,
) -> ResourceInfo:
    """Upload a YAML style guide as the raw body or a multipart `file`; replaces any earlier version.
    Validation errors are 422 with the file and line."""
    return await store_upload(
        request,
        tenant.id,
        resources,
        settings,
        "styleguide",
        styleguide_id,
        filename=filename,
        format=format,
    )


@router.get("/{styleguide_id}", response_model=ResourceInfo, responses=ERRORS)
async def get_styleguide(styleguide_id: IdPath, tenant: TenantDep, resources: ResourcesDep) -> ResourceInfo:
    info = await resources.info(tenant.id, "styleguide", styleguide_id)
    if info is None:
        raise ApiError(404, f"style guide {styleguide_id!r} not found", code="styleguide_not_found")
    return info


@router.delete("/{styleguide_id}", status_code=204, responses=ERRORS)
async def delete_styleguide(styleguide_id: IdPath, tenant: TenantDep, resources: ResourcesDep) -> Response:
    if not await resources.delete(tenant.id, "styleguide", styleguide_id):
        raise ApiError(404, f"style guide {styleguide_id!r} not found", code="styleguide_not_found")
    return Response(status_code=204)
