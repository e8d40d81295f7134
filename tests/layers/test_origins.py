"""normalise_origin: origins written as browsers compare them; https only, except on a developer's own machine."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from layers.origins import normalise_origin, validate_origin


@pytest.mark.parametrize(
    ("text", "origin"),
    [
        ("https://www.stadt-koeln.de", "https://www.stadt-koeln.de"),
        ("HTTPS://WWW.Stadt-Koeln.de/", "https://www.stadt-koeln.de"),
        ("  https://www.duisburg.de  ", "https://www.duisburg.de"),
        # Default ports are dropped, others kept: browsers compare the origin without them.
        ("https://www.beispiel.de:443", "https://www.beispiel.de"),
        ("https://www.beispiel.de:443/", "https://www.beispiel.de"),
        ("https://www.beispiel.de:8443", "https://www.beispiel.de:8443"),
        ("http://localhost:80", "http://localhost"),
        # Loopback hosts may use http: a developer tries an embed on their own machine.
        ("http://localhost:8080", "http://localhost:8080"),
        ("HTTP://LOCALHOST:8080/", "http://localhost:8080"),
        ("http://karte.localhost:3000", "http://karte.localhost:3000"),
        # Umlauts in domain names are written as browsers send them (IDNA).
        ("https://www.münster.de", "https://www.xn--mnster-3ya.de"),
        ("http://127.0.0.1", "http://127.0.0.1"),
        ("http://127.0.0.2:9000", "http://127.0.0.2:9000"),
        # IPv6 hosts keep their brackets, lower-cased.
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("https://[2001:DB8::1]", "https://[2001:db8::1]"),
        ("https://[2001:db8::1]:443", "https://[2001:db8::1]"),
        # Internationalised domains in their ASCII form, as browsers send them.
        ("https://xn--kln-sna.de", "https://xn--kln-sna.de"),
    ],
)
def test_accepted_origins_are_normalised(text: str, origin: str) -> None:
    assert normalise_origin(text) == origin
    validate_origin(text)  # the model field's validator accepts it too


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # https only, except for loopback hosts.
        ("http://www.stadt-koeln.de", "origin_not_https"),
        ("http://10.0.0.1", "origin_not_https"),
        ("http://[::2]", "origin_not_https"),
        ("http://localhost.example.org", "origin_not_https"),
        ("ftp://www.beispiel.de", "origin_not_https"),
        # A host that would smuggle sources or directives into the CSP header.
        ("https://www.beispiel.de 'self'", "origin_host_invalid"),
        ("https://www.beispiel.de;script-src", "origin_host_invalid"),
        ("https://www.beispiel.de.", "origin_host_invalid"),
        ("https://www.beispiel.de:0", "origin_port_invalid"),
        # No paths, queries or fragments: frame-ancestors compares origins.
        ("https://www.stadt-koeln.de/buergerbeteiligung", "origin_with_path"),
        ("https://www.beispiel.de?embed=1", "origin_with_path"),
        ("https://www.beispiel.de#karte", "origin_with_path"),
        ("https://www.beispiel.de,https://www.anderes.de", "origin_with_path"),
        # No wildcards, no credentials, no missing scheme or host.
        ("https://*.stadt-koeln.de", "invalid_origin"),
        ("*", "invalid_origin"),
        ("https://nutzer:geheim@www.beispiel.de", "invalid_origin"),
        ("https://nutzer@www.beispiel.de", "invalid_origin"),
        ("www.stadt-koeln.de", "invalid_origin"),
        ("javascript:alert(1)", "invalid_origin"),
        ("", "invalid_origin"),
    ],
)
def test_refused_origins_say_why(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as raised:
        normalise_origin(text)
    assert raised.value.code == code
    with pytest.raises(ValidationError):
        validate_origin(text)


def test_messages_are_german() -> None:
    with pytest.raises(ValidationError, match="müssen https verwenden"):
        normalise_origin("http://www.stadt-koeln.de")
    with pytest.raises(ValidationError, match="ohne Pfad"):
        normalise_origin("https://www.stadt-koeln.de/karte")
    with pytest.raises(ValidationError, match="ohne Platzhalter"):
        normalise_origin("https://*.stadt-koeln.de")


def test_a_port_out_of_range_is_no_address() -> None:
    with pytest.raises(ValidationError, match="ist keine Web-Adresse"):
        normalise_origin("https://www.beispiel.de:99999")
