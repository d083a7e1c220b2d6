"""Reading an uploaded file from either a raw request body or a multipart form (field `file`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from starlette.datastructures import UploadFile

from server.errors import ApiError

__all__ = ["Upload", "read_upload"]


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
