"""One error envelope for every failure: `{"error": {"code", "message"}}`, never a stack trace.

Routes raise `ApiError`; FastAPI's 404/405/422 and unexpected exceptions are mapped onto the same shape.
DeepL-compatible routes (`/v2/...`, `/v3/...`) also carry a top-level `message`, which DeepL's clients read.
"""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from memory import MEMORY_UNAVAILABLE
from server import metrics
from server.rejections import Rejected, ResourceNotFound

__all__ = ["ApiError", "documented_errors", "error_response", "install_error_handlers", "is_deepl_path"]

log = logging.getLogger(__name__)

_redis_warn = metrics.LogEvery(10.0)
REDIS_RETRY_AFTER = "5"  # seconds: a restarted Redis (AOF replayed) usually answers again within this

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def is_deepl_path(path: str) -> bool:
    """DeepL's API paths, where errors take DeepL's shape and status codes."""
    return path.startswith(("/v2/", "/v3/"))


class ApiError(Exception):
    """An error the client can act on: HTTP status, a stable code and a human message."""

    def __init__(
        self, status: int, message: str, *, code: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.headers = headers


def error_response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    path: str = "",
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, object] = {"error": {"code": code or _CODES.get(status, "error"), "message": message}}
    if is_deepl_path(path):
        body["message"] = message
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:10]:
        if err.get("type") == "json_invalid":
            parts.append(f"invalid JSON: {err.get('ctx', {}).get('error', 'cannot parse')}")
            continue
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid")))
    return "; ".join(parts) or "invalid request"


def _allow(app: FastAPI, path: str) -> str:
    """Every method any operation on `path` takes. Starlette names only the first route that matched the
    path, so `PATCH /v1/jobs` would say `Allow: POST` although `GET` works too."""
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), path):
            methods |= {m.upper() for m in operations}
    return ", ".join(sorted(methods))


def unavailable(request: Request, what: str) -> JSONResponse:
    """A 503 the client retries after `Retry-After`, not a 500 (which also drops the keep-alive)."""
    message = f"{what} temporarily unavailable, retry shortly"
    return error_response(503, message, path=request.url.path, headers={"Retry-After": REDIS_RETRY_AFTER})


async def memory_down(request: Request, exc: Exception) -> JSONResponse:
    """The translation-memory database unreachable or locked; segments never wait on it (a failed lookup
    only costs them their matches, `memory.recall`)."""
    log.warning("memory store unavailable (%s %s answered 503): %s", request.method, request.url.path, exc)
    return unavailable(request, "translation memory store")


def install_error_handlers(app: FastAPI) -> None:
    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(
            exc.status, exc.message, code=exc.code, path=request.url.path, headers=exc.headers
        )

    async def rejected(request: Request, exc: Exception) -> JSONResponse:
        """A domain rejection: 404 for a missing resource, 422 for the rest (400 on DeepL's paths)."""
        assert isinstance(exc, Rejected)
        status = 404 if isinstance(exc, ResourceNotFound) else 400 if is_deepl_path(request.url.path) else 422
        return error_response(status, exc.message, code=exc.code, path=request.url.path)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        message = exc.detail if isinstance(exc.detail, str) else _CODES.get(exc.status_code, "error")
        headers = dict(exc.headers) if exc.headers else {}
        if exc.status_code == 405:
            headers["Allow"] = _allow(app, request.url.path) or headers.get("Allow", "")
        return error_response(exc.status_code, message, path=request.url.path, headers=headers or None)

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_response(422, _validation_message(exc), path=request.url.path)

    async def redis_down(request: Request, exc: Exception) -> JSONResponse:
        """Redis unreachable."""
        metrics.REDIS_UNAVAILABLE.inc()
        if _redis_warn.due():
            log.warning("Redis unreachable (%s %s answered 503): %s", request.method, request.url.path, exc)
        return unavailable(request, "storage")

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal error", path=request.url.path)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(Rejected, rejected)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(RedisConnectionError, redis_down)
    app.add_exception_handler(RedisTimeoutError, redis_down)
    for memory_error in MEMORY_UNAVAILABLE:
        app.add_exception_handler(memory_error, memory_down)
    app.add_exception_handler(Exception, unexpected)


def documented_errors(*statuses: int) -> dict[int | str, dict[str, object]]:
    """A route's `responses=`: each status documented with the one error envelope, `ErrorResponse`."""
    from server.schemas import ErrorResponse

    return {status: {"model": ErrorResponse} for status in statuses}
