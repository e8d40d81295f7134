"""import_streets: any vector file, any CRS, upsert by (Gemeinde, key), idempotent, with a report of skips."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import LineString, MultiLineString
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from geo import crs
from geo.models import Authority, Street
from geo.services import streets_import
from geo.streets import StreetFields, display_name
from tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db

KOELN_STREETS = FIXTURES / "koeln-stadt" / "koeln_strassen_epsg25832.gpkg"
# Every street of the file: the fixture keeps them all, and all lie within 1 km of Köln.
KOELN_STREET_COUNT = 5516


def run_import(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_streets", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_koeln(*extra: str) -> tuple[str, str]:
    return run_import(str(KOELN_STREETS), "--gemeinde", "05315000", *extra)


def test_import_twice_creates_then_leaves_the_same_streets_and_says_so() -> None:
    # The demo data may hold Köln's streets already; start from none (rolled back after the test).
    Street.objects.all().delete()
    started = time.perf_counter()
    first_out, first_err = import_koeln()
    seconds = time.perf_counter() - started
    second_out, _ = import_koeln()
    assert f"{KOELN_STREET_COUNT} created, 0 updated, 0 unchanged, 0 skipped." in first_out
    assert f"0 created, 0 updated, {KOELN_STREET_COUNT} unchanged, 0 skipped." in second_out
    assert f"{KOELN_STREET_COUNT}/{KOELN_STREET_COUNT}" in first_err  # the progress bar
    assert Street.objects.count() == KOELN_STREET_COUNT
    assert Street.objects.filter(gemeinde__key="05315000").count() == KOELN_STREET_COUNT
    aachener = Street.objects.get(key="00002")
    assert (aachener.name, aachener.search_name) == ("Aachener Str.", "aachener strasse")
    assert aachener.geometry.srid == 25832
    assert aachener.geometry.geom_type == "MultiLineString"
    # LANGNAME, the default, tells apart the streets whose names repeat.
    assert Street.objects.get(key="04160").name == "Amselstr. (Porz)"
    # The demo data loads this file: it must stay quick (about one second here).
    assert seconds < 10


def test_the_short_name_field_on_request() -> None:
    import_koeln()
    out, _ = import_koeln("--name-field", "NAME")
    # The names that differ between NAME and LANGNAME change; the rest is the same.
    assert f"0 created, 538 updated, {KOELN_STREET_COUNT - 538} unchanged, 0 skipped." in out
    assert Street.objects.get(key="04160").name == "Amselstr. Po"


def test_changed_name_and_course_are_updated_and_vanished_streets_reported() -> None:
    import_koeln()
    original = Street.objects.get(key="00001").geometry
    Street.objects.filter(key="00002").update(name="Aachener Weg")
    Street.objects.filter(key="00001").update(geometry=shifted(original, 5.0))
    # Less than the files' 1 cm rounding is no change.
    Street.objects.filter(key="00003").update(geometry=shifted(Street.objects.get(key="00003").geometry, 0.004))
    gemeinde = Authority.objects.get(key="05315000")
    Street.objects.create(gemeinde=gemeinde, key="99999", name="Abgerissene Gasse", geometry=original)

    out, _ = import_koeln("-v", "2")

    assert f"0 created, 2 updated, {KOELN_STREET_COUNT - 2} unchanged, 0 skipped." in out
    assert "updated: 00001, 00002" in out
    assert "1 streets of this Gemeinde in the database are not in the file and were left as they are: 99999" in out
    assert Street.objects.get(key="00002").name == "Aachener Str."
    assert Street.objects.get(key="00001").geometry.equals_exact(original, 0.001)
    assert Street.objects.filter(key="99999").exists()


def shifted(geometry: MultiLineString, metres: float) -> MultiLineString:
    """Return the geometry moved east by `metres`."""
    lines = [LineString([(x + metres, y) for x, y in line]) for line in geometry.coords]
    return MultiLineString(*lines, srid=geometry.srid)


def feature(properties: dict[str, object], geometry: dict[str, object] | None) -> dict[str, object]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def test_lon_lat_geojson_is_reprojected_and_skips_are_reported_with_reasons(tmp_path: Path) -> None:
    # A street in Köln's Altstadt, in lon/lat, and what cannot be used.
    line = [[6.9570, 50.9380], [6.9580, 50.9390]]
    dortmund = [[7.4650, 51.5130], [7.4660, 51.5140]]
    collection = {
        "type": "FeatureCollection",
        "features": [
            feature({"NUMMER": "90001", "NAME": "Teststraße"}, {"type": "LineString", "coordinates": line}),
            feature({"NUMMER": "90002", "NAME": "Punktplatz"}, {"type": "Point", "coordinates": [6.957, 50.938]}),
            feature({"NUMMER": "90003", "NAME": ""}, {"type": "LineString", "coordinates": line}),
            feature({"NUMMER": "", "NAME": "Ohne Schlüssel"}, {"type": "LineString", "coordinates": line}),
            feature({"NUMMER": "90004", "NAME": "Leerer Weg"}, {"type": "LineString", "coordinates": []}),
            feature({"NUMMER": "90005", "NAME": "Ohne Geometrie"}, None),
            feature({"NUMMER": "90006", "NAME": "Dortmunder Gasse"}, {"type": "LineString", "coordinates": dortmund}),
            feature({"NUMMER": "90001", "NAME": "Teststraße doppelt"}, {"type": "LineString", "coordinates": line}),
            feature(
                {"NUMMER": "90007", "NAME": "Zweiteilige Allee"},
                {"type": "MultiLineString", "coordinates": [line, [[6.9590, 50.9400], [6.9600, 50.9410]]]},
            ),
        ],
    }
    path = tmp_path / "mixed.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")

    Street.objects.all().delete()
    out, _ = run_import(str(path), "--gemeinde", "05315000", "--name-field", "NAME")

    assert "2 created, 0 updated, 0 unchanged, 7 skipped." in out
    assert "(key 90002): its geometry is a Point, not a line." in out
    assert "(key 90003): the feature has no name." in out
    assert "mixed#3: the feature has no key." in out
    assert "(key 90004): its geometry is empty." in out
    assert "(key 90005): the feature has no geometry." in out
    assert "(key 90006): it lies 61.6 km outside Köln (1 km allowed)." in out
    assert "(key 90001): the key was already read from mixed#0." in out
    street = Street.objects.get(key="90001")
    assert street.name == "Teststraße"
    expected = crs.transform_coords(line, crs.CRS84, crs.STORAGE)
    assert street.geometry.srid == 25832
    assert [c for xy in street.geometry.coords[0] for c in xy] == pytest.approx(expected.ravel().tolist(), abs=0.01)
    assert len(Street.objects.get(key="90007").geometry) == 2


def test_a_street_leaving_the_gemeinde_by_more_than_a_km_is_skipped(tmp_path: Path) -> None:
    # From Köln's Heumarkt east to Bergisch Gladbach's centre: it starts inside and runs far beyond.
    collection = {
        "type": "FeatureCollection",
        "features": [
            feature(
                {"NUMMER": "90010", "NAME": "Lange Straße"},
                {"type": "LineString", "coordinates": [[6.9595, 50.9360], [7.1320, 50.9920]]},
            )
        ],
    }
    path = tmp_path / "long.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    out, _ = run_import(str(path), "--gemeinde", "05315000", "--name-field", "NAME")
    assert "0 created, 0 updated, 0 unchanged, 1 skipped." in out
    assert "(key 90010): it runs more than 1 km beyond the boundary of Köln." in out


def test_missing_fields_skip_the_whole_layer() -> None:
    out, _ = run_import(str(KOELN_STREETS), "--gemeinde", "05315000", "--key-field", "STRSCHL")
    assert "0 created, 0 updated, 0 unchanged, 1 skipped." in out
    assert "Skipped strassen: the layer has no field STRSCHL (fields: NUMMER, NAME, LANGNAME)." in out


def test_layer_without_crs_is_skipped_whole(tmp_path: Path) -> None:
    if shutil.which("ogr2ogr") is None:
        pytest.fail("ogr2ogr (Debian package gdal-bin) is missing; `make test` installs it")
    target = tmp_path / "ohne_crs.shp"
    subprocess.run(["ogr2ogr", "-where", "NUMMER < '00010'", str(target), str(KOELN_STREETS)], check=True)
    target.with_suffix(".prj").unlink()
    out, _ = run_import(str(target), "--gemeinde", "05315000")
    assert "0 created, 0 updated, 0 unchanged, 1 skipped." in out
    assert "Skipped ohne_crs: the layer has no coordinate reference system" in out


def test_unknown_gemeinde_file_and_layer_are_command_errors(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no Gemeinde with the key '05999000'"):
        run_import(str(KOELN_STREETS), "--gemeinde", "05999000")
    with pytest.raises(CommandError, match="no Gemeinde with the key '05315'"):
        run_import(str(KOELN_STREETS), "--gemeinde", "05315")  # the kreisfreie Stadt, not the Gemeinde
    with pytest.raises(CommandError, match="does not exist"):
        run_import(str(tmp_path / "missing.gpkg"), "--gemeinde", "05315000")
    with pytest.raises(CommandError, match="no layer wege in the file"):
        run_import(str(KOELN_STREETS), "--gemeinde", "05315000", "--layer", "wege")
    several = FIXTURES / "vg5000-nrw" / "nrw_vg5000_epsg25832.gpkg"
    with pytest.raises(CommandError, match="the file has 4 layers, choose one with --layer"):
        run_import(str(several), "--gemeinde", "05315000")
    with pytest.raises(CommandError, match="the following arguments are required: --gemeinde"):
        run_import(str(KOELN_STREETS))


def test_a_failing_import_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Street.objects, "bulk_update", explode)
    Street.objects.all().delete()
    with pytest.raises(RuntimeError):
        streets_import(path=KOELN_STREETS, gemeinde_key="05315000", fields=StreetFields(name="NAME"))
    assert not Street.objects.exists()


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Aachener Str.", "aachener strasse"),
        ("Aachener Straße", "aachener strasse"),
        ("aachener str", "aachener strasse"),
        ("Amselstr. (Porz)", "amselstrasse porz"),
        ("KÖLN", "koln"),
        ("Straße des 17. Juni", "strasse des 17 juni"),
        ("Boisseréestr.", "boissereestrasse"),
        ("Neuer Weyerstr.rweg", "neuer weyerstrasserweg"),
        ("Strunder Str", "strunder strasse"),
        ("St.-Apern-Str.", "st apern strasse"),
        ("  Mülheim an der Ruhr ", "mulheim an der ruhr"),
        ("ÄÖÜ ÀÉ", "aou ae"),
        ("%_'; --", ""),
    ],
)
def test_search_key_folds_case_accents_and_abbreviations(name: str, key: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT geo_search_key(%s)", [name])
        assert cursor.fetchone()[0] == key


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Aachener Str.", "Aachener Straße"),
        ("Amselstr. (Porz)", "Amselstraße (Porz)"),
        ("St.-Apern-Str.", "St.-Apern-Straße"),
        ("Neuer Weyerstr.rweg", "Neuer Weyerstraßerweg"),
        ("Straße des 17. Juni", "Straße des 17. Juni"),
        ("Aachener Glacis", "Aachener Glacis"),
    ],
)
def test_display_name_spells_out_str(name: str, shown: str) -> None:
    assert display_name(name) == shown


def test_admin_lists_searches_and_maps_streets(client: Client) -> None:
    import_koeln()
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "ein-langes-passwort"))
    listing = client.get("/admin/geo/street/", {"q": "Aachener"})
    assert listing.status_code == 200
    assert "Aachener Str. (Porz)" in listing.content.decode()
    street = Street.objects.get(key="00002")
    change = client.get(f"/admin/geo/street/{street.pk}/change/")
    assert change.status_code == 200
    html = change.content.decode()
    assert "/static/vendor/ol/ol.js" in html
    assert "aachener strasse" in html  # the search key, shown read-only
