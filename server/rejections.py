"""Why a request cannot run as asked: domain errors that services raise (`server.segments.make_context`)
and the HTTP layer maps to statuses (`server.errors`), so the job worker reports them without knowing HTTP."""

from __future__ import annotations

__all__ = ["LanguageMismatch", "Rejected", "ResourceNotFound", "UnsupportedLanguage", "require_pair"]


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


def require_pair(kind: str, ident: str, made_for: tuple[str, str], request: tuple[str, str]) -> None:
    """A glossary or memory made for another language pair than the request's (regions aside) is refused."""
    from glossaries.languages import same_pair

    if not same_pair(*made_for, *request):
        raise LanguageMismatch(
            f"{kind} {ident!r} is {made_for[0]}->{made_for[1]}, the request is {request[0]}->{request[1]}"
        )
