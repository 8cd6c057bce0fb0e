"""Errors the services raise; the web views and the API each present them in their own way."""

from __future__ import annotations


class ServiceError(Exception):
    """Base for refusals that are the user's to fix, never a 500."""

    status = 400
    code = "bad_request"
    #: More members for the API's error object (an import's bad rows, say).
    extra: dict = {}

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationError(ServiceError):
    """Input that breaks a rule: each offending field has its own message."""

    status = 422
    code = "invalid"

    def __init__(self, fields: dict[str, list[str]], message: str = "Check the highlighted fields"):
        super().__init__(message, fields)

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: [message]})


class Conflict(ServiceError):
    """Someone else changed the record since the caller read it."""

    status = 409
    code = "conflict"


class Gone(ServiceError):
    status = 410
    code = "gone"


def check_version(current: int, expected: int | None, what: str, *, stale: str = "") -> None:
    """Refuse a change made from an out-of-date copy: a 409 on the API, a warning on the web.

    `expected` is None when the caller read no version (an API client may leave it out);
    -1 is a form's version that was missing or tampered with. `stale` replaces the usual
    message where the person needs other words (an owner who sent a form twice).
    """
    if expected is not None and expected < 0:
        raise Conflict(
            f"The page you saved from did not say which version of this {what} it showed "
            f"(it is now version {current}). Reload it, then make your change again."
        )
    if expected is not None and expected != current:
        raise Conflict(
            stale
            or f"This {what} was changed by someone else since you opened it "
            f"(you had version {expected}, it is now version {current}). "
            "Reload it, then make your change again."
        )
