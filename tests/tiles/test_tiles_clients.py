"""Our vector tiles as other clients read them: GDAL's MVT driver, over HTTP from a live server."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from typing import Any

import pytest
from django.utils import timezone

from geo.models import Authority
from reports.models import Category, Report, ReportStatus
from tests.reports.conftest import KOELN, stored

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _ogr2ogr() -> None:
    """Fail, not skip, without GDAL's ogr2ogr: `make test` installs it (Debian package gdal-bin)."""
    assert shutil.which("ogr2ogr"), "GDAL's ogr2ogr is missing; `make test` installs the Debian package gdal-bin."


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """Return the x, y of the XYZ tile at zoom z that holds a place."""
    n = 2**z
    x = (lon + 180) / 360 * n
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int(x), int(y)


def ogr2ogr_geojson(source: str) -> dict[str, Any]:
    """Read a vector source with ogr2ogr into GeoJSON in lon/lat, and return it parsed."""
    # The live server is local: no proxy of the environment may come between.
    env = {**os.environ, "NO_PROXY": "*", "no_proxy": "*", "GDAL_HTTP_TIMEOUT": "20", "CPL_VSIL_CURL_CACHE_SIZE": "0"}
    result = subprocess.run(
        ["ogr2ogr", "-f", "GeoJSON", "-t_srs", "EPSG:4326", "/vsistdout/", source],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_gdal_reads_a_report_from_our_tile_over_http(live_server: Any) -> None:
    category = Category.objects.create(authority=Authority.objects.get(key="05"), code="gdal-test", name="GDAL")
    report = Report.objects.create(
        authority=Authority.objects.get(key="05315000"),
        category=category,
        location=stored(*KOELN),
        description="Schlagloch am Neumarkt",
        reporter_name="Erika Mustermann",
        reporter_email="erika@example.org",
        status=ReportStatus.IN_PROGRESS,
        published_at=timezone.now(),
    )
    x, y = tile_of(*KOELN, 14)
    collection = ogr2ogr_geojson(f"MVT:{live_server.url}/tiles/reports/14/{x}/{y}.mvt")
    ours = [
        feature
        for feature in collection["features"]
        if feature["properties"].get("mvt_id") == report.pk or feature.get("id") == report.pk
    ]
    assert len(ours) == 1, collection
    (feature,) = ours
    properties = feature["properties"]
    assert properties["status"] == "in_progress"
    assert properties["category"] == "gdal-test"
    assert not {"description", "reporter_name", "reporter_email"} & set(properties)
    assert feature["geometry"]["type"] == "Point"
    lon, lat = feature["geometry"]["coordinates"]
    # A tile of zoom 14 has 4096 units over about 1.5 km: the place comes back to within a metre or so.
    assert (lon, lat) == pytest.approx(KOELN, abs=2e-5)


def test_gdal_reads_clusters_with_counts_below_the_cluster_zoom(live_server: Any) -> None:
    category = Category.objects.create(authority=Authority.objects.get(key="05"), code="gdal-test", name="GDAL")
    for step in range(3):
        Report.objects.create(
            authority=Authority.objects.get(key="05315000"),
            category=category,
            location=stored(KOELN[0] + step * 0.0002, KOELN[1]),
            description="Schlagloch",
            published_at=timezone.now(),
        )
    x, y = tile_of(*KOELN, 10)
    collection = ogr2ogr_geojson(f"/vsicurl/{live_server.url}/tiles/reports/10/{x}/{y}.mvt")
    counts = [feature["properties"]["count"] for feature in collection["features"]]
    # The three lie within 30 m, one cell of zoom 10; demo reports nearby may join them.
    assert max(counts) >= 3
    for feature in collection["features"]:
        assert set(feature["properties"]) <= {"count", "id", "mvt_id"}
