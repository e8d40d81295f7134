"""A procedure's area from a file: any format GDAL reads, any CRS, chosen features unioned, errors in German."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import shapely
from django.contrib.gis.geos import MultiPolygon
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from shapely.geometry import shape

from geo import crs as crs_module
from geo.models import Authority
from procedures import areas
from procedures.areas import (
    AreaConditionInvalid,
    AreaCRSUnknown,
    AreaFieldUnknown,
    AreaFileTooLarge,
    AreaFileUnreadable,
    AreaFormatRefused,
    AreaLayerRequired,
    AreaLayerUnknown,
    AreaNoMatch,
    AreaNotReprojectable,
    AreaOutsideNRW,
    AreaWithoutPolygons,
    parse_conditions,
    read_area,
    read_uploaded_area,
)
from procedures.models import Procedure
from tests.conftest import FIXTURES, VG5000_GPKG

pytestmark = pytest.mark.django_db

STADTBEZIRKE = FIXTURES / "koeln-stadt" / "koeln_stadtbezirke_demo_epsg25832.geojson"
STADTTEILE = FIXTURES / "koeln-stadt" / "koeln_stadtteile_demo_epsg25832.geojson"
DUISBURG = FIXTURES / "duisburg-osm" / "duisburg_demo_osm_epsg4326.geojson"
# A square of about 1.4 km by 2.2 km around Köln's Neumarkt (lon/lat), and a bow tie over it.
SQUARE = [[6.94, 50.93], [6.96, 50.93], [6.96, 50.95], [6.94, 50.95], [6.94, 50.93]]
BOWTIE = [[6.94, 50.93], [6.96, 50.95], [6.96, 50.93], [6.94, 50.95], [6.94, 50.93]]


def features_of(path: Path) -> list[dict[str, Any]]:
    features: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["features"]
    return features


def geojson_file(tmp_path: Path, features: list[dict[str, Any]], *, name: str = "gebiet.geojson", **extra: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", **extra, "features": features}), encoding="utf-8")
    return path


def feature(geometry: dict[str, Any] | None, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def ogr2ogr(*args: str) -> None:
    """Write a test file with GDAL's ogr2ogr (gdal-bin, which make installs)."""
    if shutil.which("ogr2ogr") is None:
        pytest.fail("ogr2ogr (Debian package gdal-bin) is missing; `make test` installs it")
    subprocess.run(["ogr2ogr", *args], check=True, capture_output=True)


def as_shapely(geometry: MultiPolygon) -> Any:
    return shapely.from_wkb(bytes(geometry.wkb))


# --- Reading -------------------------------------------------------------------------------------


def test_a_feature_of_a_25832_geojson_is_read_as_it_is() -> None:
    read = read_area(STADTBEZIRKE, where={"STB_NAME": ["Innenstadt"]})
    assert isinstance(read.area, MultiPolygon)
    assert read.area.srid == 25832
    assert read.area.valid
    assert (read.layer, read.features, read.repaired, read.file_format) == ("stadtbezirke", 1, False, "GeoJSON")
    assert "UTM zone 32N" in read.source_crs
    innenstadt = next(f for f in features_of(STADTBEZIRKE) if f["properties"]["STB_NAME"] == "Innenstadt")
    assert as_shapely(read.area).equals_exact(shapely.MultiPolygon([shape(innenstadt["geometry"])]), 0.001)
    assert read.area_km2 == pytest.approx(16.37, abs=0.01)
    assert read.vertices == 275


def test_a_lon_lat_geojson_is_reprojected() -> None:
    read = read_area(DUISBURG, where={"level": ["stadtbezirk"], "code": ["500"]})
    assert read.area.srid == 25832
    assert read.source_crs == "WGS 84"
    mitte = next(f for f in features_of(DUISBURG) if f["properties"]["code"] == "500")
    # GDAL (here) and pyproj (the API's path) agree to the millimetre.
    expected = crs_module.to_storage(shape(mitte["geometry"]))
    assert shapely.hausdorff_distance(as_shapely(read.area), expected) < 0.001
    # The OSM district lies in Duisburg as VG5000 draws it, give or take its generalisation.
    duisburg = Authority.objects.get(key="05112000").boundary
    assert duisburg.buffer(500).covers(read.area)


