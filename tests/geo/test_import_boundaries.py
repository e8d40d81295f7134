"""import_boundaries: any vector file, any CRS, upsert by official key, idempotent, with a report."""

from __future__ import annotations

import json
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
import shapely
from django.core.management import CommandError, call_command

from geo.models import Authority, AuthorityKind, Street
from geo.services import boundaries_import
from procedures.models import Contribution, Procedure
from reports.models import Category, Report
from tests.conftest import FIXTURES, VG5000_GPKG

pytestmark = pytest.mark.django_db


def run_import(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_boundaries", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def remove_all_authorities() -> None:
    """Empty the authorities table, with everything that refers to an authority (rolled back after the test)."""
    Report.objects.all().delete()
    Category.objects.all().delete()
    Contribution.objects.all().delete()
    Procedure.objects.all().delete()
    Street.objects.all().delete()
    Authority.objects.update(parent=None)
    Authority.objects.all().delete()


def counts() -> dict[str, int]:
    return {kind: Authority.objects.filter(kind=kind).count() for kind in AuthorityKind.values}


def test_demo_data_has_every_level_of_nrw() -> None:
    assert counts() == {"land": 1, "regierungsbezirk": 5, "kreis": 31, "kreisfreie_stadt": 22, "gemeinde": 396}


def test_import_twice_leaves_the_same_authorities_and_says_so() -> None:
    first_out, first_err = run_import(str(VG5000_GPKG))
    second_out, _ = run_import(str(VG5000_GPKG))
    assert counts() == {"land": 1, "regierungsbezirk": 5, "kreis": 31, "kreisfreie_stadt": 22, "gemeinde": 396}
    # The test database already holds the demo data, so even the first run changes nothing.
    assert "0 created, 0 updated, 455 unchanged, 0 skipped." in first_out
    assert "0 created, 0 updated, 455 unchanged, 0 skipped." in second_out
    assert "455/455" in first_err  # the progress bar


def test_import_into_an_empty_table_creates_and_links_everything() -> None:
    remove_all_authorities()
    out, _ = run_import(str(VG5000_GPKG))
    assert "455 created, 0 updated, 0 unchanged, 0 skipped." in out
    koeln = Authority.objects.select_related("parent__parent__parent").get(key="05315000")
    assert (koeln.parent.key, koeln.parent.kind) == ("05315", AuthorityKind.KREISFREIE_STADT)
    assert koeln.parent.parent.key == "053"
    assert koeln.parent.parent.parent.key == "05"
    moers = Authority.objects.get(key="05170024")
    assert (moers.parent.name, moers.parent.kind, moers.regional_key) == ("Wesel", AuthorityKind.KREIS, "051700024024")
    assert not Authority.objects.exclude(kind=AuthorityKind.LAND).filter(parent=None).exists()


def test_lower_level_alone_reports_missing_parents() -> None:
    remove_all_authorities()
    out, _ = run_import(str(VG5000_GPKG), "--layer", "gemeinden")
    assert "396 created" in out
    assert "396 authorities have no parent in the database yet" in out
    out, _ = run_import(str(VG5000_GPKG), "--layer", "kreise", "--layer", "gemeinden")
    assert "53 created, 0 updated, 396 unchanged" in out
    assert Authority.objects.get(key="05315000").parent.key == "05315"


def test_a_changed_name_is_updated() -> None:
    Authority.objects.filter(key="05315000").update(name="Cöln")
    out, _ = run_import(str(VG5000_GPKG), "--layer", "gemeinden", "-v", "2")
    assert "0 created, 1 updated, 395 unchanged" in out
    assert "updated: 05315000" in out
    assert Authority.objects.get(key="05315000").name == "Köln"


def test_lon_lat_geojson_is_reprojected_to_the_same_boundaries() -> None:
    before = {
        a.key: a.boundary.clone()
        for a in Authority.objects.of_kind(AuthorityKind.KREIS, AuthorityKind.KREISFREIE_STADT)
    }
    out, _ = run_import(str(FIXTURES / "vg5000-nrw" / "nrw_kreise_epsg4326.geojson"))
    assert "0 created" in out
    assert "0 skipped" in out
    for authority in Authority.objects.of_kind(AuthorityKind.KREIS, AuthorityKind.KREISFREIE_STADT):
        assert authority.boundary.srid == 25832
        # 7 decimals of a degree are about 1 cm; both files round, so allow a few centimetres.
        distance = shapely.hausdorff_distance(
            shapely.from_wkb(bytes(authority.boundary.wkb)), shapely.from_wkb(bytes(before[authority.key].wkb))
        )
        assert distance < 0.05, (authority.key, distance)


def ogr2ogr(*args: str) -> None:
    """Write a test file with GDAL's ogr2ogr (gdal-bin, which make installs)."""
    if shutil.which("ogr2ogr") is None:
        pytest.fail("ogr2ogr (Debian package gdal-bin) is missing; `make test` installs it")
    subprocess.run(["ogr2ogr", *args], check=True)


def test_gauss_krueger_shapefile_is_reprojected(tmp_path: Path) -> None:
    target = tmp_path / "gemeinden_gk2.shp"
    ogr2ogr("-t_srs", "EPSG:31466", "-where", "AGS = '05315000'", str(target), str(VG5000_GPKG), "gemeinden")
    koeln_before = Authority.objects.get(key="05315000").boundary.clone()
    Authority.objects.filter(key="05315000").update(name="Köln (alt)")
    out, _ = run_import(str(target))
    assert "0 created, 1 updated, 0 unchanged, 0 skipped." in out
    koeln = Authority.objects.get(key="05315000")
    assert koeln.name == "Köln"
    # Through DHDN and back with the BETA2007 grid: centimetres, the files' own rounding.
    assert koeln.boundary.equals_exact(koeln_before, 0.05)


def test_skips_are_reported_with_reasons(tmp_path: Path) -> None:
    square = [[[6.95, 50.93], [6.97, 50.93], [6.97, 50.95], [6.95, 50.95], [6.95, 50.93]]]
    bowtie = [[[6.95, 50.93], [6.97, 50.95], [6.97, 50.93], [6.95, 50.95], [6.95, 50.93]]]

    def feature(properties: dict[str, object], geometry: dict[str, object] | None) -> dict[str, object]:
        return {"type": "Feature", "properties": properties, "geometry": geometry}

    collection = {
        "type": "FeatureCollection",
        "features": [
            feature({"AGS": "05999001", "GEN": "Neustadt"}, {"type": "Polygon", "coordinates": square}),
            feature({"AGS": "", "GEN": "Ohne Schlüssel"}, {"type": "Polygon", "coordinates": square}),
            feature({"AGS": "abc", "GEN": "Falscher Schlüssel"}, {"type": "Polygon", "coordinates": square}),
            feature({"AGS": "05999002", "GEN": "Punktdorf"}, {"type": "Point", "coordinates": [6.96, 50.94]}),
            feature({"AGS": "05999003", "GEN": "Ohne Geometrie"}, None),
            feature({"AGS": "05999004", "GEN": ""}, {"type": "Polygon", "coordinates": square}),
            feature({"AGS": "05999001", "GEN": "Neustadt doppelt"}, {"type": "Polygon", "coordinates": square}),
            feature({"AGS": "05999005", "GEN": "Schleifenstadt"}, {"type": "Polygon", "coordinates": bowtie}),
            feature({"AGS": "0599", "GEN": "Vierstellig"}, {"type": "Polygon", "coordinates": square}),
        ],
    }
    path = tmp_path / "mixed.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")

    out, _ = run_import(str(path))

    assert "2 created, 0 updated, 0 unchanged, 7 skipped." in out
    assert "not an AGS of 2, 3, 5 or 8 digits" in out
    assert "(key 05999002): its geometry is a Point, not an area" in out
    assert "(key 05999003): the feature has no geometry" in out
    assert "(key 05999004): the feature has no name" in out
    assert "(key 05999001): the key was already read from" in out
    assert "1 invalid boundaries were repaired: 05999005" in out
    assert "2 authorities have no parent in the database yet" in out  # Kreis 05999 does not exist
    assert Authority.objects.get(key="05999001").name == "Neustadt"
    repaired = Authority.objects.get(key="05999005").boundary
    assert repaired.valid
    assert len(repaired) == 2  # the bow tie's two triangles


