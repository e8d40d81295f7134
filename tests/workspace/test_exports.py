"""Exports of exactly what the filters show, read back by GDAL; personal data only when allowed, and logged."""

from __future__ import annotations

import datetime
import json
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyogrio.raw  # type: ignore[import-untyped]
import pytest
import shapely
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry
from rest_framework.test import APIClient

from procedures.models import Contribution, Procedure
from reports.models import Report
from tests.workspace.conftest import KOELN_KEY, PERIOD, PERIOD_QUERY, at, lonlat_of
from workspace import services
from workspace.exports import COLUMNS, ExportFile, data_dictionary
from workspace.models import PersonalDataExport
from workspace.scope import Workspace, workspace_for_authority

pytestmark = pytest.mark.django_db

PUBLIC_COLUMNS = [column.name for column in COLUMNS if not column.personal]
PERSONAL_COLUMNS = ["name", "email", "konto_email"]


@pytest.fixture
def feedback(make_report: Callable[..., Report], make_contribution: Callable[..., Contribution]) -> dict[str, Any]:
    procedure = Procedure.objects.get(slug="koeln-radverkehrskonzept-innenstadt")
    inside = procedure.area.point_on_surface
    area = GEOSGeometry(inside.buffer(20).wkt, srid=inside.srid)
    return {
        "reports": [
            make_report(at(0, 0), description="Schlagloch; „tief“ – Ärger", day=datetime.date(2025, 3, 1)),
            make_report(at(50, 0), category="muell", status="resolved", day=datetime.date(2025, 3, 2)),
        ],
        # Outside the period: never exported.
        "old": make_report(at(9, 9), day=datetime.date(2024, 1, 1)),
        "contribution": make_contribution(procedure, area, day=datetime.date(2025, 3, 3)),
        "procedure": procedure,
    }


def export(ws: Workspace, user: User, fmt: str, *, crs: int = 4326, personal: bool = False) -> ExportFile:
    return services.export_feedback(user=user, ws=ws, flt=PERIOD, fmt=fmt, crs=crs, personal=personal)  # type: ignore[arg-type]


def read_back(
    tmp_path: Path, export_file: ExportFile, **options: str
) -> tuple[dict[str, Any], list[Any], dict[str, Any]]:
    """Read a file with GDAL (pyogrio); return its metadata, geometries (shapely) and fields by name."""
    path = tmp_path / export_file.filename
    path.write_bytes(export_file.content)
    meta, _fids, geometry, field_data = pyogrio.raw.read(str(path), **options)
    fields = dict(zip(meta["fields"], field_data, strict=True))
    shapes = [None if wkb is None else shapely.from_wkb(wkb) for wkb in geometry]
    return meta, shapes, fields


