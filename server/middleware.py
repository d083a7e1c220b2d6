"""Pure ASGI middleware (cheap enough for the cache-hit path): request metrics and body-size limits."""

from __future__ import annotations

import time

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server import metrics
from server.errors import error_response

__all__ = ["BodyLimitMiddleware", "MetricsMiddleware"]

UPLOAD_PREFIXES = ("/v1/xliff", "/v1/jobs", "/v1/glossaries", "/v1/styleguides", "/v1/memories")


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            label = getattr(route, "path", None) or "unmatched"
            metrics.REQUESTS.labels(scope["method"], label, str(status)).inc()
            metrics.REQUEST_LATENCY.labels(scope["method"], label).observe(time.perf_counter() - start)


class _TooLarge(HTTPException):
    """Raised while reading a chunked body; an HTTPException so FastAPI's body parser passes it through."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body exceeds {limit} bytes")


class BodyLimitMiddleware:
    """413 when a body exceeds the limit: JSON endpoints get `max_body`, uploads `max_upload`."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = self.max_upload if path.startswith(UPLOAD_PREFIXES) else self.max_body
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    too_big = int(value) > limit
                except ValueError:
                    too_big = False
                if too_big:
                    await error_response(413, f"request body exceeds {limit} bytes", path=path)(
                        scope, receive, send
                    )
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await error_response(413, f"request body exceeds {limit} bytes", path=path)(
                    scope, receive, send
                )
