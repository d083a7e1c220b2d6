"""Job callbacks: when a job ends, POST its outcome to the `callback_url` given at creation, signed.

As Phrase's and GitHub's webhooks do, the signature is the HMAC-SHA256 of the raw body under a shared
secret (`X-Postedit-Signature: sha256=<hex>`), so a receiver can tell our calls from forged ones. A failed
delivery (network error, timeout, 408, 429 or 5xx) is retried with doubling waits, a bounded number of
times; every retry sends the same bytes under the same `X-Postedit-Delivery` id, so a receiver can drop
duplicates. Each delivery is its own task: a slow or dead receiver never holds up the worker's jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import uuid
from dataclasses import dataclass

import httpx
from pydantic import HttpUrl, TypeAdapter, ValidationError

from server.errors import ApiError
from server.jobs.store import JobRecord, JobStore
from server.schemas import JobCallback, JobCallbackInfo
from server.state import AppState

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "checked_callback_url",
    "deliver",
    "drain",
    "schedule",
    "sign",
]

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Postedit-Signature"
EVENT_HEADER = "X-Postedit-Event"
DELIVERY_HEADER = "X-Postedit-Delivery"
RETRY_STATUSES = frozenset({408, 425, 429})  # and every 5xx: the receiver may take it later
_HTTP_URL: TypeAdapter[HttpUrl] = TypeAdapter(HttpUrl)


def sign(secret: str, body: bytes) -> str:
    """The `X-Postedit-Signature` value for `body`: what a receiver recomputes and compares."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def checked_callback_url(state: AppState, url: str | None) -> str | None:
    """The URL to call when the job ends, or None; anything but an absolute http(s) URL is a 422."""
    if url is None or not url.strip():
        return None
    try:
        _HTTP_URL.validate_python(url.strip())
    except ValidationError as exc:
        raise ApiError(
            422,
            f"callback_url must be an absolute http:// or https:// URL, not {url!r}",
            code="invalid_callback_url",
        ) from exc
    if not state.settings.webhook_secret.get_secret_value():
        raise ApiError(
            422,
            "this server has no POSTEDIT_WEBHOOK_SECRET to sign callbacks with: poll GET /v1/jobs instead",
            code="callbacks_unavailable",
        )
    return url.strip()


def _event(record: JobRecord, done: int, failed: int) -> JobCallback:
    ok = record.state == "done"
    return JobCallback(
        event="job.done" if ok else "job.failed",
        id=record.id,
        state="done" if ok else "failed",
        total=record.total,
        done=done,
        failed=failed,
        error=record.error,
        result_url=record.result_url if ok else None,
        updated_at=record.updated_at,
    )


@dataclass(frozen=True)
class _Attempt:
    status: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status >= 500 or self.status in RETRY_STATUSES


async def _post(client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str]) -> _Attempt:
    try:
        response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return _Attempt(None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    if 200 <= response.status_code < 300:
        return _Attempt(response.status_code, None)
    return _Attempt(response.status_code, f"the receiver answered {response.status_code}")


async def deliver(state: AppState, job_id: str) -> None:
    """Call the job's callback until it is delivered, refused (a 4xx) or out of attempts."""
    settings = state.settings
    store = JobStore(state.kv, settings)
    record = await store.get(job_id)
    if record is None or record.callback_url is None:
        return
    info = await store.info(record)
    event = _event(record, info.done, info.failed)
    body = event.model_dump_json().encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(settings.webhook_secret.get_secret_value(), body),
        EVENT_HEADER: event.event,
        DELIVERY_HEADER: uuid.uuid4().hex,
        "User-Agent": "postedit-callback/1",
    }
    status = JobCallbackInfo(url=record.callback_url)
    async with httpx.AsyncClient(timeout=settings.webhook_timeout_seconds, follow_redirects=False) as client:
        for attempt in range(1, settings.webhook_attempts + 1):
            if attempt > 1:
                await asyncio.sleep(settings.webhook_backoff_seconds * 2 ** (attempt - 2))
                if await store.get(job_id) is None:  # deleted meanwhile: nobody to tell
                    return
            outcome = await _post(client, record.callback_url, body, headers)
            final = outcome.delivered or not outcome.retryable or attempt == settings.webhook_attempts
            status = JobCallbackInfo(
                url=record.callback_url,
                state=("delivered" if outcome.delivered else "failed") if final else "pending",
                attempts=attempt,
                last_status=outcome.status,
                last_error=outcome.error,
            )
            await store.save_callback(job_id, status)
            if final:
                break
    if status.state == "failed":
        log.warning(
            "job %s: callback not delivered after %d attempt(s): %s",
            job_id,
            status.attempts,
            status.last_error,
        )


async def _deliver_logged(state: AppState, job_id: str) -> None:
    """A background task has nobody to raise to: a failure (Redis gone, a bug) is logged, never lost."""
    try:
        await deliver(state, job_id)
    except Exception:
        log.exception("job %s: callback delivery failed", job_id)


def schedule(state: AppState, job_id: str) -> None:
    """Deliver in the background; the task is kept so `drain` can finish it at shutdown."""
    tasks = state.callback_tasks
    task = asyncio.create_task(_deliver_logged(state, job_id))
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def drain(state: AppState) -> None:
    """At shutdown: give deliveries in flight the per-attempt timeout to finish, then give them up."""
    tasks = state.callback_tasks
    if not tasks:
        return
    _, pending = await asyncio.wait(set(tasks), timeout=state.settings.webhook_timeout_seconds)
    for task in pending:
        log.warning("shutting down: a job callback still being retried is given up")
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