def test_a_geopackage_layer_and_feature_are_chosen(tmp_path: Path) -> None:
    gpkg = tmp_path / "koeln.gpkg"
    ogr2ogr("-f", "GPKG", str(gpkg), str(STADTBEZIRKE), "-nln", "bezirke")
    ogr2ogr("-f", "GPKG", "-update", str(gpkg), str(STADTTEILE), "-nln", "stadtteile", "-nlt", "MULTIPOLYGON")
    read = read_area(gpkg, layer="stadtteile", where=parse_conditions(["STT_NAME=Ehrenfeld"]))
    assert (read.layer, read.features, read.file_format) == ("stadtteile", 1, "GPKG")
    assert read.area_km2 == pytest.approx(3.72, abs=0.01)
    # Layer and field names and values are forgiven their case.
    again = read_area(gpkg, layer="Stadtteile", where=parse_conditions(["stt_name=EHRENFELD"]))
    assert again.area.equals_exact(read.area, 0)


def test_a_gemeinde_from_the_boundary_geopackage_is_its_stored_boundary() -> None:
    read = read_area(VG5000_GPKG, layer="gemeinden", where={"AGS": ["05170024"]})
    assert read.area.equals_exact(Authority.objects.get(key="05170024").boundary, 0.001)


def test_numbers_match_as_people_type_them(tmp_path: Path) -> None:
    path = geojson_file(tmp_path, [feature({"type": "Polygon", "coordinates": [SQUARE]}, nummer=7.0, name="Sieben")])
    assert read_area(path, where={"nummer": ["7"]}).features == 1


def test_several_features_are_unioned() -> None:
    read = read_area(STADTTEILE, where=parse_conditions(["STT_NAME=Altstadt/Nord", "STT_NAME=Altstadt/Süd"]))
    assert read.features == 2
    assert read.area.valid
    # Neighbours merge into one polygon; their areas add up.
    assert len(read.area) == 1
    parts = [
        shape(f["geometry"]) for f in features_of(STADTTEILE) if f["properties"]["STT_NAME"].startswith("Altstadt")
    ]
    assert read.area.area == pytest.approx(sum(part.area for part in parts), rel=1e-4)


def test_a_whole_layer_is_read_without_a_choice() -> None:
    read = read_area(STADTTEILE)
    assert read.features == 4
    assert read.area.valid
    assert len(read.area) == 3  # Nippes, Ehrenfeld and the two Altstädte together


def test_an_invalid_polygon_is_repaired(tmp_path: Path) -> None:
    path = geojson_file(tmp_path, [feature({"type": "Polygon", "coordinates": [BOWTIE]}, name="Schleife")])
    read = read_area(path)
    assert read.repaired
    assert read.area.valid
    assert len(read.area) == 2  # the bow tie's two triangles


def test_points_and_lines_beside_areas_are_left_out(tmp_path: Path) -> None:
    path = geojson_file(
        tmp_path,
        [
            feature({"type": "Polygon", "coordinates": [SQUARE]}, name="Gebiet"),
            feature({"type": "Point", "coordinates": [6.95, 50.94]}, name="Gebiet"),
            feature({"type": "LineString", "coordinates": SQUARE[:2]}, name="Gebiet"),
        ],
    )
    read = read_area(path, where={"name": ["Gebiet"]})
    assert read.features == 3
    assert len(read.area) == 1


