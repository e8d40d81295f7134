"""The layer registry and its listing at /api/v1/layers/."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from geo.models import Authority
from layers.registry import DATA_LAYERS, EXTERNAL_LAYERS, REGISTRY, DataLayer, ExternalLayer
from procedures.models import Contribution, Procedure
from reports.models import Category, Report

PERSONAL_COLUMNS = ("reporter", "email", "author_", "confirmation_token", "hidden_reason", "contact_")


def test_every_required_layer_is_registered() -> None:
    assert {
        "reports",
        "procedures",
        "contributions",
        "authorities-land",
        "authorities-regierungsbezirke",
        "authorities-kreise",
        "authorities-gemeinden",
        "basemap-de",
        "nrw-dop",
        "nrw-dtk",
    } <= set(REGISTRY)


def test_registry_is_immutable() -> None:
    with pytest.raises(TypeError):
        REGISTRY["x"] = REGISTRY["reports"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        REGISTRY["reports"].minzoom = 3  # type: ignore[misc]


@pytest.mark.parametrize("layer", DATA_LAYERS, ids=lambda layer: layer.key)
def test_no_property_exposes_personal_data(layer: DataLayer) -> None:
    for prop in layer.properties:
        assert not any(word in prop.sql or word in prop.name for word in PERSONAL_COLUMNS), prop
    assert 0 <= layer.minzoom <= layer.maxzoom <= 22


@pytest.mark.django_db
def test_sources_name_the_real_tables() -> None:
    tables = {model._meta.db_table for model in (Report, Category, Authority, Procedure, Contribution)}
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
    assert tables <= existing
    for layer in DATA_LAYERS:
        assert any(layer.source.startswith(table) for table in tables), layer.key


@pytest.mark.parametrize("layer", EXTERNAL_LAYERS, ids=lambda layer: layer.key)
def test_external_urls_come_from_settings(layer: ExternalLayer) -> None:
    assert layer.url() == layer.default_url
    with override_settings(BK_LAYERS={layer.setting: "https://proxy.example/{z}/{x}/{y}"}):
        assert layer.url() == "https://proxy.example/{z}/{x}/{y}"


def test_attributions_of_external_layers() -> None:
    assert REGISTRY["basemap-de"].attribution.text.startswith("© GeoBasis-DE / BKG (")
    assert REGISTRY["basemap-de"].attribution.text.endswith(") CC BY 4.0")
    assert REGISTRY["nrw-dop"].attribution.text == "© Geobasis NRW, dl-de/zero-2-0"


@pytest.mark.django_db
def test_layer_list(api: APIClient) -> None:
    response = api.get("/api/v1/layers/")
    assert response.status_code == 200
    layers = {layer["key"]: layer for layer in response.json()}
    reports = layers["reports"]
    assert reports["kind"] == "data"
    assert reports["title"] == "Mängelmeldungen"
    assert reports["geometry_type"] == "Point"
    assert {"name": "status", "type": "string"} in reports["properties"]
    assert reports["links"]["features"] == "/api/v1/layers/reports/features"
    assert set(reports["attribution"]) == {"text", "url", "licence"}
    dop = layers["nrw-dop"]
    assert dop["kind"] == "external"
    assert dop["attribution"]["text"] == "© Geobasis NRW, dl-de/zero-2-0"
    assert "url" not in dop
    assert dop["maxzoom"] >= dop["minzoom"]


@pytest.mark.django_db
def test_layer_list_rejects_unknown_parameter(api: APIClient) -> None:
    response = api.get("/api/v1/layers/?foo=1")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_parameter"


@pytest.mark.django_db
def test_layers_are_in_the_schema(api: APIClient) -> None:
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/v1/layers/" in schema["paths"]
    assert "/api/v1/layers/{layer}/features" in schema["paths"]
