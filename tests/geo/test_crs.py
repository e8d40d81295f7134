"""The CRS allow-list and reprojection, without a database."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

from geo import crs
from geo.conf import geo_settings
from geo.errors import UnsupportedCRS
from geo.nrw import nrw_area

WGS84_GEOD = Geod(ellps="WGS84")
KOELNER_DOM = (6.958307, 50.941357)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CRS84", crs.CRS84),
        ("OGC:CRS84", crs.CRS84),
        ("http://www.opengis.net/def/crs/OGC/1.3/CRS84", crs.CRS84),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", crs.CRS84),
        ("EPSG:4326", crs.EPSG_4326),
        ("epsg:4326", crs.EPSG_4326),
        ("http://www.opengis.net/def/crs/EPSG/0/4326", crs.EPSG_4326),
        ("urn:ogc:def:crs:EPSG::3857", crs.EPSG_3857),
        ("EPSG:25832", crs.EPSG_25832),
        ("https://www.opengis.net/def/crs/EPSG/0/25832", crs.EPSG_25832),
        ("EPSG:31466", crs.EPSG_31466),
        (" EPSG:31467 ", crs.EPSG_31467),
        (None, crs.CRS84),
        ("", crs.CRS84),
    ],
)
def test_allow_list_accepts_known_spellings(text: str | None, expected: crs.CRS) -> None:
    assert crs.parse_crs(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "EPSG:2056",  # a real CRS, but not ours
        "EPSG:4258",
        "EPSG:99999",
        "+proj=utm +zone=32 +ellps=GRS80",  # a PROJ string must never reach PROJ
        'GEOGCS["WGS 84",DATUM["WGS_1984"]]',
        "file:///etc/passwd",
        "EPSG:25832; DROP TABLE geo_authority",
        "x" * 10_000,
    ],
)
def test_allow_list_rejects_everything_else(text: str) -> None:
    with pytest.raises(UnsupportedCRS) as caught:
        crs.parse_crs(text)
    assert caught.value.status_code == 400
    assert "EPSG:25832" in caught.value.message  # names what is supported
    assert len(caught.value.message) < 400  # and does not echo a huge input back


def test_storage_crs_is_one_constant() -> None:
    assert crs.STORAGE_SRID == 25832
    assert crs.STORAGE is crs.EPSG_25832
    assert crs.DEFAULT is crs.CRS84


def test_epsg_4326_is_lat_lon_and_crs84_lon_lat() -> None:
    stored = crs.to_storage(Point(*KOELNER_DOM), crs.CRS84)
    lat_lon = crs.from_storage(stored, crs.EPSG_4326)
    assert lat_lon.x == pytest.approx(KOELNER_DOM[1], abs=1e-9)
    assert lat_lon.y == pytest.approx(KOELNER_DOM[0], abs=1e-9)
    assert crs.to_storage(lat_lon, crs.EPSG_4326).equals_exact(stored, 1e-6)


def test_koelner_dom_in_utm32() -> None:
    # Reference from the system's GDAL, independent of pyproj's own PROJ:
    # echo "6.958307 50.941357" | gdaltransform -s_srs OGC:CRS84 -t_srs EPSG:25832
    stored = crs.to_storage(Point(*KOELNER_DOM))
    assert stored.x == pytest.approx(356560.927, abs=0.001)
    assert stored.y == pytest.approx(5645288.460, abs=0.001)


def test_gauss_krueger_is_northing_first() -> None:
    gk3 = crs.from_storage(crs.to_storage(Point(*KOELNER_DOM)), crs.EPSG_31467)
    northing, easting = gk3.x, gk3.y
    assert 5_600_000 < northing < 5_700_000
    assert 3_300_000 < easting < 3_400_000  # zone 3 false easting


def test_round_trip_lon_lat_utm_lon_lat_within_a_millimetre() -> None:
    lons, lats = np.meshgrid(np.linspace(5.87, 9.46, 25), np.linspace(50.33, 52.53, 25))
    coords = np.column_stack([lons.ravel(), lats.ravel()])
    stored = crs.transform_coords(coords, crs.CRS84, crs.STORAGE)
    back = crs.transform_coords(stored, crs.STORAGE, crs.CRS84)
    _, _, distances = WGS84_GEOD.inv(coords[:, 0], coords[:, 1], back[:, 0], back[:, 1])
    assert float(np.max(distances)) < 0.001


def _nrw_lonlat() -> BaseGeometry:
    conf = geo_settings()
    return crs.from_storage(nrw_area(conf.nrw_boundary_file, 0.0).geometry, crs.CRS84)


NRW_LONLAT = prep(_nrw_lonlat())


# Only places in NRW: outside Germany's BETA2007 grid PROJ takes another DHDN transformation
# in each direction (they differ by about 2 m), and no place outside NRW is ever stored.
@settings(max_examples=300, deadline=None)
@given(
    lon=st.floats(min_value=5.86, max_value=9.47, allow_nan=False),
    lat=st.floats(min_value=50.32, max_value=52.54, allow_nan=False),
    target=st.sampled_from(crs.ALLOWED),
)
def test_round_trip_through_every_allowed_crs_within_a_millimetre(lon: float, lat: float, target: crs.CRS) -> None:
    assume(NRW_LONLAT.contains(Point(lon, lat)))
    there = crs.transform_coords([(lon, lat)], crs.CRS84, target)
    back = crs.transform_coords(there, target, crs.CRS84)[0]
    _, _, distance = WGS84_GEOD.inv(lon, lat, back[0], back[1])
    assert distance < 0.001


def test_transform_drops_z_and_keeps_shape() -> None:
    square = Polygon([(6.9, 50.9, 50), (7.0, 50.9, 50), (7.0, 51.0, 50), (6.9, 51.0, 50), (6.9, 50.9, 50)])
    stored = crs.to_storage(square)
    assert not stored.has_z
    assert stored.geom_type == "Polygon"
    assert 7_000 < stored.area**0.5 < 12_000  # about 7 km by 11 km


def test_crs_for_srid() -> None:
    assert crs.crs_for_srid(25832) is crs.EPSG_25832
    assert crs.crs_for_srid(4326) is crs.EPSG_4326
    with pytest.raises(UnsupportedCRS):
        crs.crs_for_srid(2056)
