"""One error hierarchy for the whole portal, and the one place that turns it into HTTP answers.

Domain code raises an `ApplicationError` subclass; `api_exception_handler` renders every
error of the API, ours and Django REST Framework's alike, as JSON of the same shape:
`{"code": ..., "message": ..., "details": {...}}`, the message in the request's language.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """Base of every error the portal answers deliberately."""

    status_code: ClassVar[int] = status.HTTP_400_BAD_REQUEST
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


class BadRequest(ApplicationError):
    """The request is malformed: a parameter is missing, of the wrong type, or unknown."""

    code = "bad_request"
    default_message = _("Die Anfrage ist unvollständig oder fehlerhaft.")


class ValidationFailed(ApplicationError):
    """The request is well-formed but its content cannot be accepted."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = "validation_failed"
    default_message = _("Die Angaben konnten nicht übernommen werden.")


class NotFound(ApplicationError):
    """The resource does not exist, or the user may not know that it does."""

    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    default_message = _("Nicht gefunden.")


class Conflict(ApplicationError):
    """The request conflicts with the current state of the resource."""

    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
    default_message = _("Die Anfrage passt nicht zum aktuellen Stand.")


class Forbidden(ApplicationError):
    """The user may not do this."""

    status_code = status.HTTP_403_FORBIDDEN
    code = "forbidden"
    default_message = _("Dafür fehlt Ihnen die Berechtigung.")


# Django REST Framework's own exceptions, answered in our shape with our wording.
_DRF_ERRORS: dict[type[drf_exceptions.APIException], tuple[str, str | Promise]] = {
    drf_exceptions.NotAuthenticated: ("not_authenticated", _("Bitte melden Sie sich an.")),
    drf_exceptions.AuthenticationFailed: ("authentication_failed", _("Die Anmeldung ist fehlgeschlagen.")),
    drf_exceptions.PermissionDenied: ("forbidden", Forbidden.default_message),
    drf_exceptions.NotFound: ("not_found", NotFound.default_message),
    drf_exceptions.MethodNotAllowed: ("method_not_allowed", _("Diese Methode ist hier nicht erlaubt.")),
    drf_exceptions.NotAcceptable: ("not_acceptable", _("Dieses Antwortformat wird nicht angeboten.")),
    drf_exceptions.UnsupportedMediaType: (
        "unsupported_media_type",
        _("Dieses Format wird nicht angenommen."),
    ),
    drf_exceptions.Throttled: ("throttled", _("Zu viele Anfragen. Bitte versuchen Sie es später erneut.")),
    drf_exceptions.ParseError: ("bad_request", _("Der Inhalt der Anfrage ist kein gültiges JSON.")),
    drf_exceptions.ValidationError: ("validation_failed", ValidationFailed.default_message),
}


def _drf_error_body(exc: drf_exceptions.APIException) -> tuple[int, dict[str, Any]]:
    for cls in type(exc).__mro__:
        if cls in _DRF_ERRORS:
            code, message = _DRF_ERRORS[cls]  # type: ignore[index]
            break
    else:
        code, message = "error", ApplicationError.default_message
    details: dict[str, Any] = {}
    if isinstance(exc, drf_exceptions.ValidationError):
        details = {"fields": exc.detail}
    status_code = exc.status_code
    if isinstance(exc, drf_exceptions.ValidationError):
        # A field-level rejection is about content, not form: 422 as for our own checks.
        status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    return status_code, {"code": code, "message": str(message), "details": details}


def api_exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """Render any exception raised inside an API view as our JSON error shape."""
    headers: dict[str, str] = {}
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    if isinstance(exc, drf_exceptions.APIException):
        if isinstance(exc, drf_exceptions.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(int(exc.wait))
        status_code, body = _drf_error_body(exc)
        return Response(body, status=status_code, headers=headers)
    # Anything else is a bug: let Django log it and answer 500.
    return None

