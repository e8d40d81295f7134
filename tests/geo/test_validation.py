"""Geometry validation that explains itself, without a database."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from config.errors import ApplicationError
from geo import crs
from geo.conf import configured_nrw_area
from geo.errors import (
    CoordinatesOutOfRange,
    InvalidGeometry,
    NonFiniteCoordinates,
    OutsideArea,
    SwappedAxes,
    TooManyVertices,
)
from geo.geojson import parse_geometry
from geo.validation import clean_geometry

KOELN = (6.9583, 50.9413)


@pytest.fixture
def nrw():
    return configured_nrw_area()


def test_valid_point_is_returned_in_storage_crs(nrw) -> None:
    stored = clean_geometry(Point(*KOELN), crs.CRS84, area=nrw)
    assert stored.x == pytest.approx(356560.26, abs=0.01)
    assert stored.y == pytest.approx(5645282.14, abs=0.01)


def test_self_intersecting_polygon_names_geos_reason_and_place(nrw) -> None:
    bowtie = Polygon([(6.95, 50.93), (6.97, 50.95), (6.97, 50.93), (6.95, 50.95), (6.95, 50.93)])
    with pytest.raises(InvalidGeometry) as caught:
        clean_geometry(bowtie, crs.CRS84, area=nrw)
    error = caught.value
    assert error.status_code == 422
    assert error.code == "invalid_geometry"
    assert error.details["reason"].startswith("Self-intersection")
    assert "schneidet sich selbst" in error.message
    assert "6.96" in error.message  # the place, in the sender's own coordinates
    assert error.details["location"] == pytest.approx([6.96, 50.94])


def test_too_many_vertices_uses_the_configured_limit(nrw) -> None:
    line = LineString([(6.9 + i * 1e-5, 50.9) for i in range(101)])
    with pytest.raises(TooManyVertices) as caught:
        clean_geometry(line, crs.CRS84, area=nrw, max_vertices=100)
    assert "101" in caught.value.message
    assert "100" in caught.value.message
    assert clean_geometry(line, crs.CRS84, area=nrw, max_vertices=101).geom_type == "LineString"


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinite_coordinates_are_rejected(nrw, bad: float) -> None:
    with pytest.raises(NonFiniteCoordinates) as caught:
        clean_geometry(Point(bad, 50.9), crs.CRS84, area=nrw)
    assert caught.value.status_code == 422
    assert "NaN" in caught.value.message


def test_outside_nrw_names_the_area(nrw) -> None:
    with pytest.raises(OutsideArea) as caught:
        clean_geometry(Point(13.40, 52.52), crs.CRS84, area=nrw)  # Berlin
    assert type(caught.value) is OutsideArea
    assert caught.value.message == "Der Ort liegt außerhalb von Nordrhein-Westfalen."


@pytest.mark.parametrize(
    ("geometry", "source", "axes"),
    [
        (Point(KOELN[1], KOELN[0]), crs.CRS84, "Länge und Breite"),  # lat given as lon
        (Point(KOELN[0], KOELN[1]), crs.EPSG_4326, "Länge und Breite"),  # lon/lat given where lat/lon is due
        (Point(5645282.14, 356560.26), crs.EPSG_25832, "Rechtswert und Hochwert"),
        (LineString([(50.94, 6.95), (50.95, 6.96)]), crs.CRS84, "Länge und Breite"),
    ],
)
def test_swapped_axes_are_named(nrw, geometry, source, axes) -> None:
    with pytest.raises(SwappedAxes) as caught:
        clean_geometry(geometry, source, area=nrw)
    assert caught.value.status_code == 422
    assert axes in caught.value.message
    assert "vertauscht" in caught.value.message


def test_swapped_axes_beyond_the_valid_range_are_named(nrw) -> None:
    # lat=6.96, lon=50.94 is in range; lat=100 is not: swapped it would still be nowhere in NRW.
    with pytest.raises(CoordinatesOutOfRange):
        clean_geometry(Point(7.0, 100.0), crs.CRS84, area=nrw)


def test_messages_in_english(nrw) -> None:
    with pytest.raises(SwappedAxes) as caught:
        clean_geometry(Point(KOELN[1], KOELN[0]), crs.CRS84, area=nrw)
    # Messages are rendered when read, in the language active then (the request's).
    with translation.override("en"):
        assert "North Rhine-Westphalia" in caught.value.message
        assert "swapped" in caught.value.message
    assert "vertauscht" in caught.value.message


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("POINT (1 2)", "kein GeoJSON-Geometrieobjekt"),
        ({"type": "Circle", "coordinates": [1, 2]}, "Unbekannter Geometrietyp"),
        ({"type": "Point"}, "fehlen die Koordinaten"),
        ({"type": "Point", "coordinates": ["6.9", "50.9"]}, "müssen Zahlen sein"),
        ({"type": "Point", "coordinates": [True, 50.9]}, "müssen Zahlen sein"),
        ({"type": "Point", "coordinates": [6.9]}, "zwei Koordinaten"),
        ({"type": "LineString", "coordinates": [[6.9, 50.9]]}, "mindestens zwei Punkte"),
        ({"type": "Polygon", "coordinates": [[[6.9, 50.9], [7, 50.9], [6.9, 50.9]]]}, "mindestens vier Punkte"),
        (
            {"type": "Polygon", "coordinates": [[[6.9, 50.9], [7, 50.9], [7, 51], [6.9, 51]]]},
            "nicht geschlossen",
        ),
        ({"type": "Polygon", "coordinates": []}, "fehlen die Koordinaten"),
        ({"type": "MultiPolygon", "coordinates": [[]]}, "mindestens einen Ring"),
        ({"type": "GeometryCollection"}, "geometries"),
        (
            {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "GeometryCollection", "geometries": [{"type": "GeometryCollection", "geometries": []}]}
                ],
            },
            "zu tief verschachtelt",
        ),
    ],
)
def test_geojson_structure_errors_are_explained(data, fragment: str) -> None:
    with pytest.raises(InvalidGeometry) as caught:
        parse_geometry(data, max_vertices=5000)
    assert fragment in caught.value.message


def test_geojson_vertex_limit_stops_before_building() -> None:
    huge = {"type": "LineString", "coordinates": [[6.9, 50.9]] * 1_000_000}
    with pytest.raises(TooManyVertices):
        parse_geometry(huge, max_vertices=5000)


def test_geojson_allowed_types() -> None:
    with pytest.raises(InvalidGeometry) as caught:
        parse_geometry(
            {"type": "LineString", "coordinates": [[6.9, 50.9], [7, 51]]}, max_vertices=10, allowed_types=["Point"]
        )
    assert "nicht erlaubt" in caught.value.message
    assert (
        parse_geometry({"type": "Point", "coordinates": [6.9, 50.9]}, max_vertices=10, allowed_types=["Point"]).x == 6.9
    )


def test_geojson_nan_is_rejected() -> None:
    with pytest.raises(NonFiniteCoordinates):
        parse_geometry({"type": "Point", "coordinates": [math.nan, 50.9]}, max_vertices=10)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
        lambda children: (
            st.lists(children, max_size=5)
            | st.dictionaries(st.sampled_from(["type", "coordinates", "geometries", "x"]), children, max_size=3)
        ),
        max_leaves=30,
    )
    | st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Point", "LineString", "Polygon", "MultiPolygon", "GeometryCollection"]),
            "coordinates": st.recursive(st.floats() | st.integers(), lambda c: st.lists(c, max_size=5), max_leaves=40),
        }
    )
)
def test_geojson_parser_answers_any_input_with_a_geometry_or_an_application_error(data) -> None:
    outcome: BaseGeometry | ApplicationError
    try:
        outcome = parse_geometry(data, max_vertices=50)
    except ApplicationError as error:
        outcome = error
    if isinstance(outcome, ApplicationError):
        assert 400 <= outcome.status_code < 500
        assert outcome.message
    else:
        assert outcome.geom_type in ("Point", "LineString", "Polygon", "MultiPolygon", "GeometryCollection")


def test_pure_core_does_not_import_the_orm() -> None:
    code = (
        "import os, sys; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings';"
        "import geo.crs, geo.validation, geo.geojson, geo.bbox, geo.nrw, geo.errors;"
        "bad = sorted(m for m in sys.modules if m.startswith(('django.db', 'rest_framework')));"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
