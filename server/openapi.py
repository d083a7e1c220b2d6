"""The OpenAPI schema, made as strict as validation where FastAPI's generated one is looser."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

__all__ = ["install_strict_openapi"]

FORM_MEDIA = ("multipart/form-data", "application/x-www-form-urlencoded")


def _forms_without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional form field is left out, never sent as null: a client that sends `null` sends the text
    "null", which the field refuses. FastAPI writes such fields as `anyOf: [X, null]`; keep X."""
    components = schema.get("components", {}).get("schemas", {})
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            for media in FORM_MEDIA:
                ref = content.get(media, {}).get("schema", {}).get("$ref", "")
                body = components.get(ref.rsplit("/", 1)[-1]) if ref else content.get(media, {}).get("schema")
                for prop in (body or {}).get("properties", {}).values():
                    branches = prop.get("anyOf", [])
                    kept = [b for b in branches if b != {"type": "null"}]
                    if len(kept) == 1 and len(branches) == 2:
                        del prop["anyOf"]
                        prop.update(kept[0])
    return schema


def install_strict_openapi(app: FastAPI) -> None:
    """Serve `/openapi.json` with the fixes above (computed once, as FastAPI caches it)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        return _forms_without_null(generate())

    app.openapi = openapi  # type: ignore[method-assign]
