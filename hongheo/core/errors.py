"""Typed domain errors. Raised by services and selectors; mapped to HTTP and messages in one place
(``hongheo.web.errors`` and ``hongheo.api.v1.errors``). Messages are translatable, Vietnamese first."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of all domain errors: a message for people and an optional machine code."""

    code = "error"
    http_status = 400

    def __init__(self, message: Any, *, code: str | None = None, details: dict | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class ValidationError(DomainError):
    code = "invalid"
    http_status = 422


class NotFound(DomainError):
    """Not found — and also 'not yours': the two must look identical to the caller."""

    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    """The user may see the object but not do this to it."""

    code = "forbidden"
    http_status = 403


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class BadInput(ValidationError):
    """A request parameter out of range or malformed (400, with a message)."""

    code = "bad_input"
    http_status = 400
