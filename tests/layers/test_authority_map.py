"""The authority map page: German and English, our own assets only, usable without the map."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# A page may link to other sites (the BKG attribution must), but load nothing from them.
EXTERNAL_LOAD = re.compile(r"""(?:src|href)\s*=\s*["']https?://(?!www\.bkg\.bund\.de)""", re.IGNORECASE)
EXTERNAL_IN_SCRIPT = re.compile(r"""["'](?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/""", re.IGNORECASE)


def test_german_page_with_map_form_and_attribution(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Wer ist zuständig?" in html
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "© GeoBasis-DE / BKG (2021) (Daten verändert)" in html
    assert 'href="https://www.bkg.bund.de"' in html
    assert "/api/v1/authorities/?kind=kreis,kreisfreie_stadt" in html
    assert "/api/v1/locate" in html


def test_english_page(client: Client) -> None:
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Who is responsible?" in html


def test_page_loads_nothing_from_third_parties(client: Client) -> None:
    html = client.get("/").content.decode()
    assert not EXTERNAL_LOAD.findall(html)
    scripts = "".join(re.findall(r"<script(?: nonce=\"[^\"]+\")?>(.*?)</script>", html, re.DOTALL))
    assert "L.map(" in scripts
    assert not [u for u in EXTERNAL_IN_SCRIPT.findall(scripts) if "bkg.bund.de" not in u]
    assert "tile.openstreetmap" not in html
    assert "user-scalable=no" not in html  # zooming stays possible (WCAG 1.4.4)


def test_form_path_without_the_map(client: Client) -> None:
    html = client.get("/", {"lon": "6.9583", "lat": "50.9413"}).content.decode()
    assert "Köln" in html
    assert "05315000" in html
    assert "Regierungsbezirk" in html


def test_form_path_explains_errors(client: Client) -> None:
    swapped = client.get("/", {"lon": "50.9413", "lat": "6.9583"}).content.decode()
    assert "vertauscht" in swapped
    assert 'role="alert"' in swapped
    missing = client.get("/", {"lon": "abc", "lat": ""}).content.decode()
    assert "Zahl" in missing


def test_vendor_assets_are_served_by_us(client: Client) -> None:
    for path in ("/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css", "/static/vendor/ol/ol.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert client.get("/static/vendor/leaflet/leaflet-src.esm.js").status_code == 404
