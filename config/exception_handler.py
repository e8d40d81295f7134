"""The one place that turns errors into API answers.

Every error of the API, ours (`ApplicationError`) and Django REST Framework's alike, is
answered as JSON of one shape, `{"code": ..., "message": ..., "details": {...}}`, with the
message in the request's language (German by default, English on Accept-Language: en).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response

from config.errors import (
    ApplicationError,
    BadRequest,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    TooDeeplyNested,
    ValidationFailed,
)

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


# A form that cannot be read is not a JSON problem; DRF raises the same ParseError for both.
_FORM_UNREADABLE = _("Das Formular konnte nicht gelesen werden. Bitte senden Sie es erneut.")


# Django's limits on the request body, raised while DRF reads it.
def _payload_too_large() -> PayloadTooLarge:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    mib = round(limit / 2**20, 1)
    return PayloadTooLarge(limit=number_format(int(mib) if mib.is_integer() else mib), details={"max_bytes": limit})


_BODY_LIMIT_ERRORS: dict[type[Exception], Callable[[], ApplicationError]] = {
    RequestDataTooBig: _payload_too_large,
    TooManyFieldsSent: lambda: BadRequest(_("Die Anfrage enthält zu viele Formularfelder.")),
    TooManyFilesSent: lambda: BadRequest(_("Die Anfrage enthält zu viele Dateien.")),
}
# Where a RecursionError means a too deeply nested body rather than a bug of ours: the JSON decoder.
_PARSER_FILES = ("json/decoder.py", "json/__init__.py", "rest_framework/parsers.py")


def _raised_while_parsing(exc: BaseException) -> bool:
    """Tell whether the exception came out of decoding the request body."""
    return any(
        Path(frame.f_code.co_filename).as_posix().endswith(_PARSER_FILES)
        for frame, _line in traceback.walk_tb(exc.__traceback__)
    )


def _drf_error_body(exc: drf_exceptions.APIException, context: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
    content_type = str(getattr(context.get("request"), "content_type", ""))
    if isinstance(exc, drf_exceptions.ParseError) and content_type.startswith("multipart/"):
        return exc.status_code, {"code": "bad_request", "message": str(_FORM_UNREADABLE), "details": {}}
    for cls in type(exc).__mro__:
        if cls in _DRF_ERRORS:
            code, message = _DRF_ERRORS[cls]
            break
    else:
        code, message = "error", ApplicationError.default_message
    if isinstance(exc, drf_exceptions.ValidationError):
        # A field-level rejection is about content, not form: 422 as for our own checks.
        return status.HTTP_422_UNPROCESSABLE_ENTITY, {
            "code": code,
            "message": str(message),
            "details": {"fields": exc.detail},
        }
    return exc.status_code, {"code": code, "message": str(message), "details": {}}


def api_exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """Render any exception raised inside an API view as our JSON error shape."""
    headers: dict[str, str] = {}
    for limit_error, answer in _BODY_LIMIT_ERRORS.items():
        if isinstance(exc, limit_error):
            exc = answer()
    if isinstance(exc, RecursionError) and _raised_while_parsing(exc):
        # Python's JSON decoder recurses once per bracket; a body of ten thousand "[" is no bug of ours.
        exc = TooDeeplyNested()
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status_code, headers=exc.headers)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    if isinstance(exc, drf_exceptions.APIException):
        wait = getattr(exc, "wait", None)
        if isinstance(exc, drf_exceptions.Throttled) and wait is not None:
            headers["Retry-After"] = str(int(wait))
        status_code, body = _drf_error_body(exc, context)
        return Response(body, status=status_code, headers=headers)
    # Anything else is a bug: let Django log it and answer 500.
    return None
