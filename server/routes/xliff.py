"""POST /v1/xliff: an XLIFF 1.2/2.x file in, the same file with post-edited targets out."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from agent import Mode
from glossaries.placeholder_profiles import families_for
from memory import Origin
from server.deps import StateDep, TenantDep
from server.documents import read_xliff, xliff_result
from server.errors import ApiError, documented_errors
from server.learning import finals, learn
from server.schemas import LANG_SCHEMA
from server.segments import make_context, run_batch
from server.uploads import document_errors, read_file

router = APIRouter(prefix="/v1/xliff", tags=["xliff"])
ERRORS = documented_errors(400, 401, 404, 413, 422, 429)
XLIFF_MEDIA = "application/xliff+xml"


@router.post(
    "",
    response_class=Response,
    responses={**{200: {"content": {XLIFF_MEDIA: {}}, "description": "the post-edited XLIFF"}}, **ERRORS},
)
async def postedit_xliff(
    state: StateDep,
    tenant: TenantDep,
    file: Annotated[UploadFile, File(description="XLIFF 1.2, 2.0 or 2.1")],
    source_lang: Annotated[
        str | None, Form(max_length=20, description="default: the file's", json_schema_extra=LANG_SCHEMA)
    ] = None,
    target_lang: Annotated[
        str | None, Form(max_length=20, description="default: the file's", json_schema_extra=LANG_SCHEMA)
    ] = None,
    glossary_id: Annotated[str | None, Form(max_length=128)] = None,
    styleguide_id: Annotated[str | None, Form(max_length=128)] = None,
    memory_id: Annotated[
        str | None,
        Form(max_length=128, description="matches from this memory; it learns the file's final units"),
    ] = None,
    mode: Annotated[Mode, Form()] = Mode.MINIMAL,
    placeholders: Annotated[
        str | None,
        Form(max_length=200, description="placeholder profiles, comma-separated; default: by file type"),
    ] = None,
) -> Response:
    """Post-edit every editable unit; `translate="no"`, locked and final units and everything else in the
    file are kept byte-for-byte. Files with more than `POSTEDIT_MAX_SYNC_XLIFF_UNITS` units: use /v1/jobs."""
    data = await read_file(file, state.settings.max_upload_bytes)
    with document_errors():
        doc, segments = await asyncio.to_thread(read_xliff, data, state.settings.max_sync_xliff_units)
    src, tgt = source_lang or doc.source_lang, target_lang or doc.target_lang
    if not src or not tgt:
        raise ApiError(422, "the file names no source/target language: send source_lang and target_lang")
    ctx = await make_context(
        state,
        tenant.id,
        source_lang=src,
        target_lang=tgt,
        glossary_id=glossary_id,
        styleguide_id=styleguide_id,
        memory_id=memory_id,
        mode=mode,
        placeholders=_profiles(placeholders) or doc.placeholders,
    )
    await learn(state.memories, tenant.id, memory_id, finals(doc), Origin.XLIFF_FINAL)
    outs = await run_batch(ctx, segments)
    body = xliff_result(data, doc, {o.id: o for o in outs})
    filename = (file.filename or "file.xlf").replace('"', "")
    return Response(
        body, media_type=XLIFF_MEDIA, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def _profiles(names: str | None) -> tuple[str, ...]:
    """The form's comma-separated profiles, checked: an unknown one is a 422 naming the known ones."""
    profiles = tuple(p.strip() for p in (names or "").split(",") if p.strip())
    try:
        families_for(profiles)
    except ValueError as exc:
        raise ApiError(422, str(exc), code="unknown_placeholder_profile") from exc
    return profiles
