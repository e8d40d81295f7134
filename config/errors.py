"""One error hierarchy for the whole portal.

Domain code raises an `ApplicationError` subclass carrying its HTTP status and a message a
citizen understands; `config.exception_handler` is the one place that turns errors into
answers. This module imports nothing of the ORM or DRF, so the pure geometry core can use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """Base of every error the portal answers deliberately."""

    status_code: ClassVar[int] = HTTPStatus.BAD_REQUEST
    code: ClassVar[str] = "error"
    default_message: ClassVar[str | Promise] = _("Die Anfrage konnte nicht bearbeitet werden.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        details: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> None:
        self._message = message if message is not None else self.default_message
        self.params = params
        self.details: dict[str, Any] = dict(details or {})
        super().__init__(str(self._message))

    @property
    def message(self) -> str:
        """Return the message in the active language, with its parameters filled in."""
        text = str(self._message)
        return text % self.params if self.params else text

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON body the API answers with."""
        return {"code": self.code, "message": self.message, "details": self.details}

    @property
    def headers(self) -> dict[str, str]:
        """Return the HTTP headers the answer carries besides its body."""
        return {}


class BadRequest(ApplicationError):
    """The request is malformed: a parameter is missing, of the wrong type, or unknown."""

    code = "bad_request"
    default_message = _("Die Anfrage ist unvollständig oder fehlerhaft.")


class ValidationFailed(ApplicationError):
    """The request is well-formed but its content cannot be accepted."""

    status_code = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "validation_failed"
    default_message = _("Die Angaben konnten nicht übernommen werden.")


class NotFound(ApplicationError):
    """The resource does not exist, or the user may not know that it does."""

    status_code = HTTPStatus.NOT_FOUND
    code = "not_found"
    default_message = _("Nicht gefunden.")


class Conflict(ApplicationError):
    """The request conflicts with the current state of the resource."""

    status_code = HTTPStatus.CONFLICT
    code = "conflict"
    default_message = _("Die Anfrage passt nicht zum aktuellen Stand.")


class Forbidden(ApplicationError):
    """The user may not do this."""

    status_code = HTTPStatus.FORBIDDEN
    code = "forbidden"
    default_message = _("Dafür fehlt Ihnen die Berechtigung.")


class TooManyRequests(ApplicationError):
    """The client did this too often in a short time and must wait."""

    status_code = HTTPStatus.TOO_MANY_REQUESTS
    code = "throttled"
    default_message = _(
        "Sie haben das in kurzer Zeit zu oft versucht. Bitte warten Sie etwas und versuchen Sie es dann erneut."
    )

    def __init__(self, message: str | Promise | None = None, *, retry_after: int, **params: Any) -> None:
        super().__init__(message, details={"retry_after": retry_after}, **params)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        """Return Retry-After: the seconds until the client may try again."""
        return {"Retry-After": str(self.retry_after)}


class PayloadTooLarge(ApplicationError):
    """The request body is larger than the server accepts."""

    status_code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    code = "payload_too_large"
    default_message = _("Die Anfrage ist zu groß. Erlaubt sind höchstens %(limit)s MB.")


class TooDeeplyNested(BadRequest):
    """The request body nests its arrays or objects deeper than it can be read."""

    code = "too_deeply_nested"
    default_message = _("Der Inhalt der Anfrage ist zu tief verschachtelt.")
