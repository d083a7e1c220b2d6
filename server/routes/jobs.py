"""POST /v1/jobs, GET /v1/jobs, GET /v1/jobs/{id}, GET /v1/jobs/{id}/result, DELETE /v1/jobs/{id}: large
files, async; an optional `callback_url` is called (signed) when a job ends."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from agent import Mode
from server.cpu import parse_off_loop
from server.deps import StateDep, TenantDep
from server.documents import job_input_summary
from server.errors import ApiError, documented_errors
from server.jobs.callbacks import checked_callback_url
from server.jobs.store import TERMINAL, JobOptions, JobRecord, JobStore
from server.schemas import LANG_SCHEMA, JobCallback, JobInfo, JobList, JobState
from server.segments import make_context
from server.state import AppState
from server.uploads import document_errors, read_file

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])
ERRORS = documented_errors(400, 401, 404, 409, 413, 422, 429)
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]

# What `checked_callback_url` accepts, for the schema: an absolute http(s) URL on a host name.
CALLBACK_URL_PATTERN = (
    r"^[hH][tT][tT][pP][sS]?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,4})?(/[!-~]*)?$"
)

callback_router = APIRouter()


@callback_router.post("{$request.body#/callback_url}", summary="Job ended (your endpoint)")
def job_ended(body: JobCallback) -> None:
    """Sent once per job when it is `done` or `failed`, with `X-Postedit-Signature: sha256=<hex HMAC-SHA256
    of the raw body under POSTEDIT_WEBHOOK_SECRET>`, `X-Postedit-Event` and `X-Postedit-Delivery` (the same
    id on every retry). Answer 2xx; a network error, 408, 429 or 5xx is retried with doubling waits."""


def _store(state: AppState) -> JobStore:
    return JobStore(state.kv, state.settings)


async def _owned(state: AppState, tenant: str, job_id: str) -> JobRecord:
    record = await _store(state).get(job_id, tenant)
    if record is None:
        raise ApiError(404, f"job {job_id!r} not found", code="job_not_found")
    return record


@router.post("", status_code=202, response_model=JobInfo, responses=ERRORS, callbacks=callback_router.routes)
async def create_job(
    request: Request,
    state: StateDep,
    tenant: TenantDep,
    file: Annotated[
        UploadFile, File(description="an XLIFF 1.2/2.x file or JSONL rows {id, source, mt?, ...}")
    ],
    kind: Annotated[Literal["xliff", "jsonl"] | None, Form(description="default: from the file")] = None,
    source_lang: Annotated[str | None, Form(max_length=20, json_schema_extra=LANG_SCHEMA)] = None,
    target_lang: Annotated[str | None, Form(max_length=20, json_schema_extra=LANG_SCHEMA)] = None,
    glossary_id: Annotated[str | None, Form(max_length=128)] = None,
    styleguide_id: Annotated[str | None, Form(max_length=128)] = None,
    mode: Annotated[Mode, Form()] = Mode.MINIMAL,
    callback_url: Annotated[
        str | None,
        Form(
            max_length=2000,
            description="http(s) URL to POST to, signed, when the job ends",
            json_schema_extra={"pattern": CALLBACK_URL_PATTERN},
        ),
    ] = None,
) -> JSONResponse:
    """Queue a file; poll `GET /v1/jobs/{id}` for progress (or pass `callback_url`) and fetch `/result`
    when `state` is `done`."""
    callback = checked_callback_url(state, callback_url)
    data = await read_file(file, state.settings.max_upload_bytes)
    name = file.filename or "upload"
    if kind is None:
        kind = "jsonl" if name.endswith((".jsonl", ".ndjson")) or data.lstrip()[:1] == b"{" else "xliff"
    with document_errors():
        # parsing 50 MB takes seconds of pure Python: in another process, so the API keeps answering
        total, file_source, file_target = await parse_off_loop(job_input_summary, kind, data)
    source_lang, target_lang = source_lang or file_source, target_lang or file_target
    if not source_lang or not target_lang:
        raise ApiError(422, "source_lang and target_lang are required (the file does not name them)")
    options = JobOptions(
        source_lang=source_lang,
        target_lang=target_lang,
        glossary_id=glossary_id,
        styleguide_id=styleguide_id,
        mode=mode,
    )
    await make_context(state, tenant.id, **options.model_dump())  # fail fast: languages, resource ids
    store = _store(state)
    record = await store.create(tenant.id, kind, data, name, options, total, callback_url=callback)
    if callback is not None:
        record.result_url = str(request.url_for("get_job_result", job_id=record.id))
        await store.save(record)
    queue = state.queue
    if queue is None:
        raise ApiError(503, "the job queue is not running", code="unavailable")
    await queue.enqueue(record.id, 0)
    info = await store.info(record)
    return JSONResponse(info.model_dump(), status_code=202, headers={"Location": f"/v1/jobs/{record.id}"})


@router.get("", response_model=JobList, responses=ERRORS)
async def list_jobs(
    state: StateDep,
    tenant: TenantDep,
    job_state: Annotated[JobState | None, Query(alias="state", description="only jobs in this state")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JobList:
    """The tenant's jobs with their progress, newest first (each kept `POSTEDIT_JOB_TTL_SECONDS`)."""
    store = _store(state)
    records = [r for r in await store.list_for(tenant.id) if job_state is None or r.state == job_state]
    return JobList(items=[await store.info(r) for r in records[:limit]])


@router.get("/{job_id}", response_model=JobInfo, responses=ERRORS)
async def get_job(job_id: JobId, state: StateDep, tenant: TenantDep) -> JobInfo:
    """State and progress: `done` counts finished segments (including `failed` ones) out of `total`."""
    return await _store(state).info(await _owned(state, tenant.id, job_id))


@router.get(
    "/{job_id}/result",
    response_class=Response,
    responses={**{200: {"content": {"application/xliff+xml": {}, "application/x-ndjson": {}}}}, **ERRORS},
)
async def get_job_result(job_id: JobId, state: StateDep, tenant: TenantDep) -> Response:
    record = await _owned(state, tenant.id, job_id)
    if record.state != "done":
        raise ApiError(409, f"job is {record.state}, not done", code="job_not_done")
    body = await _store(state).result(job_id)
    if body is None:
        raise ApiError(404, "the job's result has expired", code="result_expired")
    media = "application/xliff+xml" if record.kind == "xliff" else "application/x-ndjson"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{record.filename}"'}
    )


@router.delete("/{job_id}", status_code=204, responses=ERRORS)
async def delete_job(job_id: JobId, state: StateDep, tenant: TenantDep) -> Response:
    """Cancel a queued or running job and delete it (or delete a finished one and its result)."""
    record = await _owned(state, tenant.id, job_id)
    store = _store(state)
    if record.state not in TERMINAL:
        record.state = "cancelled"
        await store.save(record)
    await store.delete(record)
    return Response(status_code=204)