def test_geopackage_reads_back_with_every_row_and_geometry(
    tmp_path: Path, koeln_ws: Workspace, koeln_processor: User, feedback: dict[str, Any]
) -> None:
    file = export(koeln_ws, koeln_processor, "gpkg")

    meta, shapes, fields = read_back(tmp_path, file)

    assert file.rows == 3
    assert list(meta["fields"]) == PUBLIC_COLUMNS
    assert "4326" in meta["crs"]
    contribution = feedback["contribution"]
    assert list(fields["schluessel"]) == [
        f"contribution:{contribution.pk}",
        f"report:{feedback['reports'][1].pk}",
        f"report:{feedback['reports'][0].pk}",
    ]
    assert [shape.geom_type for shape in shapes] == ["Polygon", "Point", "Point"]
    # Lon/lat order: x is the longitude.
    lon, lat = lonlat_of(feedback["reports"][0].location)
    assert shapes[2].x == pytest.approx(lon, abs=1e-6)
    assert shapes[2].y == pytest.approx(lat, abs=1e-6)
    assert list(fields["status"]) == ["", "resolved", "submitted"]
    assert fields["text"][2] == "Schlagloch; „tief“ – Ärger"
    assert list(fields["nummer"]) == [contribution.pk, feedback["reports"][1].pk, feedback["reports"][0].pk]
    completed = subprocess.run(
        ["ogrinfo", "-ro", "-so", str(tmp_path / file.filename), "rueckmeldungen"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Feature Count: 3" in completed.stdout


def test_geopackage_in_utm_keeps_metres(
    tmp_path: Path, koeln_ws: Workspace, koeln_processor: User, feedback: dict[str, Any]
) -> None:
    file = export(koeln_ws, koeln_processor, "gpkg", crs=25832)

    meta, shapes, _fields = read_back(tmp_path, file)

    assert "25832" in meta["crs"]
    stored = feedback["reports"][0].location
    assert shapes[2].x == pytest.approx(stored.x, abs=0.01)
    assert shapes[2].y == pytest.approx(stored.y, abs=0.01)
    assert shapes[0].area == pytest.approx(feedback["contribution"].geometry.area, rel=1e-6)
    assert file.filename == f"rueckmeldungen-{KOELN_KEY}-epsg25832.gpkg"


def test_geojson_reads_back_in_both_crs(
    tmp_path: Path, koeln_ws: Workspace, koeln_processor: User, feedback: dict[str, Any]
) -> None:
    lonlat = export(koeln_ws, koeln_processor, "geojson")
    utm = export(koeln_ws, koeln_processor, "geojson", crs=25832)

    meta, shapes, fields = read_back(tmp_path, lonlat)
    utm_meta, utm_shapes, _fields = read_back(tmp_path, utm)

    assert "crs" not in json.loads(lonlat.content)
    assert lonlat.rows == 3
    assert len(shapes) == 3
    # GDAL shows a Feature's string id as a field of its own.
    assert sorted(set(meta["fields"]) - {"id"}) == sorted(PUBLIC_COLUMNS)
    assert "4326" in meta["crs"]
    assert "25832" in utm_meta["crs"]
    stored = feedback["reports"][0].location
    assert utm_shapes[2].x == pytest.approx(stored.x, abs=0.01)
    assert fields["kategorie"][0] == "beitrag"


def test_csv_is_for_german_excel_and_reads_back_with_gdal(
    tmp_path: Path, koeln_ws: Workspace, koeln_processor: User, feedback: dict[str, Any]
) -> None:
    file = export(koeln_ws, koeln_processor, "csv")

    text = file.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header = text[1:].splitlines()[0]
    assert header.split(";") == [*PUBLIC_COLUMNS, "x", "y", "wkt"]
    _meta, shapes, fields = read_back(tmp_path, file, GEOM_POSSIBLE_NAMES="wkt", KEEP_GEOM_COLUMNS="NO")
    assert len(shapes) == 3
    assert [shape.geom_type for shape in shapes] == ["Polygon", "Point", "Point"]
    assert fields["text"][2] == "Schlagloch; „tief“ – Ärger"
    assert fields["oeffentlich"][2] == "ja"
    lon, _lat = lonlat_of(feedback["reports"][0].location)
    assert float(fields["x"][2]) == pytest.approx(lon, abs=1e-6)


def test_export_follows_the_filter_exactly(
    tmp_path: Path, koeln_ws: Workspace, koeln_processor: User, feedback: dict[str, Any]
) -> None:
    only_resolved = replace(PERIOD, statuses=("resolved",), sources=frozenset({"reports"}))

    file = services.export_feedback(
        user=koeln_processor, ws=koeln_ws, flt=only_resolved, fmt="gpkg", crs=4326, personal=False
    )

    _meta, _shapes, fields = read_back(tmp_path, file)
    assert list(fields["schluessel"]) == [f"report:{feedback['reports'][1].pk}"]


def test_personal_data_only_when_ticked_and_then_logged(
    tmp_path: Path, koeln_ws: Workspace, koeln_processor: User, feedback: dict[str, Any]
) -> None:
    plain = export(koeln_ws, koeln_processor, "csv")
    assert b"erika@example.org" not in plain.content
    assert not PersonalDataExport.objects.exists()

    personal = export(koeln_ws, koeln_processor, "gpkg", personal=True)

    meta, _shapes, fields = read_back(tmp_path, personal)
    assert list(meta["fields"]) == [*PUBLIC_COLUMNS, *PERSONAL_COLUMNS]
    assert list(fields["email"]) == ["max@example.org", "erika@example.org", "erika@example.org"]
    [log] = PersonalDataExport.objects.all()
    assert (log.user, log.authority.key, log.format, log.crs, log.row_count) == (
        koeln_processor,
        KOELN_KEY,
        "gpkg",
        4326,
        3,
    )
    assert log.filter["start"] == "2025-01-01"


def test_land_administrator_may_export_but_not_personal_data(
    land_admin: User, koeln_processor: User, feedback: dict[str, Any]
) -> None:
    ws = workspace_for_authority(land_admin, KOELN_KEY)
    assert export(ws, land_admin, "csv").rows == 3

    with pytest.raises(services.PersonalDataNotAllowed):
        export(ws, land_admin, "csv", personal=True)
    assert not PersonalDataExport.objects.exists()


def test_data_dictionary_describes_every_column(
    koeln_ws: Workspace, koeln_processor: User, feedback: dict[str, Any]
) -> None:
    described = {entry.name for entry in data_dictionary()}
    header = export(koeln_ws, koeln_processor, "csv", personal=True).content.decode("utf-8-sig").splitlines()[0]

    assert set(header.split(";")) <= described
    assert {entry.name for entry in data_dictionary() if entry.personal} == set(PERSONAL_COLUMNS)
    assert all(str(entry.description) for entry in data_dictionary())


def test_export_api(
    client_for: Callable[[User], APIClient],
    koeln_processor: User,
    land_admin: User,
    dortmund_processor: User,
    feedback: dict[str, Any],
) -> None:
    url = f"/api/v1/workspace/authorities/{KOELN_KEY}/export/?{PERIOD_QUERY}"

    gpkg = client_for(koeln_processor).get(f"{url}&format=gpkg&crs=25832&personal=1")
    csv_file = client_for(koeln_processor).get(url)
    refused = client_for(land_admin).get(f"{url}&personal=1")
    foreign = client_for(dortmund_processor).get(url)
    unknown = client_for(koeln_processor).get(f"{url}&format=shp")
    dictionary = client_for(koeln_processor).get("/api/v1/workspace/dictionary/")

    assert gpkg.status_code == 200
    assert gpkg["Content-Disposition"] == f'attachment; filename="rueckmeldungen-{KOELN_KEY}-epsg25832.gpkg"'
    assert gpkg.content.startswith(b"SQLite format 3")
    assert csv_file["Content-Type"] == "text/csv; charset=utf-8"
    assert refused.status_code == 403
    assert "Beschäftigte" in refused.json()["message"]
    assert foreign.status_code == 404
    assert unknown.status_code == 400
    assert PersonalDataExport.objects.count() == 1
    assert {field["name"] for field in dictionary.json()["fields"]} >= set(PUBLIC_COLUMNS)


def test_csv_never_hands_excel_a_formula(
    koeln_ws: Workspace, koeln_processor: User, make_report: Callable[..., Report]
) -> None:
    make_report(at(0, 0), description='=HYPERLINK("http://example.org/x","Klick")', name="@SUMME(A1)")

    text = export(koeln_ws, koeln_processor, "csv", personal=True).content.decode("utf-8-sig")

    row = text.splitlines()[1]
    assert "'=HYPERLINK" in row
    assert ";'@SUMME(A1);" in row


def test_an_export_too_large_is_refused_with_advice(
    monkeypatch: pytest.MonkeyPatch, koeln_ws: Workspace, koeln_processor: User, feedback: dict[str, Any]
) -> None:
    monkeypatch.setattr(services, "EXPORT_MAX_ROWS", 2)

    with pytest.raises(services.ExportTooLarge) as error:
        export(koeln_ws, koeln_processor, "csv")
    assert error.value.status_code == 400
    assert "grenzen Sie Zeitraum oder Kategorien ein" in error.value.message