def test_heights_are_dropped(tmp_path: Path) -> None:
    ring = [[lon, lat, 55.0] for lon, lat in SQUARE]
    path = geojson_file(tmp_path, [feature({"type": "Polygon", "coordinates": [ring]})])
    read = read_area(path)
    assert not read.area.hasz


# --- Errors --------------------------------------------------------------------------------------


def test_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "notizen.txt"
    path.write_text("kein Geodatensatz", encoding="utf-8")
    with pytest.raises(AreaFileUnreadable, match=r"Die Datei „notizen\.txt“ lässt sich nicht als Geodaten lesen"):
        read_area(path)
    with pytest.raises(AreaFileUnreadable):
        read_area(tmp_path / "fehlt.geojson")


def test_an_unknown_layer_names_the_layers() -> None:
    with pytest.raises(AreaLayerUnknown) as raised:
        read_area(VG5000_GPKG, layer="strassen")
    assert raised.value.message == (
        "Die Datei hat keine Ebene „strassen“. Vorhandene Ebenen: „gemeinden“, „kreise“, „regierungsbezirke“, „land“."
    )


def test_several_layers_need_a_choice() -> None:
    with pytest.raises(AreaLayerRequired, match="mehrere Ebenen: „gemeinden“, „kreise“"):
        read_area(VG5000_GPKG, where={"AGS": ["05170024"]})


def test_no_match_names_the_field_and_some_values() -> None:
    with pytest.raises(AreaNoMatch) as raised:
        read_area(STADTBEZIRKE, where={"STB_NAME": ["Deutz", "Nippes"]})
    assert raised.value.message == (
        "Kein Objekt der Ebene „stadtbezirke“ hat im Feld „STB_NAME“ den Wert „Deutz“ oder „Nippes“. "
        "Werte im Feld „STB_NAME“ sind zum Beispiel: „Innenstadt“, „Kalk“, „Mülheim“, „Porz“."
    )


def test_an_unknown_field_names_the_fields() -> None:
    with pytest.raises(AreaFieldUnknown) as raised:
        read_area(STADTBEZIRKE, where={"name": ["Innenstadt"]})
    assert raised.value.message == (
        "Die Ebene „stadtbezirke“ hat kein Feld „name“. Vorhandene Felder: „STB_NR“, „STB_NAME“."
    )


@pytest.mark.parametrize("text", ["STT_NAME", "=Ehrenfeld", "STT_NAME=", "  "])
def test_a_condition_must_be_field_equals_value(text: str) -> None:
    with pytest.raises(AreaConditionInvalid, match="keine Auswahl der Form Feld=Wert"):
        parse_conditions([text])


def test_a_value_may_hold_an_equals_sign() -> None:
    assert parse_conditions(["name = a=b ", "name=c"]) == {"name": ["a=b", "c"]}


def test_no_polygons(tmp_path: Path) -> None:
    path = geojson_file(
        tmp_path,
        [
            feature({"type": "Point", "coordinates": [6.95, 50.94]}, name="Dom"),
            feature({"type": "LineString", "coordinates": SQUARE[:3]}, name="Ring"),
            feature(None, name="Nichts"),
        ],
    )
    with pytest.raises(AreaWithoutPolygons) as raised:
        read_area(path)
    assert raised.value.message == (
        "Die gewählten Objekte der Ebene „gebiet“ enthalten keine Flächen (gefunden: Linien, Punkte, "
        "keine Geometrie). Ein Gebiet muss aus Polygonen bestehen."
    )


def test_an_empty_layer_has_no_polygons(tmp_path: Path) -> None:
    with pytest.raises(AreaWithoutPolygons, match="gefunden: keine Objekte"):
        read_area(geojson_file(tmp_path, []))


def test_a_shapefile_without_crs(tmp_path: Path) -> None:
    target = tmp_path / "stadtteile.shp"
    ogr2ogr(str(target), str(STADTTEILE))
    target.with_suffix(".prj").unlink()
    with pytest.raises(AreaCRSUnknown) as raised:
        read_area(target, where={"STT_NAME": ["Nippes"]})
    assert type(raised.value) is AreaCRSUnknown
    assert "Für die Ebene „stadtteile“ ist kein Koordinatenreferenzsystem angegeben" in raised.value.message
    assert ".prj" in raised.value.message


