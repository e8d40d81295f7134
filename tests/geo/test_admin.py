"""The authority admin: a map widget on our own assets, with no external tile server."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_de(client: Client) -> Client:
    admin = User.objects.create_superuser("admin", "admin@example.org", "ein-langes-passwort")
    client.force_login(admin)
    return client


def test_change_page_has_the_local_map_widget(admin_client_de: Client) -> None:
    from geo.models import Authority

    koeln = Authority.objects.get(key="05315000")
    response = admin_client_de.get(f"/admin/geo/authority/{koeln.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/ol/ol.js" in html
    assert "/static/vendor/ol/ol.css" in html
    # The map starts from our static file, with its options as JSON (no inline script: CSP).
    assert "/static/geo/boundary-map-widget.js" in html
    assert '<script id="id_boundary_options" type="application/json">' in html
    assert '"base_layer_url": "/api/v1/authorities/?kind=kreis,kreisfreie_stadt"' in html
    assert "GeoBasis-DE / BKG" in html
    external = re.findall(r"""(?:src|href|url)\s*[:=]\s*["']https?://(?!www\.bkg\.bund\.de)[^"']+""", html)
    assert external == []
    for banned in ("cdn.jsdelivr", "openstreetmap", "earthdata.nasa.gov", "ol.source.OSM"):
        assert banned not in html


def test_list_and_search(admin_client_de: Client) -> None:
    response = admin_client_de.get("/admin/geo/authority/", {"q": "Moers"})
    assert response.status_code == 200
    assert "05170024" in response.content.decode()


def test_admin_requires_staff(client: Client) -> None:
    response = client.get("/admin/geo/authority/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
