"""Web origins that may embed our maps, written as browsers compare them."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_LOOPBACK_NAMES = frozenset({"localhost"})
# Host names as DNS writes them (after IDNA): labels of letters, digits and hyphens. Anything else
# (a space, a quote, a semicolon) would add sources or directives to a CSP header.
_HOST_NAME = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
)


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host(text: str) -> str:
    """Return a host as browsers compare it (IDNA, IPv6 in brackets), or raise ValidationError."""
    try:
        return f"[{ipaddress.IPv6Address(text)}]"
    except ValueError:
        pass
    try:
        host = text.encode("idna").decode("ascii")
    except UnicodeError:
        host = ""
    if not _HOST_NAME.match(host):
        raise ValidationError(
            _("„%(host)s“ ist kein gültiger Rechnername: erlaubt sind Buchstaben, Ziffern, Punkte und Bindestriche."),
            code="origin_host_invalid",
            params={"host": text},
        )
    return host


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
    if not host or "*" in candidate or "@" in candidate or parts.username or parts.password:
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
    if port == 0:
        raise ValidationError(_("Der Port 0 ist nicht möglich."), code="origin_port_invalid")
    default_port = {"https": 443, "http": 80}[scheme]
    return f"{scheme}://{_host(host)}" + (f":{port}" if port is not None and port != default_port else "")


def validate_origin(text: str) -> None:
    """Refuse text that is not an origin we accept (a model field validator)."""
    normalise_origin(text)
