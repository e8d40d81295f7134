"""Helpers every API view shares: strict query parameters and GeoJSON responses."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.request import Request

from config.errors import BadRequest, ValidationFailed


class UnknownParameter(BadRequest):
    """A query parameter the endpoint does not know, most often a typo such as `lng`."""

    code = "unknown_parameter"
    default_message = _("Unbekannter Parameter: %(names)s. Erlaubt sind: %(allowed)s.")


def reject_unknown_params(request: Request, allowed: Collection[str]) -> None:
    """Raise UnknownParameter for any query parameter not in `allowed`."""
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        raise UnknownParameter(
            names=", ".join(name[:40] for name in unknown[:5]),
            allowed=", ".join(sorted(allowed)),
            details={"unknown": unknown[:20], "allowed": sorted(allowed)},
        )


def parse_query(
    serializer_class: type[serializers.Serializer[Any]], request: Request, *, renames: dict[str, str] | None = None
) -> dict[str, Any]:
    """Validate the query string with a serializer; a wrong value answers 400, naming the parameter."""
    names: dict[str, str] = {str(name): (renames or {}).get(str(name), str(name)) for name in serializer_class().fields}
    reject_unknown_params(request, set(names.values()))
    data: dict[str, Any] = {}
    for field_name, field in serializer_class().fields.items():
        param = names[str(field_name)]
        if param not in request.query_params:
            continue
        data[field_name] = (
            request.query_params.getlist(param)
            if isinstance(field, serializers.ListField)
            else request.query_params.get(param)
        )
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise BadRequest(
            _("Ungültige Parameter: %(names)s."),
            names=", ".join(names[name] for name in serializer.errors),
            details={"fields": {names[name]: errors for name, errors in serializer.errors.items()}},
        )
    return dict(serializer.validated_data)


def parse_body(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    """Validate a request body with a serializer; content that does not fit answers 422, field by field."""
    serializer = serializer_class(data=request.data)
    if not serializer.is_valid():
        raise ValidationFailed(details={"fields": serializer.errors})
    return dict(serializer.validated_data)