def test_metres_in_a_geojson_without_crs_cannot_be_lon_lat(tmp_path: Path) -> None:
    collection = json.loads(STADTBEZIRKE.read_text(encoding="utf-8"))
    path = geojson_file(tmp_path, collection["features"][:1])  # the legacy "crs" member dropped
    with pytest.raises(AreaNotReprojectable, match="lassen sich nicht aus WGS 84 nach ETRS89 / UTM 32N"):
        read_area(path)


def test_lon_lat_labelled_as_utm_lies_outside_nrw(tmp_path: Path) -> None:
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}
    path = geojson_file(tmp_path, features_of(DUISBURG)[:1], crs=crs)
    with pytest.raises(AreaOutsideNRW, match=r"nicht in Nordrhein-Westfalen\. Stimmt das Koordinatenreferenzsystem"):
        read_area(path)


def test_errors_are_validation_failures_with_codes() -> None:
    with pytest.raises(AreaNoMatch) as raised:
        read_area(STADTBEZIRKE, where={"STB_NAME": ["Deutz"]})
    assert raised.value.status_code == 422
    assert raised.value.as_dict()["code"] == "area_no_match"


# --- Uploads -------------------------------------------------------------------------------------


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def test_an_uploaded_geojson_is_read() -> None:
    read = read_uploaded_area(upload(STADTTEILE), where={"STT_NAME": ["Nippes"]})
    assert read.area_km2 == pytest.approx(3.0, abs=0.01)


def test_an_uploaded_shapefile_zip_is_read(tmp_path: Path) -> None:
    ogr2ogr(str(tmp_path / "stadtteile.shp"), str(STADTTEILE), "-t_srs", "EPSG:31466")
    archive = tmp_path / "stadtteile.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for suffix in (".shp", ".shx", ".dbf", ".prj"):
            zipped.write(tmp_path / f"stadtteile{suffix}", f"stadtteile{suffix}")
    read = read_uploaded_area(upload(archive), where={"STT_NAME": ["Nippes"]})
    assert read.file_format == "ESRI Shapefile"
    expected = read_area(STADTTEILE, where={"STT_NAME": ["Nippes"]}).area
    # Through Gauss-Krüger and back: centimetres.
    assert read.area.equals_exact(expected, 0.05)


def test_an_uploaded_file_is_read_by_content_whatever_its_name() -> None:
    read = read_uploaded_area(upload(STADTTEILE, name="../../etc/gebiet.exe"), where={"STT_NAME": ["Nippes"]})
    assert read.features == 1


def test_an_upload_in_a_format_staff_may_not_use(tmp_path: Path) -> None:
    # A VRT reads other files of the server; GDAL knows it by content, whatever the name says.
    vrt = tmp_path / "gebiet.geojson"
    vrt.write_text(
        f'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>{STADTTEILE}</SrcDataSource>'
        "<SrcLayer>stadtteile</SrcLayer></OGRVRTLayer></OGRVRTDataSource>",
        encoding="utf-8",
    )
    assert read_area(vrt).file_format == "OGR_VRT"  # the operator's own files may be anything
    with pytest.raises(AreaFormatRefused, match="Dateien im Format OGR_VRT werden nicht angenommen"):
        read_uploaded_area(upload(vrt))


def test_an_upload_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(areas, "MAX_UPLOAD_BYTES", 1024)
    with pytest.raises(AreaFileTooLarge, match="Die Datei ist zu groß"):
        read_uploaded_area(upload(STADTTEILE))