def test_layer_without_crs_is_skipped_whole(tmp_path: Path) -> None:
    target = tmp_path / "ohne_crs.shp"
    ogr2ogr("-where", "SN_K = '15'", str(target), str(VG5000_GPKG), "gemeinden")
    target.with_suffix(".prj").unlink()
    out, _ = run_import(str(target))
    assert "0 created, 0 updated, 0 unchanged, 1 skipped." in out
    assert "no coordinate reference system" in out


def test_unknown_file_and_layer_are_command_errors(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        run_import(str(tmp_path / "missing.gpkg"))
    with pytest.raises(CommandError, match="no layer strassen"):
        run_import(str(VG5000_GPKG), "--layer", "strassen")
    not_a_vector = tmp_path / "notes.txt"
    not_a_vector.write_text("kein Geodatensatz", encoding="utf-8")
    with pytest.raises(CommandError, match="GDAL cannot open"):
        run_import(str(not_a_vector))


def test_a_failing_import_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    Authority.objects.filter(key="05315000").update(name="Cöln")

    def explode(keys: list[str]) -> list[str]:
        raise RuntimeError("disk full")

    monkeypatch.setattr("geo.services._link_parents", explode)
    with pytest.raises(RuntimeError):
        boundaries_import(path=VG5000_GPKG, layer_names=["gemeinden"])
    assert Authority.objects.get(key="05315000").name == "Cöln"
