"""Why a request cannot run as asked: domain errors that services raise (`server.segments.make_context`)
and the HTTP layer maps to statuses (`server.errors`), so the job worker reports them without knowing HTTP."""

from __future__ import annotations

__all__ = ["LanguageMismatch", "Rejected", "ResourceNotFound", "UnsupportedLanguage"]


class Rejected(Exception):
    """A request the service refuses; `code` is the stable code clients see."""

    code = "invalid_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsupportedLanguage(Rejected):
    code = "unsupported_language"


class LanguageMismatch(Rejected):
    """A resource made for another language pair than the request's."""

    code = "language_mismatch"


class ResourceNotFound(Rejected):
    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"{'style guide' if kind == 'styleguide' else kind} {ident!r} not found")
        self.code = f"{kind}_not_found"
