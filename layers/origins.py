"""Web origins that may embed our maps, written as browsers compare them."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_LOOPBACK_NAMES = frozenset({"localhost"})


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalise_origin(text: str) -> str:
    """Return an origin as `scheme://host[:port]`, lower-case, or raise ValidationError.

    Only https is accepted, except for loopback hosts (a developer's machine). Paths, queries,
    wildcards and credentials are refused: CSP `frame-ancestors` compares origins, and a wider
    source would let any page under a shared host frame our maps.
    """
    candidate = text.strip()
    try:
        parts = urlsplit(candidate)
        port = parts.port
    except ValueError:
        raise ValidationError(_("„%(origin)s“ ist keine Web-Adresse."), params={"origin": candidate}) from None
    host = (parts.hostname or "").lower()
    if not host or "*" in candidate or parts.username or parts.password:
        raise ValidationError(
            _("Bitte eine Adresse wie https://www.beispiel.de angeben, ohne Platzhalter."),
            code="invalid_origin",
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValidationError(
            _("Bitte nur Schema, Rechner und Port angeben, ohne Pfad: https://www.beispiel.de"),
            code="origin_with_path",
        )
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and _is_loopback(host)):
        raise ValidationError(_("Einbettende Seiten müssen https verwenden."), code="origin_not_https")
    host_part = f"[{host}]" if ":" in host else host
    default_port = {"https": 443, "http": 80}[scheme]
    return f"{scheme}://{host_part}" + (f":{port}" if port is not None and port != default_port else "")


def validate_origin(text: str) -> None:
    """Refuse text that is not an origin we accept (a model field validator)."""
    normalise_origin(text)
