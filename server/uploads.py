"""Reading an uploaded file from either a raw request body or a multipart form (field `file`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi import Request
from starlette.datastructures import UploadFile

from formats.xliff import XliffError
from server.documents import DocumentError, TooManyUnits
from server.errors import ApiError

__all__ = ["Upload", "document_errors", "read_file", "read_upload"]


@dataclass
class Upload:
    data: bytes
    filename: str | None
    form: dict[str, str] = field(default_factory=dict)  # other multipart fields


async def read_upload(request: Request, max_bytes: int) -> Upload:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        try:
            form = await request.form(max_part_size=max_bytes)
        except Exception as exc:  # malformed multipart
            raise ApiError(400, f"could not read the multipart form: {exc}") from exc
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(422, "multipart upload needs a file field named 'file'")
        data = await upload.read(max_bytes + 1)
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        result = Upload(data, upload.filename, fields)
    else:
        result = Upload(await request.body(), None)
    if len(result.data) > max_bytes:
        raise ApiError(413, f"upload exceeds {max_bytes} bytes")
    if not result.data:
        raise ApiError(422, "the upload is empty")
    return result


async def read_file(upload: UploadFile, max_bytes: int) -> bytes:
    """A form's file, refused with a 413 past `max_bytes` (read no further than one byte beyond)."""
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ApiError(413, f"upload exceeds {max_bytes} bytes")
    return data


@contextmanager
def document_errors() -> Iterator[None]:
    """An uploaded document that cannot be read, as every upload route answers it: a 400 naming the format,
    or a 413 for an XLIFF with more units than a synchronous request takes."""
    try:
        yield
    except XliffError as exc:
        raise ApiError(400, f"invalid XLIFF: {exc}", code="invalid_xliff") from exc
    except TooManyUnits as exc:
        raise ApiError(413, f"{exc}, use POST /v1/jobs", code="too_many_units") from exc
    except DocumentError as exc:
        raise ApiError(400, f"invalid JSONL: {exc}", code="invalid_jsonl") from exc
