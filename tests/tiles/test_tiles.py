"""Vector tiles at /tiles/{layer}/{z}/{x}/{y}.mvt and their TileJSON, decoded from real PostGIS answers."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import mapbox_vector_tile
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from geo.models import Authority
from procedures.models import Procedure
from reports.models import Category, Report
from tests.procedures.conftest import KOELN_NEUMARKT
from tests.reports.conftest import DORTMUND, KOELN, stored
from tiles.selectors import layer_version

pytestmark = pytest.mark.django_db

# What a map draws and filters by; texts and times come from the GeoJSON and OGC answers.
PUBLIC = {"status", "category"}


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, float, float]:
    """Return the tile x, y of a place at zoom z and the place's position inside it (0..1, y down)."""
    n = 2**z
    fx = (lon + 180) / 360 * n
    fy = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int(fx), int(fy), fx - int(fx), fy - int(fy)


def fetch(api: APIClient, layer: str, z: int, x: int, y: int, **headers: Any) -> Any:
    return api.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt", **headers)


def decode(response: Any) -> list[dict[str, Any]]:
    """Decode a 200 tile answer; return its features of its only layer (none for an empty tile)."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    layers = mapbox_vector_tile.decode(response.content, default_options={"y_coord_down": True})
    assert len(layers) <= 1
    return [feature for layer in layers.values() for feature in layer["features"]]


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_report() -> Callable[..., Report]:
    """Return a factory of public reports stored directly in category `tile-test`."""
    category = Category.objects.create(authority=Authority.objects.get(key="05"), code="tile-test", name="Kacheln")

    def make(lonlat: tuple[float, float] = KOELN, **overrides: Any) -> Report:
        values: dict[str, Any] = {
            "authority": Authority.objects.get(key="05315000"),
            "category": category,
            "location": stored(*lonlat),
            "description": "Schlagloch",
            "reporter_name": "Erika Mustermann",
            "reporter_email": "erika@example.org",
            "published_at": timezone.now(),
        }
        values.update(overrides)
        return Report.objects.create(**values)

    return make


def test_report_in_its_z14_tile_at_its_place_with_public_properties_only(
    api: APIClient, make_report: Callable[..., Report]
) -> None:
    report = make_report()
    x, y, fx, fy = tile_of(*KOELN, 14)
    response = fetch(api, "reports", 14, x, y)
    layers = mapbox_vector_tile.decode(response.content, default_options={"y_coord_down": True})
    assert list(layers) == ["reports"]
    (feature,) = [f for f in decode(response) if f["id"] == report.pk]
    assert set(feature["properties"]) == PUBLIC
    assert feature["properties"]["status"] == "submitted"
    assert feature["properties"]["category"] == "tile-test"
    text = response.content.decode("utf-8", "replace")
    assert "Erika" not in text
    assert "Schlagloch" not in text
    assert feature["geometry"]["type"] == "Point"
    px, py = feature["geometry"]["coordinates"]
    assert px == pytest.approx(fx * 4096, abs=2)
    assert py == pytest.approx(fy * 4096, abs=2)
    # The neighbour away from the place's nearer edge, where not even the buffer reaches.
    neighbour = x + 1 if fx < 0.5 else x - 1
    assert report.pk not in {f["id"] for f in decode(fetch(api, "reports", 14, neighbour, y))}


def test_hidden_and_unconfirmed_reports_are_absent(api: APIClient, make_report: Callable[..., Report]) -> None:
    shown = make_report()
    hidden = make_report(hidden_at=timezone.now())
    unconfirmed = make_report(published_at=None)
    x, y, _fx, _fy = tile_of(*KOELN, 16)
    ids = {f["id"] for f in decode(fetch(api, "reports", 16, x, y))}
    assert shown.pk in ids
    assert hidden.pk not in ids
    assert unconfirmed.pk not in ids


def test_every_zoom_answers_for_koeln(api: APIClient, make_report: Callable[..., Report]) -> None:
    report = make_report()
    for z in range(23):
        x, y, _fx, _fy = tile_of(*KOELN, z)
        found = decode(fetch(api, "reports", z, x, y))
        if z >= 13:
            assert report.pk in {f["id"] for f in found}, z
        else:
            assert sum(f["properties"]["count"] for f in found) >= 1, z
        assert decode(fetch(api, "authorities-land", z, x, y)), z


@pytest.mark.parametrize(
    ("z", "x", "y"),
    [(0, 0, 0), (1, 0, 0), (2, 0, 1), (2, 3, 3), (3, 0, 7), (5, 31, 0), (12, 0, 0), (22, 0, 0), (22, 4194303, 4194303)],
)
def test_tiles_outside_the_utm_domain_answer(api: APIClient, z: int, x: int, y: int) -> None:
    for layer in ("reports", "procedures", "contributions", "authorities-land", "authorities-gemeinden"):
        decode(fetch(api, layer, z, x, y))


def test_pacific_tile_is_empty_and_z0_holds_nrw(api: APIClient, make_report: Callable[..., Report]) -> None:
    make_report()
    response = fetch(api, "reports", 2, 0, 1)
    assert response.content == b""
    assert decode(response) == []
    assert decode(fetch(api, "authorities-land", 0, 0, 0))[0]["geometry"]["type"] in {"Polygon", "MultiPolygon"}


def test_clusters_count_every_public_point_once(api: APIClient, make_report: Callable[..., Report]) -> None:
    for step in range(12):
        make_report((KOELN[0] + step * 0.0005, KOELN[1]))
    make_report(DORTMUND)
    make_report(hidden_at=timezone.now())
    public = Report.objects.filter(published_at__isnull=False, hidden_at__isnull=True).count()
    # NRW lies in these z5 tiles; points on a tile edge must count in exactly one of them.
    total = 0
    for x in (15, 16, 17):
        for y in (9, 10, 11):
            for feature in decode(fetch(api, "reports", 5, x, y)):
                assert set(feature["properties"]) <= {"count", "id"}
                total += feature["properties"]["count"]
    assert total == public
    x, y, _fx, _fy = tile_of(*KOELN, 12)
    found = decode(fetch(api, "reports", 12, x, y))
    # The twelve lie within 400 m: at z12 (cells of about 380 m) they fall into one or two clusters.
    assert sum(f["properties"]["count"] for f in found) >= 12
    assert max(f["properties"]["count"] for f in found) >= 6
    singles = [f for f in found if f["properties"]["count"] == 1]
    assert all(isinstance(f["properties"]["id"], int) for f in singles)


def test_cluster_zoom_is_configurable(api: APIClient, make_report: Callable[..., Report]) -> None:
    report = make_report()
    x, y, _fx, _fy = tile_of(*KOELN, 12)
    with override_settings(BK_TILES={"CLUSTER_BELOW_ZOOM": 10}):
        assert report.pk in {f["id"] for f in decode(fetch(api, "reports", 12, x, y))}


def test_feature_budget(api: APIClient, make_report: Callable[..., Report]) -> None:
    for step in range(10):
        make_report((KOELN[0] + step * 0.0001, KOELN[1]))
    x, y, _fx, _fy = tile_of(*KOELN, 15)
    assert len(decode(fetch(api, "reports", 15, x, y))) >= 10
    cache.clear()
    with override_settings(BK_TILES={"MAX_FEATURES": 3}):
        assert len(decode(fetch(api, "reports", 15, x, y))) == 3


def test_byte_budget_degrades_points_to_clusters_and_polygons_to_fewer(
    api: APIClient, make_report: Callable[..., Report]
) -> None:
    for step in range(20):
        make_report((KOELN[0] + step * 0.00001, KOELN[1]))
    x, y, _fx, _fy = tile_of(*KOELN, 15)
    assert len(fetch(api, "reports", 15, x, y).content) > 200
    cache.clear()
    with override_settings(BK_TILES={"MAX_BYTES": 200}):
        response = fetch(api, "reports", 15, x, y)
        assert len(response.content) <= 200
        assert any(f["properties"].get("count", 0) >= 20 for f in decode(response))
    with override_settings(BK_TILES={"MAX_BYTES": 2000}):
        gx, gy, _fx, _fy = tile_of(*KOELN, 8)
        polygons = fetch(api, "authorities-gemeinden", 8, gx, gy)
        assert 0 < len(polygons.content) <= 2000
        assert decode(polygons)


def test_cache_etag_and_invalidation_by_write(api: APIClient, make_report: Callable[..., Report]) -> None:
    report = make_report()
    x, y, _fx, _fy = tile_of(*KOELN, 15)
    first = fetch(api, "reports", 15, x, y)
    assert first["Cache-Control"] == "public, max-age=60, must-revalidate"
    assert first["ETag"].startswith('"')
    with CaptureQueriesContext(connection) as queries:
        second = fetch(api, "reports", 15, x, y)
    assert len(queries) == 1
    assert "tiles_layerversion" in queries[0]["sql"]
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    with CaptureQueriesContext(connection) as queries:
        not_modified = fetch(api, "reports", 15, x, y, HTTP_IF_NONE_MATCH=f"W/{first['ETag']}")
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert len(queries) == 1
    before = layer_version("reports")
    Report.objects.filter(pk=report.pk).update(status="in_progress")
    assert layer_version("reports") > before
    changed = fetch(api, "reports", 15, x, y, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    (feature,) = [f for f in decode(changed) if f["id"] == report.pk]
    assert feature["properties"]["status"] == "in_progress"


def test_every_source_table_bumps_its_layers(make_report: Callable[..., Report]) -> None:
    versions = {key: layer_version(key) for key in ("reports", "procedures", "contributions", "authorities-land")}
    Category.objects.filter(code="tile-test").update(name="Neu")
    assert layer_version("reports") > versions["reports"]
    assert layer_version("procedures") == versions["procedures"]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE procedures_procedure SET title = title WHERE false")
    assert layer_version("procedures") > versions["procedures"]
    assert layer_version("contributions") > versions["contributions"]
    assert layer_version("authorities-land") == versions["authorities-land"]
    Authority.objects.filter(key="05").update(name="Nordrhein-Westfalen")
    assert layer_version("authorities-land") > versions["authorities-land"]


def test_polygon_layers_decode_as_polygons(
    api: APIClient, make_procedure: Callable[..., Procedure], make_contribution: Callable[..., Any]
) -> None:
    procedure = make_procedure()
    contribution = make_contribution(procedure, geometry=stored(*KOELN_NEUMARKT))
    x, y, _fx, _fy = tile_of(*KOELN_NEUMARKT, 14)
    (found,) = [f for f in decode(fetch(api, "procedures", 14, x, y)) if f["id"] == procedure.pk]
    assert found["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert found["properties"]["slug"] == procedure.slug
    assert {f["id"] for f in decode(fetch(api, "contributions", 14, x, y))} >= {contribution.pk}
    for layer in ("authorities-kreise", "authorities-gemeinden", "authorities-regierungsbezirke"):
        found_layer = decode(fetch(api, layer, 10, *tile_of(*KOELN, 10)[:2]))
        assert found_layer, layer
        assert {f["geometry"]["type"] for f in found_layer} <= {"Polygon", "MultiPolygon"}
        assert all(set(f["properties"]) == {"key", "regional_key", "name", "designation", "kind"} for f in found_layer)


def test_tilejson(api: APIClient) -> None:
    response = api.get("/tiles/reports.json")
    assert response.status_code == 200
    body = response.json()
    assert body["tilejson"] == "3.0.0"
    assert body["tiles"] == ["http://testserver/tiles/reports/{z}/{x}/{y}.mvt"]
    assert body["minzoom"] == 0
    assert body["maxzoom"] == 22
    assert body["bounds"] == [5.86, 50.32, 9.46, 52.53]
    assert len(body["center"]) == 3
    assert "<a href=" in body["attribution"]
    (vector_layer,) = body["vector_layers"]
    assert vector_layer["id"] == "reports"
    assert vector_layer["minzoom"] == 10
    assert vector_layer["maxzoom"] == 22
    assert set(vector_layer["fields"]) == PUBLIC | {"count", "id"}
    assert vector_layer["fields"]["status"] == "String"
    gemeinden = api.get("/tiles/authorities-gemeinden.json").json()
    assert set(gemeinden["vector_layers"][0]["fields"]) == {"key", "regional_key", "name", "designation", "kind"}


@pytest.mark.parametrize(
    "address",
    [
        "/tiles/nope/0/0/0.mvt",
        "/tiles/nrw-dop/0/0/0.mvt",
        "/tiles/reports/23/0/0.mvt",
        "/tiles/reports/2/4/0.mvt",
        "/tiles/reports/2/0/4.mvt",
        "/tiles/nope.json",
        "/tiles/basemap-de.json",
    ],
)
def test_unknown_layers_and_tiles_outside_the_grid_are_404(api: APIClient, address: str) -> None:
    response = api.get(address)
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "details"}
