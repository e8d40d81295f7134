"""The OpenAPI schema, the docs, the JSON error shape and the project's own checks."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.test import Client, override_settings
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_the_geo_endpoints(api: APIClient) -> None:
    response = api.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/locate", "/api/v1/authorities/", "/api/v1/authorities/{key}/"} <= set(schema["paths"])
    locate = schema["paths"]["/api/v1/locate"]["get"]
    assert {p["name"] for p in locate["parameters"]} == {"lon", "lat", "x", "y", "crs"}
    assert {"200", "400", "422"} <= set(locate["responses"])
    authorities = schema["paths"]["/api/v1/authorities/"]["get"]
    assert "bbox-crs" in {p["name"] for p in authorities["parameters"]}


def test_schema_is_valid_openapi(api: APIClient) -> None:
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "openapi" in out.getvalue()


def test_interactive_docs_use_our_own_assets(client: Client) -> None:
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr" not in html
    assert client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200


def test_unknown_api_path_answers_json(client: Client) -> None:
    response = client.get("/api/v1/gibt-es-nicht")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Nicht gefunden.", "details": {}}


def test_malformed_json_body_answers_400_in_our_shape(api: APIClient) -> None:
    response = api.post("/api/v1/locate", data="{nicht json", content_type="application/json")
    assert response.status_code in (400, 405)
    assert set(response.json()) == {"code", "message", "details"}


def test_system_checks_pass() -> None:
    call_command("check", "--fail-level", "WARNING")


def test_missing_nrw_boundary_file_fails_the_checks(tmp_path: Path) -> None:
    from django.conf import settings
    from django.core.management.base import SystemCheckError

    geo = {**settings.BK_GEO, "NRW_BOUNDARY_FILE": tmp_path / "fehlt.geojson"}
    with override_settings(BK_GEO=geo), pytest.raises(SystemCheckError, match=r"bk\.E003"):
        call_command("check")


def test_missing_npm_asset_fails_the_checks(tmp_path: Path) -> None:
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finder
    from django.core.management.base import SystemCheckError

    files = {**settings.VENDOR_FILES, "vendor/leaflet/leaflet.js": tmp_path / "leaflet.js"}
    # Finders are built once per process (functools.cache); this one must see the override.
    get_finder.cache_clear()  # type: ignore[attr-defined]
    try:
        with override_settings(VENDOR_FILES=files), pytest.raises(SystemCheckError, match=r"bk\.E020"):
            call_command("check")
    finally:
        get_finder.cache_clear()  # type: ignore[attr-defined]


def test_no_missing_migrations() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/ogc/collections/gibt-es-nicht", "/open311/v2/services/gibt-es-nicht.json", "/api/v1/procedures/gibt-es-nicht/"],
)
def test_machine_interfaces_answer_in_the_language_the_client_asks_for(client: Client, path: str) -> None:
    german = client.get(path, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    english = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert german != english
    assert "gibt es nicht" in german
    assert "does not exist" in english or "not found" in english.lower()
