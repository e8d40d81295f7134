"""Complete the OpenAPI schema with the error answers that every operation of a kind can give.

Some answers do not come from a view's own code but from what all views share: parse_query
refuses unknown parameters (400), parse_body refuses content that does not fit (422), and the
request body can be unreadable (400), too large (413) or of a type the view does not take (415);
DRF answers an unknown `?format=` with 404. Listing these once here keeps every operation's
documented statuses true without repeating them on each view; schemathesis holds us to it
(tests/security/test_api_fuzz.py).
"""

from __future__ import annotations

from typing import Any, Final

from django.utils.translation import gettext as _

ERROR_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}},
    "required": ["code", "message", "details"],
}
_METHODS: Final = frozenset({"get", "put", "post", "patch", "delete", "head", "options"})


def _common_errors(operation: dict[str, Any]) -> dict[str, str]:
    """Return the statuses this operation can answer whatever its view does, with their descriptions."""
    errors = {"400": _("Ungültige oder unbekannte Parameter.")}
    if "requestBody" in operation:
        errors["400"] = _("Ungültige Parameter oder ein Inhalt, der sich nicht lesen lässt.")
        errors["413"] = _("Der Inhalt der Anfrage ist zu groß.")
        errors["415"] = _("Dieses Format wird nicht angenommen.")
        errors["422"] = _("Die Angaben konnten nicht übernommen werden.")
    parameters = operation.get("parameters", [])
    if any(parameter.get("in") == "query" and parameter.get("name") == "format" for parameter in parameters):
        errors["404"] = _("Das Antwortformat aus dem Parameter format gibt es hier nicht.")
    return errors


def document_common_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Add the shared error answers to every operation that does not document them yet."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in _METHODS or not isinstance(operation, dict):
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            # Errors come in the representation the operation answers in (GeoJSON views answer errors as such).
            media_types = sorted({media for answer in responses.values() for media in answer.get("content", {})})
            content = {media: {"schema": ERROR_SCHEMA} for media in media_types or ["application/json"]}
            for status, description in _common_errors(operation).items():
                responses.setdefault(status, {"description": description, "content": content})
    return result
