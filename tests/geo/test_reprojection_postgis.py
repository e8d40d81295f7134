"""Reprojection in pyproj (the edges of the app) agrees with PostGIS (the database) to the millimetre."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import connection

from geo import crs

# Places across NRW, corner to corner (lon, lat): Selfkant, Aachen, Köln, Dortmund, Minden, Winterberg, Bad Oeynhausen.
PLACES = [
    (5.8950, 51.0400),
    (6.0839, 50.7753),
    (6.9583, 50.9413),
    (7.4653, 51.5136),
    (8.9167, 52.2833),
    (8.5300, 51.1950),
    (8.8000, 52.2000),
]


def postgis_transform(xy: tuple[float, float], source_srid: int, target_srid: int) -> tuple[float, float]:
    """Transform one point in PostGIS, in PostGIS's easting/northing (lon/lat) order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(p), ST_Y(p) FROM ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), %s), %s) AS p",
            [xy[0], xy[1], source_srid, target_srid],
        )
        x, y = cursor.fetchone()
    return float(x), float(y)


def to_easting_first(coords: np.ndarray, system: crs.CRS) -> tuple[float, float]:
    return (float(coords[1]), float(coords[0])) if system.northing_first else (float(coords[0]), float(coords[1]))


@pytest.mark.django_db
@pytest.mark.parametrize("system", crs.ALLOWED, ids=lambda c: c.key)
@pytest.mark.parametrize("place", PLACES)
def test_to_storage_agrees_with_postgis(system: crs.CRS, place: tuple[float, float]) -> None:
    source_coords = crs.transform_coords([place], crs.CRS84, system)[0]
    ours = crs.transform_coords([source_coords], system, crs.STORAGE)[0]
    theirs = postgis_transform(to_easting_first(source_coords, system), system.srid, crs.STORAGE_SRID)
    assert np.hypot(ours[0] - theirs[0], ours[1] - theirs[1]) < 0.001


@pytest.mark.django_db
@pytest.mark.parametrize("system", crs.ALLOWED, ids=lambda c: c.key)
@pytest.mark.parametrize("place", PLACES)
def test_from_storage_agrees_with_postgis(system: crs.CRS, place: tuple[float, float]) -> None:
    stored = crs.transform_coords([place], crs.CRS84, crs.STORAGE)[0]
    ours = to_easting_first(crs.transform_coords([stored], crs.STORAGE, system)[0], system)
    theirs = postgis_transform((float(stored[0]), float(stored[1])), crs.STORAGE_SRID, system.srid)
    if system.geographic:
        # Compare degrees as metres on the ground: one micro-degree is about 0.1 m.
        assert abs(ours[0] - theirs[0]) * 70_000 < 0.001
        assert abs(ours[1] - theirs[1]) * 111_000 < 0.001
    else:
        assert np.hypot(ours[0] - theirs[0], ours[1] - theirs[1]) < 0.001