def test_an_upload_that_is_no_geodata() -> None:
    with pytest.raises(AreaFileUnreadable, match=r"„plan\.pdf“"):
        read_uploaded_area(SimpleUploadedFile("plan.pdf", b"%PDF-1.4 kein Geodatensatz"))


# --- The management command ----------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_procedure_area", *args, stdout=out)
    return out.getvalue()


def test_command_sets_the_area(make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure()
    before = procedure.updated_at
    out = run(procedure.slug, str(STADTTEILE), "--where", "STT_NAME=Altstadt/Nord", "STT_NAME=Altstadt/Süd")
    procedure.refresh_from_db()
    expected = read_area(STADTTEILE, where={"STT_NAME": ["Altstadt/Nord", "Altstadt/Süd"]})
    assert procedure.area.equals_exact(expected.area, 0.001)
    assert procedure.updated_at > before
    assert f"({procedure.slug}) from koeln_stadtteile_demo_epsg25832.geojson, layer stadtteile" in out
    assert "2 features unioned, 1 polygon, 4.82 km², " in out
    assert f"{expected.vertices} vertices." in out
    assert "The previous area had 4.00 km²." in out


def test_command_reads_a_layer_of_a_geopackage_and_a_shapefile_zip(
    make_procedure: Callable[..., Procedure], tmp_path: Path
) -> None:
    procedure = make_procedure()
    out = run(procedure.slug, str(VG5000_GPKG), "--layer", "kreise", "--where", "AGS=05170")
    assert "1 feature read" in out
    procedure.refresh_from_db()
    assert procedure.area.equals_exact(Authority.objects.get(key="05170").boundary, 0.001)

    ogr2ogr(str(tmp_path / "bezirke.shp"), str(STADTBEZIRKE))
    archive = tmp_path / "bezirke.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for suffix in (".shp", ".shx", ".dbf", ".prj"):
            zipped.write(tmp_path / f"bezirke{suffix}", f"bezirke{suffix}")
    out = run(procedure.slug, str(archive), "--where", "STB_NAME=Porz")
    assert "(ESRI Shapefile, ETRS89 / UTM zone 32N)" in out
    procedure.refresh_from_db()
    assert procedure.area.area / 1e6 == pytest.approx(78.92, abs=0.01)


def test_command_warns_about_repairs_and_a_map_extent_elsewhere(
    make_procedure: Callable[..., Procedure], tmp_path: Path
) -> None:
    duisburg_extent = read_area(DUISBURG, where={"code": ["500"]}).area.envelope
    procedure = make_procedure(map_extent=duisburg_extent)
    path = geojson_file(tmp_path, [feature({"type": "Polygon", "coordinates": [BOWTIE]})])
    out = run(procedure.slug, str(path))
    assert "Invalid polygons in the file were repaired" in out
    assert "map extent lies outside the new area" in out


def test_command_errors_are_german_and_change_nothing(make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure()
    area = procedure.area.clone()
    with pytest.raises(CommandError, match="Es gibt kein Verfahren mit dem Kurznamen „gibt-es-nicht“"):
        run("gibt-es-nicht", str(STADTTEILE))
    with pytest.raises(CommandError, match=r"Die Datei .*fehlt\.geojson gibt es nicht"):
        run(procedure.slug, "fehlt.geojson")
    with pytest.raises(CommandError, match="hat im Feld „STT_NAME“ den Wert „Innenstadt“"):
        run(procedure.slug, str(STADTTEILE), "--where", "STT_NAME=Innenstadt")
    with pytest.raises(CommandError, match="Die Datei hat keine Ebene „strassen“"):
        run(procedure.slug, str(VG5000_GPKG), "--layer", "strassen")
    with pytest.raises(CommandError, match="„STT_NAME“ ist keine Auswahl der Form Feld=Wert"):
        run(procedure.slug, str(STADTTEILE), "--where", "STT_NAME")
    procedure.refresh_from_db()
    assert procedure.area.equals_exact(area, 0)
